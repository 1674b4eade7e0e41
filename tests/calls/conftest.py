"""Calls: a web app with the PBX webhooks over the test database, the fake PBXs, and the
firm's telephony settings (extensions: Мария 101, Олег 102, Иван 103)."""

from __future__ import annotations

import dataclasses

import pytest

from cli.serve import build_web_app
from core.base import settings
from core.base.config import AppSection, Config
from tests.admin.conftest import app, as_role, store  # noqa: F401 - the admin's fixtures
from tests.fakes.memory_store import MemoryStore
from tests.fakes.pbx import FakeMango, FakeNovofon


@pytest.fixture
def novofon():
    with FakeNovofon() as fake:
        yield fake


@pytest.fixture
def mango():
    with FakeMango() as fake:
        yield fake


def telephony(staff, **changes) -> dict:
    """The firm's PBX settings as the director would leave them (extensions: Мария 101,
    Олег 102, Иван 103); the provider and keys go where the registry keeps them."""
    from core.calls.options import REGISTERED
    from core.calls.options import telephony as current

    people = {"extensions": {"101": staff["manager"].id, "102": staff["manager2"].id,
                             "103": staff["executor"].id}, "on_duty": None}  # fmt: skip
    for name, value in changes.items():
        if name in REGISTERED:
            settings.put(f"calls.{name}", value)
        else:
            people[name] = value
    settings.put("telephony", people)
    return current()


@pytest.fixture
def on_novofon(db, staff, novofon):
    return telephony(staff, provider="novofon", novofon_key=novofon.key,
                     novofon_secret=novofon.secret, novofon_url=novofon.url)  # fmt: skip


@pytest.fixture
def on_mango(db, staff, mango):
    return telephony(staff, provider="mango", mango_key=mango.key, mango_salt=mango.salt,
                     mango_url=mango.api_url)  # fmt: skip


@pytest.fixture
def site(db, staff, tmp_path):
    config = Config(app=AppSection(secret_key="k" * 32, data_dir=str(tmp_path)))
    files = MemoryStore()
    web = build_web_app(dataclasses.replace(config), files)
    web.config["TESTING"] = True
    return web.test_client(), files
