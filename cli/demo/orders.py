"""Demo orders of both pipelines with their stage history, payments, cash collections and threads."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from cli.demo.texts import CLIENT_QUESTIONS, INSTALL_JOBS, PRINT_JOBS
from core.base.settings import DEFAULTS as SETTING_DEFAULTS
from core.money import cash

# The installer's usual objects (derived from the order id: the demo's random stream, and so
# every figure a seed gives, stays as it was).
OBJECT_TYPES = SETTING_DEFAULTS["object_types"][:6]


@dataclass
class Start:
    """Where the new rows begin and what they refer to."""

    clients: int
    orders: int
    first_id: int
    first_order_id: int
    first_payment_id: int
    first_number: int
    now: datetime
    people: dict
    pipelines: dict
    stages: dict
    addresses: list


def order_rows(rnd: random.Random, start: Start) -> dict:
    """Rows for orders, moves, payments, collections and messages; client figures and the
    managers' cash handed in per day (the evening hand-overs come from it)."""
    clients, orders, now, people = start.clients, start.orders, start.now, start.people
    first_id, first_order_id, first_number = (
        start.first_id,
        start.first_order_id,
        start.first_number,
    )
    first_payment_id, pipelines, stages = start.first_payment_id, start.pipelines, start.stages
    addresses = start.addresses
    managers = [people["manager"], people["manager2"]]
    printers = [people["printer"], people["designer"]]
    # Orders, spread over two years, newest last; older ones mostly archived.
    figures = {cid: [0, 0, 0, 0, None] for cid in range(first_id, first_id + clients)}
    order_rows, move_rows, payment_rows, message_rows = [], [], [], []
    # Cash a client pays lands on the taker's desk in the same transaction as the payment
    # (as core.money.payments records it); managers hand the day's cash to the main desk at night.
    collection_rows: list[tuple] = []
    handed: dict[tuple[int, object], int] = {}
    desks = {m.id: cash.account_of(m).id for m in managers}
    counts = {s.id: 0 for ss in stages.values() for s in ss}
    main = cash.main_account()
    span = timedelta(days=730)
    for i in range(orders):
        oid, number = first_order_id + i, first_number + i
        cid = first_id + rnd.randrange(clients) if clients else None
        if cid is None:
            break
        installer = rnd.random() < 0.4
        code = "installation" if installer else "printing"
        flow = stages[code]
        title, low, high = rnd.choice(INSTALL_JOBS if installer else PRINT_JOBS)
        description = title.format(
            n=rnd.choice([50, 100, 200, 500, 1000]), a=rnd.randint(1, 6), b=rnd.randint(1, 4)
        )
        cost = rnd.randrange(low, high, 100) * 100
        created = now - span + span * (i / max(orders, 1)) - timedelta(minutes=rnd.randint(0, 600))
        age = (now - created).days
        if age > 60:
            reach = len(flow) - 1
        else:
            reach = rnd.randrange(len(flow))
        stage = flow[reach]
        manager = rnd.choice(managers)
        executor = crew = sub = None
        if installer:
            crew = rnd.choice([people["crew_1"], people["crew_2"]])
        elif "перезаказ" in description:
            sub = people["sub"]
        else:
            executor = rnd.choice(printers)
        paid = 0
        if reach >= 1 or rnd.random() < 0.5:
            paid = cost // 2 // 100 * 100 if installer or rnd.random() < 0.5 else cost
        if stage.is_archive:
            paid = cost if rnd.random() < 0.93 else paid
        at = created
        move_rows.append((oid, None, flow[0].id, manager.id, at, "Заказ принят", False))
        for step in range(1, reach + 1):
            at = min(at + timedelta(hours=rnd.randint(2, 96)), now)
            who = manager if flow[step].responsible_role == "manager" or not executor else executor
            move_rows.append((oid, flow[step - 1].id, flow[step].id, who.id, at, "", False))
        if paid:
            if paid < cost:
                payments = [(paid, "advance", "cash", created)]
            else:
                half = cost // 2 // 100 * 100 if installer else 0
                payments = [(half, "advance", "cash", created)] if half else []
                payments.append(
                    (cost - half, "final", rnd.choice(["card", "transfer", "cash"]), at)
                )
            for amount, kind, method, when in payments:
                pid = first_payment_id + len(payment_rows)
                payment_rows.append((pid, oid, amount, kind, method, manager.id, when, ""))
                if method == "cash":  # the manager's desk holds it until the evening hand-over
                    collection_rows.append(("collection", amount, desks[manager.id], oid, pid,
                                            f"Оплата по заказу №{number}", manager.id, when))  # fmt: skip
                    day = when.date()
                    if when < now - timedelta(days=1):
                        handed[(manager.id, day)] = handed.get((manager.id, day), 0) + amount
        due = (created + timedelta(days=rnd.randint(2, 30))).date()
        closed = at if stage.is_archive else None
        order_rows.append((
            oid, number, pipelines[code].id, stage.id, cid, description, cost, paid, cost - paid,
            manager.id, executor.id if executor else None, crew.id if crew else None, sub.id if sub else None,
            due, rnd.choice(addresses) if installer else "", OBJECT_TYPES[oid % len(OBJECT_TYPES)] if installer else "",
            installer and reach >= 2, rnd.choice(["phone", "counter", "site", "email"]),
            stage.is_archive, created, at, closed,
            # mounting is planned once an order is taken: a week to four after it came in
            (created + timedelta(days=7 + oid % 21)).date() if installer and reach >= 1 else None,
        ))  # fmt: skip
        counts[stage.id] += 1
        f = figures[cid]
        f[0] += 1
        f[1] += cost
        f[2] += paid
        f[3] += cost - paid
        f[4] = created if f[4] is None or created > f[4] else f[4]
        if rnd.random() < 0.05:
            for direction, text in rnd.sample(CLIENT_QUESTIONS, 2):
                message_rows.append(
                    (
                        oid,
                        cid,
                        direction,
                        "email" if direction == "in" else "telegram",
                        text,
                        created + timedelta(hours=1),
                        direction == "out",
                    )
                )
    return {"figures": figures, "orders": order_rows, "moves": move_rows, "payments": payment_rows,
            "collections": collection_rows, "messages": message_rows, "handed": handed,
            "desks": desks, "counts": counts, "main": main}  # fmt: skip
