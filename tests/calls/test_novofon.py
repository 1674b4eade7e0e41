"""Novofon's notifications end to end: signed form posts from the fake PBX into the real
webhook — forged ones refused with nothing written, a call's story in the log, the
client's thread, the inbox, the bot of the staff member it rang at, and «Перезвонить»."""

from __future__ import annotations

import pytest

from bots.phone.webhook import NOVOFON
from core.base.money import rubles
from core.calls.models import Call
from core.clients.clients import create_client
from core.clients.models import Client
from core.conversations.models import Dialogue, Message, Notification
from core.orders.orders import create_order
from core.tasks.models import Task
from tests.calls.conftest import telephony

CALLER = "79123456789"


def fields(form: dict) -> dict:
    return {k: v for k, v in form.items() if k != "event"}


def deliver(client, notes):
    for form, headers in notes:
        resp = client.post(NOVOFON, data=form, headers=headers)
        assert resp.status_code == 200, resp.get_data(as_text=True)


def nothing_written():
    return all(m.select().count() == 0 for m in (Call, Message, Dialogue, Task, Client))


def test_forged_and_unsigned_notifications_are_refused(site, on_novofon, novofon):
    client, _ = site
    form, headers = novofon.incoming("c1", CALLER, "2026-12-07 10:00:00")[0]
    for bad in ({"Signature": "x" + headers["Signature"][1:]}, {}, {"Signature": ""}):
        assert client.post(NOVOFON, data=form, headers=bad).status_code == 403
    # a signature made with another secret, or over other fields
    other = novofon.notification("NOTIFY_START", **{**fields(form), "caller_id": "79990001122"})[1]
    assert client.post(NOVOFON, data=form, headers=other).status_code == 403
    end = {**novofon.incoming("c1", CALLER, "2026-12-07 10:00:00")[-1][0], "event": "NOTIFY_HACK"}
    assert client.post(NOVOFON, data=end, headers=headers).status_code == 403
    assert nothing_written()


def test_a_switched_off_pbx_takes_nothing(site, db, staff, novofon):
    client, _ = site
    form, headers = novofon.incoming("c1", CALLER, "2026-12-07 10:00:00")[0]
    assert client.post(NOVOFON, data=form, headers=headers).status_code == 404
    telephony(staff, provider="mango", mango_key="k", mango_salt="s")
    assert client.post(NOVOFON, data=form, headers=headers).status_code == 404
    assert nothing_written()


def test_the_cabinet_checks_the_address(site, on_novofon):
    client, _ = site
    assert client.get(f"{NOVOFON}?zd_echo=a1B2c3").get_data(as_text=True) == "a1B2c3"
    assert client.get(f"{NOVOFON}?zd_echo=<script>").status_code == 400


def test_a_signed_notification_with_broken_fields_writes_nothing(site, on_novofon, novofon):
    client, _ = site
    good = {
        "pbx_call_id": "c9",
        "caller_id": CALLER,
        "called_did": "74951234567",
        "call_start": "2026-12-07 10:00:00",
    }
    for broken in ({"call_start": "вчера"}, {"caller_id": "<b>7912</b>"}, {"pbx_call_id": ""}):
        form, headers = novofon.notification("NOTIFY_START", **{**good, **broken})
        assert client.post(NOVOFON, data=form, headers=headers).status_code == 400
    assert nothing_written()


def test_an_answered_call_lands_in_the_clients_story(site, on_novofon, novofon, staff, actors):
    client, _ = site
    ivanov = create_client(actors["manager"], "Иванов Иван", "+7 912 345-67-89")
    order = create_order(actors["manager"], ivanov.id, "Баннер 3×6", rubles(12500))
    deliver(client, novofon.incoming("c1", CALLER, "2026-12-07 10:00:00", rings=("101", "102"),
                                     answered_by="102", duration=154))  # fmt: skip
    call = Call.get()
    assert (call.direction, call.phone, call.client_id, call.order_id) == (
        "in",
        "+79123456789",
        ivanov.id,
        order.id,
    )
    assert call.answered and call.duration == 154 and call.extension == "102"
    assert call.employee_id == staff["manager2"].id and call.ended_at is not None
    line = Message.get(Message.id == call.message_id)
    assert (line.order_id, line.client_id, line.channel, line.direction) == (
        order.id,
        ivanov.id,
        "phone",
        "in",
    )
    assert line.text == "Входящий звонок: разговор 2 мин 34 с, ответил(а) Олег Продажин."
    assert Dialogue.get(Dialogue.id == line.dialogue_id).channel == "phone"
    # both extensions it rang at got the caller's card in their bot, once each
    cards = Notification.select().where(
        Notification.idempotency_key.startswith(f"call:{call.id}:ring:")
    )
    assert sorted(n.employee_id for n in cards) == sorted(
        [staff["manager"].id, staff["manager2"].id]
    )
    card = cards.first().text
    assert "Иванов Иван" in card and "№" in card and "Баннер" in card
    assert Task.select().count() == 0


def test_missed_calls_from_a_new_number_become_one_task_and_a_call_back_closes_it(
    site, on_novofon, novofon, staff
):
    client, _ = site
    deliver(client, novofon.incoming("m1", CALLER, "2026-12-07 10:00:00"))
    lead = Client.get(Client.phone == "+79123456789")
    assert lead.is_lead and lead.source == "phone"
    task = Task.get()
    assert task.kind == "call_back" and task.done_at is None and task.client_id == lead.id
    assert task.assignee_id == staff["manager"].id  # on duty: the first manager
    assert task.title == "Перезвонить: Новый номер +7 912 345-67-89"
    deliver(client, novofon.incoming("m2", CALLER, "2026-12-07 10:05:00"))
    assert Task.select().count() == 1
    assert Task.get().title.endswith("— 2 пропущенных")
    assert Message.select().where(Message.client == lead.id).count() == 2
    # the manager calls back and the client answers
    deliver(
        client,
        novofon.outgoing("o1", "101", CALLER, "2026-12-07 10:20:00", answered=True, duration=40),
    )
    task = Task.get()
    assert task.done_at is not None and task.done_by_id == staff["manager"].id
    out = Call.get(Call.key == "o1")
    assert (
        out.direction == "out"
        and out.client_id == lead.id
        and out.employee_id == staff["manager"].id
    )


def test_a_missed_call_goes_to_whoever_answers_for_the_order(
    site, on_novofon, novofon, staff, actors
):
    client, _ = site
    ivanov = create_client(actors["manager2"], "Иванов Иван", "+7 912 345-67-89")
    create_order(actors["manager2"], ivanov.id, "Визитки", rubles(3000))
    deliver(client, novofon.incoming("m1", CALLER, "2026-12-07 10:00:00"))
    assert Task.get().assignee_id == staff["manager2"].id
    assert (
        Notification.get(Notification.idempotency_key.endswith(":missed")).employee_id
        == staff["manager2"].id
    )


def test_an_unanswered_call_back_leaves_the_task_open(site, on_novofon, novofon):
    client, _ = site
    deliver(client, novofon.incoming("m1", CALLER, "2026-12-07 10:00:00"))
    deliver(client, novofon.outgoing("o1", "101", CALLER, "2026-12-07 10:20:00", answered=False))
    assert Task.get().done_at is None
    assert Call.get(Call.key == "o1").outcome == "busy"


@pytest.mark.parametrize("promise", [True, False])
def test_the_client_is_told_we_will_call_back_once_if_the_firm_wants(
    site, db, staff, novofon, promise
):
    client, _ = site
    telephony(staff, provider="novofon", novofon_key=novofon.key, novofon_secret=novofon.secret,
              novofon_url=novofon.url, promise=promise)  # fmt: skip
    deliver(client, novofon.incoming("m1", CALLER, "2026-12-07 10:00:00"))
    deliver(client, novofon.incoming("m2", CALLER, "2026-12-07 10:03:00"))
    told = Notification.select().where(Notification.audience == "client")
    assert told.count() == (1 if promise else 0)
    if promise:
        assert "перезвоним" in told.get().text


def test_the_same_notification_twice_and_the_end_before_the_start(site, on_novofon, novofon):
    client, _ = site
    notes = novofon.incoming("c1", CALLER, "2026-12-07 10:00:00", answered_by="101", duration=61)
    deliver(client, list(reversed(notes)) + notes)
    call = Call.get()
    assert call.answered and call.duration == 61 and call.extension == "101"
    assert Message.select().count() == 1 and Task.select().count() == 0
