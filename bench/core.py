"""Foundation figures: demo generation, client prefix search, client list page, stage move.

At 20 000 clients with 100 000 and 1 000 000 orders, on SQLite and PostgreSQL, each beside the
raw SQL a naive implementation would run (full-scan LIKE, GROUP BY over orders, the same writes
of a move without the ORM)."""

from __future__ import annotations

import random
import time

from bench.common import backends, fresh_database, row, sizes, timings
from cli.demo import generate
from core.access import SYSTEM, actor_for_employee
from core.base.clock import utcnow
from core.base.db import database
from core.clients import clients
from core.clients.models import Client
from core.orders import orders
from core.orders.models import Order, Pipeline, Stage
from core.people.models import Employee


def _search(rnd: random.Random) -> None:
    names = [c.name for c in Client.select(Client.name).order_by(Client.id).limit(2000)]
    prefixes = [w[:3].lower() for n in names for w in n.split() if len(w) >= 3][:400]
    rnd.shuffle(prefixes)
    ours = timings(lambda i: clients.find_clients(SYSTEM, prefixes[i % len(prefixes)]), 300)
    sql = (
        "SELECT id, name FROM client WHERE lower(name) LIKE ? ORDER BY last_order_at DESC LIMIT 10"
    )
    sql = sql.replace("?", database.obj.param)
    base = timings(
        lambda i: database.execute_sql(sql, (f"%{prefixes[i % len(prefixes)]}%",)).fetchall(), 300
    )
    row("client prefix search (10 rows)", ours, base, "p95 < 5 ms")


def _client_list() -> None:
    pages = []
    last = None
    for _ in range(5):  # the first pages, by keyset
        page = clients.client_list(SYSTEM, limit=50, before=last)
        pages.append(last)
        last = (page[-1].last_order_at, page[-1].id)

    def ours(i: int) -> list[tuple]:
        page = clients.client_list(SYSTEM, limit=50, before=pages[i % len(pages)])
        return [(c.name, c.orders_count, c.orders_total, c.debt) for c in page]

    naive = (
        "SELECT c.id, c.name, COUNT(o.id), SUM(o.cost), SUM(o.debt), MAX(o.created_at) AS last "
        'FROM client c LEFT JOIN "order" o ON o.client_id = c.id GROUP BY c.id, c.name '
        "ORDER BY last DESC LIMIT 50"
    )
    mine = timings(ours, 100)
    base = timings(lambda i: database.execute_sql(naive).fetchall(), 5, warmup=1)
    row("client list page (50, by last order)", mine, base, "< 50 ms; baseline = naive GROUP BY")


def _moves(rnd: random.Random) -> None:
    manager = Employee.get(Employee.login == "maria")
    actor = actor_for_employee(manager)
    # Which move each order gets is decided before timing: only the use case is measured.
    plan = [
        (
            o.id,
            None
            if o.stage.position < 4
            else ("archive" if o.pipeline.code == "printing" else "completed"),
        )
        for o in Order.select(Order.id, Order.stage, Order.pipeline, Stage.position, Pipeline.code)
        .join(Stage)
        .switch(Order)
        .join(Pipeline)
        .where(~Order.is_archived)
        .limit(4000)
    ]
    rnd.shuffle(plan)
    ids = iter(plan)

    def ours(i: int) -> None:
        oid, last = next(ids)
        if last:
            orders.move_order(actor, oid, last)
        else:
            orders.move_to_next(actor, oid, "bench")

    mine = timings(ours, 300)
    p = database.obj.param
    stage_ids = [s.id for s in Stage.select()]

    def raw(i: int) -> None:
        oid = next(ids)[0]
        now = utcnow()
        with database.atomic():
            database.execute_sql(
                f'UPDATE "order" SET stage_id = {p}, updated_at = {p}, version = version + 1 WHERE id = {p}',
                (stage_ids[1], now, oid),
            )
            database.execute_sql(
                f"INSERT INTO stage_move (order_id, from_stage_id, to_stage_id, employee_id, at, comment, out_of_order) "
                f"VALUES ({p}, {p}, {p}, {p}, {p}, '', {p})",
                (oid, stage_ids[0], stage_ids[1], manager.id, now, False),
            )
            database.execute_sql(
                f"UPDATE stage SET order_count = order_count - 1 WHERE id = {p}", (stage_ids[0],)
            )
            database.execute_sql(
                f"UPDATE stage SET order_count = order_count + 1 WHERE id = {p}", (stage_ids[1],)
            )
            database.execute_sql(
                "INSERT INTO notification (audience, client_id, order_id, subject, text, buttons, attachments, status, "
                "attempts, next_attempt_at, last_error, failed_channels, idempotency_key, created_at) "
                f"VALUES ('client', 1, {p}, '', 'text', '[]', '[]', 'pending', 0, {p}, '', '[]', {p}, {p})",
                (oid, now, f"bench:{oid}:{i}", now),
            )

    base = timings(raw, 300)
    row(
        "stage move + history + outbox row",
        mine,
        base,
        "p95 < 5 ms; baseline = same writes in raw SQL",
    )


def main() -> None:
    rnd = random.Random(1)
    for kind in backends():
        for size in sizes():
            with fresh_database(kind):
                started = time.perf_counter()
                generate(20_000, size)
                took = time.perf_counter() - started
                target = "< 60 s" if size <= 100_000 else "< 10 min"
                print(
                    f"{kind}, 20 000 clients, {size:_} orders: demo generated in {took:.1f} s ({target})".replace(
                        "_", " "
                    )
                )
                _search(rnd)
                _client_list()
                _moves(rnd)


if __name__ == "__main__":
    main()
