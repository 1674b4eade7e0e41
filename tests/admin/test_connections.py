"""Every web request hands its database connection back. The threaded server runs each
request in a new thread; a connection left open there kept a file handle and a 32 MB page
cache for the life of the process (30-90 of them after a few hundred requests)."""

from __future__ import annotations

import os
import re
import threading

import requests
from werkzeug.serving import make_server

from core.base import db as dbmod
from tests.admin.conftest import LOGINS, PASSWORDS


def _connections() -> int:
    """Open handles on the SQLite file, or server connections to this PostgreSQL database."""
    if dbmod.is_postgres():
        with dbmod.database.connection_context():
            return dbmod.database.execute_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            ).fetchone()[0]
    path = os.path.realpath(dbmod.database.database)
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith(path)
        except OSError:
            pass
    return count


def test_two_hundred_requests_leave_no_connection_behind(app, world):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        s = requests.Session()
        page = s.get(f"{base}/login").text
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        s.post(f"{base}/login", data={"login": LOGINS["manager"], "password": PASSWORDS["manager"],
                                      "csrf_token": token})  # fmt: skip
        for url in ("/admin/order/", f"/admin/order/card/?id={world['own'].id}"):
            assert s.get(base + url).status_code == 200
        before = _connections()
        urls = ["/admin/order/", f"/admin/order/card/?id={world['own'].id}", "/admin/client/",
                "/admin/order/?search=ива"]  # fmt: skip
        for i in range(200):
            assert s.get(base + urls[i % len(urls)]).status_code == 200
        assert _connections() <= before + 1
    finally:
        server.shutdown()


def test_requests_take_a_pooled_connection_instead_of_opening_one(app, world, monkeypatch):
    """Opening a connection (the file, the pragmas, a cold page cache on SQLite; a login on
    PostgreSQL) is paid once, not per request: a request hands its connection to the pool."""
    import peewee as pw

    opener = pw.PostgresqlDatabase if dbmod.is_postgres() else pw.SqliteDatabase
    opened = []
    real = opener._connect
    monkeypatch.setattr(opener, "_connect", lambda self: opened.append(1) or real(self))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        s = requests.Session()
        page = s.get(f"{base}/login").text
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        s.post(f"{base}/login", data={"login": LOGINS["manager"], "password": PASSWORDS["manager"],
                                      "csrf_token": token})  # fmt: skip
        for i in range(100):
            url = ["/admin/order/", "/admin/client/", f"/admin/order/card/?id={world['own'].id}"]
            assert s.get(base + url[i % 3]).status_code == 200
    finally:
        server.shutdown()
    assert len(opened) <= 3  # one request at a time: the same connection or two
