"""Admin list pages at 20 000 clients and 100 000 / 1 000 000 orders: server time of a
whole request (routing, queries, template) through the Flask test client, beside a plain
Flask-Admin peewee ModelView over the same orders measured in the same run.

Target: every list page, filtered or not, on any page number, ≤ 25 ms p50 on SQLite and
≤ 30 ms on PostgreSQL; a 50-row order list page ≤ 100 KB of HTML."""

from __future__ import annotations

import functools
import random
import time
from datetime import timedelta

from flask_admin import Admin
from flask_admin.contrib.peewee import ModelView
from flask_admin.contrib.peewee.filters import FilterEqual
from flask_admin.theme import Bootstrap4Theme
from peewee import fn

from bench.common import admin_app, backends, filled_database, load, logged_in, row, sizes, timings
from cli.demo import generate
from cli.demo.bulk import _bulk
from core.base.db import database, is_postgres
from core.clients import search
from core.clients.models import Client
from core.conversations.models import Dialogue
from core.documents.models import Document
from core.orders.models import Order, Stage
from core.people.models import Employee
from core.tasks.models import Task

CLIENTS = 20_000
RUNS = 30


class PlainOrders(ModelView):
    """What Flask-Admin gives out of the box: COUNT(*) per page, OFFSET paging, lazy FKs."""

    column_filters = (FilterEqual(Order.stage, "stage"),)
    page_size = 50


def _app():
    app = admin_app()
    plain = Admin(app, name="plain", url="/plain", endpoint="plainadmin", theme=Bootstrap4Theme())
    plain.add_view(PlainOrders(Order, endpoint="plain_order", url="order"))
    return app


def _measure(client, url: str) -> list[float]:
    def hit(_i: int) -> None:
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)

    return timings(hit, RUNS)


def _filter(app, column) -> str | None:
    """The order list's URL argument of the filter on column (found, not hard-coded: the
    list's filters change), or None when the list has no such filter."""
    view = next(
        v for v in app.extensions["admin"][0]._views if getattr(v, "endpoint", "") == "order"
    )
    for idx, flt in enumerate(view._filters):
        if getattr(flt, "column", None) is column:
            return f"flt0_{idx}"
    return None


def _pages(app, size: int) -> dict[str, tuple[str | None, str | None]]:
    """label -> (our url, the plain view's equivalent or None); our url None: no such page."""
    open_stages = list(
        Stage.select()
        .where(~Stage.is_archive & (Stage.order_count > 0))
        .order_by(Stage.order_count.desc())
    )
    archive = Stage.select().where(Stage.is_archive).order_by(Stage.order_count.desc()).first()
    manager = Employee.get(Employee.login == "oleg")
    executor = Employee.select().where(Employee.role == "executor").first()
    crew = (
        Order.select(Order.crew).where(Order.crew.is_null(False)).order_by(Order.id.desc()).scalar()
    )
    recent = list(
        Client.select()
        .where(Client.last_order_at.is_null(False) & (Client.kind == "person"))
        .order_by(Client.id.desc())
        .limit(200)
    )
    # A person's full name (surname, name, patronymic) as a manager would type it.
    words = next(w for c in recent if len(w := search.words(c.name)) >= 3 and min(map(len, w)) >= 3)
    one, two, three = (
        words[0][:3],
        f"{words[0][:3]}+{words[1][:2]}",
        "+".join(w[:2] for w in words[:3]),
    )
    phone = next(c.phone for c in recent if c.phone)
    number = Order.select(Order.number).order_by(Order.id).limit(1).offset(size // 2).scalar()
    deep = size // 50 - 1
    middle = Order.select(Order.created_at).order_by(Order.id).limit(1).offset(size // 2).scalar()
    window = f"{(middle - timedelta(days=15)):%Y-%m-%d}+to+{(middle + timedelta(days=15)):%Y-%m-%d}"
    f_stage, f_manager, f_executor = (
        _filter(app, Order.stage),
        _filter(app, Order.manager),
        _filter(app, Order.executor),
    )
    f_crew, f_debt, f_date = (
        _filter(app, Order.crew),
        _filter(app, Order.debt),
        _filter(app, Order.created_at),
    )
    card = Order.select(Order.id).order_by(Order.id.desc()).scalar()
    pages = {
        "orders: default tab (open orders)": ("/admin/order/", "/plain/order/"),
        "orders: all orders": ("/admin/order/?tab=all", "/plain/order/"),
        "orders: archive tab": ("/admin/order/?tab=archive", f"/plain/order/?flt0_0={archive.id}"),
        "orders: archive stage filter": (
            f"/admin/order/?tab=all&{f_stage}={archive.id}",
            f"/plain/order/?flt0_0={archive.id}",
        ),
        "orders: Перезаказ tab": ("/admin/order/?tab=sub", None),
        "orders: last page": (f"/admin/order/?tab=all&page={deep}", f"/plain/order/?page={deep}"),
        "orders: filter manager": (f"/admin/order/?tab=all&{f_manager}={manager.id}", None),
        "orders: filter executor": (f"/admin/order/?tab=all&{f_executor}={executor.id}", None),
        "orders: filter crew": (f"/admin/order/?tab=all&{f_crew}={crew}" if f_crew else None, None),
        "orders: filter debt > 0": (f"/admin/order/?tab=all&{f_debt}=1", None),
        "orders: filter date range (a month)": (f"/admin/order/?tab=all&{f_date}={window}", None),
        "orders: search by number": (f"/admin/order/?tab=all&search={number}", None),
        "orders: search by phone": (f"/admin/order/?tab=all&search={phone}", None),
        f"orders: search client '{one}'": (f"/admin/order/?tab=all&search={one}", None),
        f"orders: search client '{two.replace('+', ' ')}'": (
            f"/admin/order/?tab=all&search={two}",
            None,
        ),
        f"orders: search client '{three.replace('+', ' ')}'": (
            f"/admin/order/?tab=all&search={three}",
            None,
        ),
        f"orders: open tab, search '{one}'": (f"/admin/order/?search={one}", None),
        "orders: sort by due date": ("/admin/order/?tab=all&sort=10&desc=1", None),
        "orders: sort by debt": ("/admin/order/?tab=all&sort=7&desc=1", None),
        "clients: by last order": ("/admin/client/", None),
        "clients: page 20": ("/admin/client/?page=19", None),
        f"clients: search '{one}'": (f"/admin/client/?search={one}", None),
        f"clients: search '{two.replace('+', ' ')}'": (f"/admin/client/?search={two}", None),
        "clients: search by phone": (f"/admin/client/?search={phone}", None),
        "documents register": ("/admin/documents/", None),
        f"documents register, client '{one}'": (f"/admin/documents/?client={one}", None),
        "expenses": ("/admin/expenses/", None),
        "cash (main desk)": ("/admin/cash/", None),
        "tasks (open)": ("/admin/task/", None),
        "tasks (done too)": ("/admin/task/?done=1", None),
        "inbox": ("/admin/inbox/", None),
        "inbox: all statuses": ("/admin/inbox/?status=all", None),
        "new order (the counter)": ("/admin/order/new/", None),
        "order card": (f"/admin/order/card/?id={card}", None),
        "dashboard": ("/admin/", None),
    }
    for stage in open_stages:
        pages[f"orders: stage tab {stage.name} ({stage.order_count})"] = (
            f"/admin/order/?tab={stage.id}",
            f"/plain/order/?flt0_0={stage.id}",
        )
    return pages  # fmt: skip


def _fill(size: int) -> None:
    generate(CLIENTS, size)
    _paperwork(size)
    if is_postgres():
        # What autovacuum does soon after a bulk load; without statistics the
        # planner guesses 47 rows per manager and sorts 50 000 instead.
        database.execute_sql("ANALYZE")


def _paperwork(size: int) -> None:
    """What the demo leaves out but the lists show: an order form per order, a reminder
    task and a conversation with the client per four orders (most tasks done, half the
    conversations closed, one open conversation in fifty unread)."""
    rnd = random.Random(11)
    orders = Order.select(Order.id, Order.client, Order.cost, Order.created_at, Order.executor)
    numbers: dict[int, int] = {}
    recent = Order.select(fn.MAX(Order.created_at)).scalar() - timedelta(days=14)
    docs, tasks, talks = [], [], []
    for n, (oid, cid, cost, at, executor) in enumerate(orders.tuples().iterator()):
        numbers[at.year] = numbers.get(at.year, 0) + 1
        docs.append(("order_form", numbers[at.year], at.year, at.date(), oid, cid, cost, "{}", at))
        if n % 4 == 0:
            # Reminders of the last two weeks partly open, older ones done.
            done = None if n % 3 == 0 and at > recent else at + timedelta(days=2)
            tasks.append(("reminder", f"Позвонить клиенту по заказу {oid}", oid, cid, executor,
                          at + timedelta(days=1), done, at))  # fmt: skip
            status = "open" if n % 8 else "closed"
            unread = 1 if status == "open" and n % 100 == 4 else 0
            talks.append(("outside", rnd.choice(["email", "telegram", "web"]), f"c{cid}", cid, oid,
                          status, unread, at, f"Вопрос по заказу {oid}", at))  # fmt: skip
    with database.atomic():
        _bulk(
            Document,
            [
                Document.kind,
                Document.number,
                Document.year,
                Document.date,
                Document.order,
                Document.client,
                Document.total,
                Document.data,
                Document.created_at,
            ],
            docs,
            lambda n: None,
        )
        _bulk(
            Task,
            [
                Task.kind,
                Task.title,
                Task.order,
                Task.client,
                Task.assignee,
                Task.due_at,
                Task.done_at,
                Task.created_at,
            ],
            tasks,
            lambda n: None,
        )
        _bulk(Dialogue, [Dialogue.kind, Dialogue.channel, Dialogue.contact, Dialogue.client, Dialogue.order,
                         Dialogue.status, Dialogue.unread, Dialogue.last_at, Dialogue.last_text,
                         Dialogue.created_at], talks, lambda n: None)  # fmt: skip
    database.execute_sql("ANALYZE")


def main() -> None:
    for kind in backends():
        for size in sizes():
            started = time.perf_counter()
            with filled_database(kind, f"admin_lists_{size}", functools.partial(_fill, size)):
                print(
                    f"\n[{kind}] {CLIENTS} clients, {size} orders ready in {time.perf_counter() - started:.0f} s; {load()}"
                )
                if not Document.select().exists():  # a database kept from before these rows
                    _paperwork(size)
                app = _app()
                ours, plain = logged_in(app), app.test_client()
                target = "≤ 30 ms" if is_postgres() else "≤ 25 ms"
                for label, (url, base_url) in _pages(app, size).items():
                    if url is None:
                        print(f"  {label:<44} — no such page yet")
                        continue
                    mine = _measure(ours, url)
                    base = _measure(plain, base_url) if base_url else None
                    row(label, mine, base, target)
                html = len(ours.get("/admin/order/?tab=all").get_data())
                bare = len(plain.get("/plain/order/").get_data())
                print(f"  {load()}")
                print(f"  order list page, 50 rows: {html / 1024:.0f} KB of HTML"
                      f" (plain Flask-Admin {bare / 1024:.0f} KB; target ≤ 100 KB)")  # fmt: skip


if __name__ == "__main__":
    main()
