"""Who hears which calls, on every surface: the same rules as messages. The director and
managers hear every call; an executor only the calls of his own orders (a card, the log,
the order card, the recording, a call back); a hidden client phone and a hidden debt stay
hidden wherever a call shows them. A matrix: surfaces × roles."""

from __future__ import annotations

import pytest

from bots.phone.webhook import NOVOFON
from core.base import settings
from core.base.money import rubles
from core.calls import recordings
from core.calls.models import Call
from core.clients.clients import create_client
from core.orders.orders import create_order
from tests.admin.conftest import login
from tests.calls.test_calls_admin import pbx_app  # noqa: F401 - the admin with the webhook

ROLES = ("director", "manager", "manager2", "executor", "executor2")


@pytest.fixture
def calls_world(pbx_app, novofon, actors, staff, store):  # noqa: F811
    """Иванов's order is the executor's; Петров's belongs to nobody on the crew. Each of
    them called (answered, recorded); a new number rings now."""
    ivanov = create_client(actors["manager"], "Иванов Иван", "+7 912 345-67-89")
    mine = create_order(
        actors["manager"], ivanov.id, "Монтаж щитка", rubles(8000), executor_id=staff["executor"].id
    )
    petrov = create_client(actors["manager2"], "Петров Пётр", "+7 903 111-22-33")
    other = create_order(actors["manager2"], petrov.id, "Баннер", rubles(5000))
    hook = pbx_app.test_client()
    for key, number in (("iv", "79123456789"), ("pe", "79031112233")):
        novofon.recordings[f"rec-{key}"] = b"ID3" + key.encode() * 100
        for form, headers in novofon.incoming(key, number, "2026-12-07 10:00:00", answered_by="101",
                                              duration=61, record=f"rec-{key}"):  # fmt: skip
            assert hook.post(NOVOFON, data=form, headers=headers).status_code == 200
    for key, number in (
        ("iv-now", "79123456789"),
        ("pe-now", "79031112233"),
        ("new", "79995554433"),
    ):
        for form, headers in novofon.incoming(key, number, "2026-12-07 11:00:00")[:2]:
            hook.post(NOVOFON, data=form, headers=headers)
    from bots.phone import pbx

    for call in Call.select().where(Call.recording_due.is_null(False)):
        recordings.fetch_due(pbx(), store, now=call.recording_due)
    settings.put("hidden_fields", {"executor": ["cost", "paid", "debt", "client_phone"]})
    calls = {c.key: c for c in Call.select()}
    return {"mine": mine, "other": other, "calls": calls}


# What each role hears: Иванов (the executor's order), Петров (another order), the new number.
HEARS = {
    "director": {"Иванов", "Петров", "new"},
    "manager": {"Иванов", "Петров", "new"},
    "manager2": {"Иванов", "Петров", "new"},
    "executor": {"Иванов"},
    "executor2": set(),
}


def _names(text: str) -> set[str]:
    return {n for n in ("Иванов", "Петров") if n in text}


@pytest.mark.parametrize("role", ROLES)
def test_every_surface_shows_a_role_only_the_calls_it_may_hear(pbx_app, calls_world, novofon, role):  # noqa: F811
    person = login(pbx_app, role)
    hears = HEARS[role]
    calls, mine, other = calls_world["calls"], calls_world["mine"], calls_world["other"]
    # the caller's card (live)
    live = person.get("/admin/calls/live").get_json()["calls"]
    assert {c["client_name"].split()[0] if c["client_name"] else "new" for c in live} == hears
    # the log
    log = person.get("/admin/calls/").get_data(as_text=True)
    assert _names(log) == hears - {"new"}
    # the order cards: the calls block with its player (a hidden order is a 404 as before)
    for order, name in ((mine, "Иванов"), (other, "Петров")):
        card = person.get(f"/admin/order/card/?id={order.id}")
        if name in hears:
            assert card.status_code == 200 and 'id="calls"' in card.get_data(as_text=True)
        else:
            assert card.status_code == 404
    # the recordings
    for key, name in (("iv", "Иванов"), ("pe", "Петров")):
        resp = person.get(f"/files/a/{calls[key].recording_id}")
        assert resp.status_code == (200 if name in hears else 404)
    # a call back by a call's id: a call one may not hear is a 404, nothing is asked of the PBX
    before = len(novofon.callbacks)
    for key, name in (("iv", "Иванов"), ("pe", "Петров")):
        resp = person.post("/admin/calls/call-back/", {"call": calls[key].id})
        assert resp.status_code == (302 if name in hears else 404)
    assert len(novofon.callbacks) - before == {"manager": 2, "manager2": 2, "executor": 1}.get(
        role, 0
    )
    # «Сделать лидом» and the statistics are the office's
    lead = person.post("/admin/calls/lead/", {"call": calls["new"].id})
    assert lead.status_code == (302 if role in ("director", "manager", "manager2") else 403)
    stats = person.get("/admin/calls/?tab=stats").get_data(as_text=True)
    assert ("Перезвонил в течение" in stats) == (role in ("director", "manager", "manager2"))


def test_hidden_phone_and_debt_stay_hidden_wherever_a_call_shows_them(pbx_app, calls_world):  # noqa: F811
    executor = login(pbx_app, "executor")
    [card] = executor.get("/admin/calls/live").get_json()["calls"]
    assert card["phone"] == "" and card["orders"][0]["debt"] == ""
    assert "counter" in card["links"] and "phone=" not in card["links"]["counter"]
    for url in (
        "/admin/calls/",
        "/admin/calls/?tab=list",
        f"/admin/order/card/?id={calls_world['mine'].id}",
    ):
        page = executor.get(url).get_data(as_text=True)
        assert "912 345-67-89" not in page and "79123456789" not in page, url
    manager = login(pbx_app, "manager")
    assert "+7 912 345-67-89" in manager.get("/admin/calls/").get_data(as_text=True)


def test_the_bot_card_is_written_for_its_reader(pbx_app, calls_world, novofon, staff):  # noqa: F811
    """A call ringing at the executor's extension (103): his card has no phone and no debt;
    the manager's card of the same call has both."""
    from core.conversations.models import Notification

    hook = pbx_app.test_client()
    for form, headers in novofon.incoming(
        "both", "79123456789", "2026-12-07 12:00:00", rings=("103", "101")
    )[:3]:
        hook.post(NOVOFON, data=form, headers=headers)
    call = Call.get(Call.key == "both")
    texts = {n.employee_id: n.text for n in Notification.select().where(
        Notification.idempotency_key.startswith(f"call:{call.id}:ring:"))}  # fmt: skip
    executor, manager = texts[staff["executor"].id], texts[staff["manager"].id]
    assert "Иванов Иван" in executor and "912" not in executor and "долг" not in executor
    assert "+7 912 345-67-89" in manager and "долг 8 000,00 ₽" in manager
