"""Admin test harness: the app over the test database, logged-in clients per role, and
a few orders of both managers."""

from __future__ import annotations

import re

import pytest

from core.access import actor_for_employee
from core.base.config import Config
from core.base.money import rubles
from core.base.security import hash_password
from core.clients.clients import create_client
from core.orders.orders import create_order
from core.people.models import Employee
from storage.local import LocalStore

PASSWORDS = {"director": "director-pass-1", "manager": "manager-pass-1", "manager2": "manager-pass-2",
             "executor": "executor-pass-1", "executor2": "executor-pass-2"}  # fmt: skip
LOGINS = {
    "director": "director",
    "manager": "maria",
    "manager2": "oleg",
    "executor": "ivan",
    "executor2": "petr",
}


@pytest.fixture
def store(tmp_path):
    """The real local store, as `brigadir run` gives the admin."""
    return LocalStore(tmp_path / "files")


@pytest.fixture
def app(db, staff, store, tmp_path):
    from admin.app import create_app

    for key in ("executor", "executor2"):
        Employee.update(login=LOGINS[key], password_hash=hash_password(PASSWORDS[key])).where(
            Employee.id == staff[key].id
        ).execute()
    config = Config()
    import dataclasses

    config = dataclasses.replace(
        config,
        app=dataclasses.replace(config.app, data_dir=str(tmp_path), secret_key="test-secret"),
    )
    app = create_app(config, file_store=store, testing=True)
    # The dashboard keeps period figures for a minute per person; ids repeat from test to
    # test, so a figure from the previous test's database must not be shown.
    from admin.views import dashboard

    dashboard._stats_cache.clear()
    return app


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Session:
    """A logged-in test client that knows its CSRF token."""

    def __init__(self, client, token: str):
        self.client = client
        self.token = token

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def post(self, url, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kw)


def login(app, who: str) -> Session:
    client = app.test_client()
    page = client.get("/login")
    token = csrf_of(page.get_data(as_text=True))
    resp = client.post(
        "/login", data={"login": LOGINS[who], "password": PASSWORDS[who], "csrf_token": token}
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    page = client.get("/admin/order/")
    assert page.status_code == 200
    return Session(client, csrf_of(page.get_data(as_text=True)))


@pytest.fixture
def as_role(app):
    cache: dict[str, Session] = {}

    def get(who: str) -> Session:
        if who not in cache:
            cache[who] = login(app, who)
        return cache[who]

    return get


@pytest.fixture
def world(staff, actors):
    """Two clients; an order of each manager; one for the executor's crew, one subcontracted."""
    c1 = create_client(actors["manager"], "Иванов Иван Петрович", "+7 912 345-67-89")
    c2 = create_client(actors["manager2"], "ООО Ромашка", "+7 495 123-45-67", kind="company")
    own = create_order(actors["manager"], c1.id, "Визитки 1000 шт", rubles(3000))
    foreign = create_order(
        actors["manager2"], c2.id, "Баннер 3×6", rubles(12500), crew_id=staff["crew"].id
    )
    mine = create_order(
        actors["manager"], c1.id, "Монтаж щитка", rubles(8000), executor_id=staff["executor"].id
    )
    sub = create_order(
        actors["manager"], c2.id, "Кружки 50 шт", rubles(9000), subcontractor_id=staff["sub"].id
    )
    return {"c1": c1, "c2": c2, "own": own, "foreign": foreign, "mine": mine, "sub": sub,
            "director_actor": actor_for_employee(staff["director"])}  # fmt: skip
