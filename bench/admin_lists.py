"""Admin list pages at 20 000 clients and 100 000 / 1 000 000 orders: server time of a
whole request (routing, queries, template) through the Flask test client, beside a plain
Flask-Admin peewee ModelView over the same orders measured in the same run.

Target: every list page, filtered or not, on any page number, ≤ 25 ms p50 on SQLite and
≤ 30 ms on PostgreSQL; a 50-row order list page ≤ 100 KB of HTML."""

from __future__ import annotations

import dataclasses
import re
import time
from datetime import timedelta

from flask_admin import Admin
from flask_admin.contrib.peewee import ModelView
from flask_admin.contrib.peewee.filters import FilterEqual
from flask_admin.theme import Bootstrap4Theme

from bench.common import backends, fresh_database, row, sizes, timings
from cli.demo import generate
from core.config import Config
from core.db import database, is_postgres
from core.models import Client, Employee, Order, Stage

CLIENTS = 20_000
RUNS = 30


class PlainOrders(ModelView):
    """What Flask-Admin gives out of the box: COUNT(*) per page, OFFSET paging, lazy FKs."""

    column_filters = (FilterEqual(Order.stage, "stage"),)
    page_size = 50


def _app():
    from admin.app import create_app

    config = Config()
    config = dataclasses.replace(config, app=dataclasses.replace(config.app, secret_key="bench"))
    app = create_app(config)
    plain = Admin(app, name="plain", url="/plain", endpoint="plainadmin", theme=Bootstrap4Theme())
    plain.add_view(PlainOrders(Order, endpoint="plain_order", url="order"))
    return app


def _login(app):
    client = app.test_client()
    token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)
    ).group(1)
    resp = client.post(
        "/login", data={"login": "maria", "password": "demo-password", "csrf_token": token}
    )
    assert resp.status_code == 302, "bench login failed"
    return client


def _measure(client, url: str) -> list[float]:
    def hit(_i: int) -> None:
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)

    return timings(hit, RUNS)


def _pages(size: int) -> dict[str, tuple[str, str | None]]:
    """label -> (our url, the plain view's equivalent or None)."""
    busy = Stage.select().where(~Stage.is_archive).order_by(Stage.order_count.desc()).first()
    archive = Stage.select().where(Stage.is_archive).order_by(Stage.order_count.desc()).first()
    manager = Employee.get(Employee.login == "oleg")
    executor = Employee.select().where(Employee.role == "executor").first()
    name = Client.select().order_by(Client.id.desc()).first().name.split()[0][:4]
    number = Order.select(Order.number).order_by(Order.id).limit(1).offset(size // 2).scalar()
    deep = size // 50 - 1
    middle = Order.select(Order.created_at).order_by(Order.id).limit(1).offset(size // 2).scalar()
    window = f"{(middle - timedelta(days=15)):%Y-%m-%d}+to+{(middle + timedelta(days=15)):%Y-%m-%d}"
    return {
        "orders: default tab (open orders)": ("/admin/order/", "/plain/order/"),
        "orders: all orders": ("/admin/order/?tab=all", None),
        "orders: stage tab (busiest open stage)": (f"/admin/order/?tab={busy.id}", f"/plain/order/?flt0_0={busy.id}"),
        "orders: archive stage filter": (f"/admin/order/?tab=all&flt0_0={archive.id}", f"/plain/order/?flt0_0={archive.id}"),
        "orders: last page": (f"/admin/order/?tab=all&page={deep}", f"/plain/order/?page={deep}"),
        "orders: filter manager": (f"/admin/order/?tab=all&flt0_1={manager.id}", None),
        "orders: filter executor": (f"/admin/order/?tab=all&flt0_2={executor.id}", None),
        "orders: filter debt > 0": ("/admin/order/?tab=all&flt0_5=1", None),
        "orders: filter date range (a month)": (f"/admin/order/?tab=all&flt0_4={window}", None),
        "orders: subcontracted tab": ("/admin/order/?tab=sub", None),
        "orders: search client letters": (f"/admin/order/?tab=all&search={name}", None),
        "orders: search by number": (f"/admin/order/?tab=all&search={number}", None),
        "orders: sort by due date": ("/admin/order/?tab=all&sort=10&desc=1", None),
        "orders: sort by debt": ("/admin/order/?tab=all&sort=7&desc=1", None),
        "clients: by last order": ("/admin/client/", None),
        "clients: page 20": ("/admin/client/?page=19", None),
        "clients: search letters": (f"/admin/client/?search={name}", None),
        "new order (the counter)": ("/admin/order/new/", None),
        "order card": (f"/admin/order/card/?id={Order.select(Order.id).order_by(Order.id.desc()).scalar()}", None),
        "dashboard": ("/admin/", None),
    }  # fmt: skip


def main() -> None:
    for kind in backends():
        for size in sizes():
            with fresh_database(kind):
                started = time.perf_counter()
                generate(CLIENTS, size)
                if is_postgres():
                    # What autovacuum does soon after a bulk load; without statistics the
                    # planner guesses 47 rows per manager and sorts 50 000 instead.
                    database.execute_sql("ANALYZE")
                print(
                    f"\n[{kind}] {CLIENTS} clients, {size} orders generated in {time.perf_counter() - started:.0f} s"
                )
                app = _app()
                ours, plain = _login(app), app.test_client()
                target = "≤ 30 ms" if is_postgres() else "≤ 25 ms"
                for label, (url, base_url) in _pages(size).items():
                    mine = _measure(ours, url)
                    base = _measure(plain, base_url) if base_url else None
                    row(label, mine, base, target)
                html = len(ours.get("/admin/order/?tab=all").get_data())
                bare = len(plain.get("/plain/order/").get_data())
                print(f"  order list page, 50 rows: {html / 1024:.0f} KB of HTML"
                      f" (plain Flask-Admin {bare / 1024:.0f} KB; target ≤ 100 KB)")  # fmt: skip


if __name__ == "__main__":
    main()
