"""Demo orders of both pipelines with their stage history, payments, cash collections and threads."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

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


@dataclass
class _Rows:
    """What order_rows gathers, filled one order at a time."""

    managers: list
    printers: list
    desks: dict
    main: object
    figures: dict
    counts: dict
    orders: list = field(default_factory=list)
    moves: list = field(default_factory=list)
    payments: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    # Cash a client pays lands on the taker's desk in the same transaction as the payment
    # (as core.money.payments records it); managers hand the day's cash to the main desk at night.
    collections: list = field(default_factory=list)
    handed: dict = field(default_factory=dict)


def order_rows(rnd: random.Random, start: Start) -> dict:
    """Rows for orders, moves, payments, collections and messages; client figures and the
    managers' cash handed in per day (the evening hand-overs come from it)."""
    people = start.people
    managers = [people["manager"], people["manager2"]]
    rows = _Rows(
        managers=managers,
        printers=[people["printer"], people["designer"]],
        desks={m.id: cash.account_of(m).id for m in managers},
        main=cash.main_account(),
        figures={
            cid: [0, 0, 0, 0, None] for cid in range(start.first_id, start.first_id + start.clients)
        },
        counts={s.id: 0 for ss in start.stages.values() for s in ss},
    )
    # Orders, spread over two years, newest last; older ones mostly archived.
    for i in range(start.orders if start.clients else 0):
        _add_order(rnd, start, rows, i)
    return {"figures": rows.figures, "orders": rows.orders, "moves": rows.moves,
            "payments": rows.payments, "collections": rows.collections, "messages": rows.messages,
            "handed": rows.handed, "desks": rows.desks, "counts": rows.counts, "main": rows.main}  # fmt: skip


SPAN = timedelta(days=730)


def _add_order(rnd: random.Random, start: Start, rows: _Rows, i: int) -> None:
    """One order with its history, payments and (now and then) a question from the client.
    The random stream is drawn in a fixed order: a seed gives the same demo every time."""
    people, now = start.people, start.now
    oid, number = start.first_order_id + i, start.first_number + i
    cid = start.first_id + rnd.randrange(start.clients)
    installer = rnd.random() < 0.4
    code = "installation" if installer else "printing"
    flow = start.stages[code]
    title, low, high = rnd.choice(INSTALL_JOBS if installer else PRINT_JOBS)
    description = title.format(
        n=rnd.choice([50, 100, 200, 500, 1000]), a=rnd.randint(1, 6), b=rnd.randint(1, 4)
    )
    cost = rnd.randrange(low, high, 100) * 100
    created = (
        now - SPAN + SPAN * (i / max(start.orders, 1)) - timedelta(minutes=rnd.randint(0, 600))
    )
    reach = len(flow) - 1 if (now - created).days > 60 else rnd.randrange(len(flow))
    stage = flow[reach]
    manager = rnd.choice(rows.managers)
    executor = crew = sub = None
    if installer:
        crew = rnd.choice([people["crew_1"], people["crew_2"]])
    elif "перезаказ" in description:
        sub = people["sub"]
    else:
        executor = rnd.choice(rows.printers)
    paid = 0
    if reach >= 1 or rnd.random() < 0.5:
        paid = cost // 2 // 100 * 100 if installer or rnd.random() < 0.5 else cost
    if stage.is_archive:
        paid = cost if rnd.random() < 0.93 else paid
    at = _history(rnd, rows, oid, flow[: reach + 1], manager, executor, created, now)
    if paid:
        _payments(rnd, start, rows, (oid, number), installer, (paid, cost), manager, (created, at))
    due = (created + timedelta(days=rnd.randint(2, 30))).date()
    closed = at if stage.is_archive else None
    rows.orders.append((
        oid, number, start.pipelines[code].id, stage.id, cid, description, cost, paid, cost - paid,
        manager.id, executor.id if executor else None, crew.id if crew else None, sub.id if sub else None,
        due, rnd.choice(start.addresses) if installer else "", OBJECT_TYPES[oid % len(OBJECT_TYPES)] if installer else "",
        installer and reach >= 2, rnd.choice(["phone", "counter", "site", "email"]),
        stage.is_archive, created, at, closed,
        # mounting is planned once an order is taken: a week to four after it came in
        (created + timedelta(days=7 + oid % 21)).date() if installer and reach >= 1 else None,
    ))  # fmt: skip
    rows.counts[stage.id] += 1
    f = rows.figures[cid]
    f[0], f[1], f[2], f[3] = f[0] + 1, f[1] + cost, f[2] + paid, f[3] + cost - paid
    f[4] = created if f[4] is None or created > f[4] else f[4]
    if rnd.random() < 0.05:
        for direction, text in rnd.sample(CLIENT_QUESTIONS, 2):
            channel = "email" if direction == "in" else "telegram"
            rows.messages.append((oid, cid, direction, channel, text, created + timedelta(hours=1),
                                  direction == "out"))  # fmt: skip


def _history(
    rnd: random.Random, rows: _Rows, oid: int, flow: list, manager: Any, executor: Any,
    created: datetime, now: datetime,
) -> datetime:  # fmt: skip
    """The order's stage moves up to the stage it reached; returns the last move's time."""
    at = created
    rows.moves.append((oid, None, flow[0].id, manager.id, at, "Заказ принят", False))
    for step in range(1, len(flow)):
        at = min(at + timedelta(hours=rnd.randint(2, 96)), now)
        who = manager if flow[step].responsible_role == "manager" or not executor else executor
        rows.moves.append((oid, flow[step - 1].id, flow[step].id, who.id, at, "", False))
    return at


def _payments(
    rnd: random.Random, start: Start, rows: _Rows, ids: tuple[int, int], installer: bool,
    sums: tuple[int, int], manager: Any, times: tuple[datetime, datetime],
) -> None:  # fmt: skip
    """An advance, or an advance and the rest; cash goes to the manager's desk."""
    (oid, number), (paid, cost), (created, at) = ids, sums, times
    if paid < cost:
        payments = [(paid, "advance", "cash", created)]
    else:
        half = cost // 2 // 100 * 100 if installer else 0
        payments = [(half, "advance", "cash", created)] if half else []
        payments.append((cost - half, "final", rnd.choice(["card", "transfer", "cash"]), at))
    for amount, kind, method, when in payments:
        pid = start.first_payment_id + len(rows.payments)
        rows.payments.append((pid, oid, amount, kind, method, manager.id, when, ""))
        if method == "cash":  # the manager's desk holds it until the evening hand-over
            rows.collections.append(("collection", amount, rows.desks[manager.id], oid, pid,
                                     f"Оплата по заказу №{number}", manager.id, when))  # fmt: skip
            if when < start.now - timedelta(days=1):
                key = (manager.id, when.date())
                rows.handed[key] = rows.handed.get(key, 0) + amount
