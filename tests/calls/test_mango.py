"""Mango Office's VPBX events end to end: forms signed sha256(key + json + salt) from the
fake VPBX into the real webhook — a forged or foreign one refused with nothing written,
a call's legs folded into one call, events/summary's verdict, shuffled and repeated alike."""

from __future__ import annotations

import json
import random

from bots.phone.webhook import MANGO
from core.base.money import rubles
from core.calls.models import Call
from core.clients.clients import create_client
from core.clients.models import Client
from core.conversations.models import Dialogue, Message, Notification
from core.orders.orders import create_order
from core.tasks.models import Task

CALLER = "79123456789"
START = 1_796_630_400  # 2026-12-07 09:20 UTC


def deliver(client, events):
    for kind, form in events:
        resp = client.post(f"{MANGO}/{kind}", data=form)
        assert resp.status_code == 200, resp.get_data(as_text=True)


def test_forged_and_foreign_events_are_refused(site, on_mango, mango):
    client, _ = site
    kind, form = mango.incoming("e1", CALLER, START)[0]
    for bad in (
        {**form, "sign": "0" * 64},
        {**form, "sign": ""},
        {k: v for k, v in form.items() if k != "sign"},
        {**form, "vpbx_api_key": "other-vpbx"},
        {**form, "json": form["json"].replace(CALLER, "79990000000")},  # changed after signing
    ):
        assert client.post(f"{MANGO}/{kind}", data=bad).status_code == 403
    assert all(m.select().count() == 0 for m in (Call, Message, Dialogue, Task, Client))


def test_a_well_signed_event_with_broken_fields_writes_nothing(site, on_mango, mango):
    client, _ = site
    for payload in ({"entry_id": "e1", "call_state": "Appeared", "timestamp": "вчера",
                     "from": {"number": CALLER}, "to": {"extension": "101"}},
                    {"call_state": "Appeared", "timestamp": START, "from": {"number": CALLER}},
                    {"entry_id": "e1", "call_state": "Appeared", "from": "не объект"}):  # fmt: skip
        assert client.post(f"{MANGO}/events/call", data=mango.event(payload)).status_code == 400
    text = "не json"
    form = {"vpbx_api_key": mango.key, "json": text, "sign": mango._sign(text)}
    assert client.post(f"{MANGO}/events/summary", data=form).status_code == 400
    assert Call.select().count() == 0


def test_an_answered_call_with_its_legs_is_one_call(site, on_mango, mango, staff, actors):
    client, _ = site
    ivanov = create_client(actors["manager"], "Иванов Иван", "+7 912 345-67-89")
    order = create_order(actors["manager"], ivanov.id, "Визитки", rubles(3000))
    deliver(
        client,
        mango.incoming("e1", CALLER, START, rings=("102", "101"), answered_by="101", talk=95),
    )
    call = Call.get()
    assert (call.provider, call.direction, call.client_id, call.order_id) == (
        "mango",
        "in",
        ivanov.id,
        order.id,
    )
    assert call.answered and call.duration == 95 and call.extension == "101"
    assert call.employee_id == staff["manager"].id and call.line == "74951234567"
    assert Message.get_by_id(call.message_id).text.startswith(
        "Входящий звонок: разговор 1 мин 35 с"
    )
    rang = Notification.select().where(
        Notification.idempotency_key.startswith(f"call:{call.id}:ring:")
    )
    assert {n.employee_id for n in rang} == {staff["manager"].id, staff["manager2"].id}


def test_a_missed_call_and_the_call_back(site, on_mango, mango, staff):
    client, _ = site
    deliver(client, mango.incoming("e1", CALLER, START))
    task = Task.get()
    assert task.done_at is None and Client.get_by_id(task.client_id).is_lead
    deliver(client, mango.outgoing("e2", "102", CALLER, START + 600, answered=True, talk=30))
    assert Task.get().done_at is not None
    out = Call.get(Call.key == "e2")
    assert (out.direction, out.employee_id, out.answered) == ("out", staff["manager2"].id, True)


def test_shuffled_and_repeated_events_give_the_same_log(site, on_mango, mango):
    client, _ = site
    events = []
    for n in range(12):
        if n % 3 == 2:
            events += mango.outgoing(
                f"o{n}", "101", CALLER, START + n * 300, answered=n % 2 == 0, talk=20 + n
            )
        else:
            events += mango.incoming(f"i{n}", CALLER, START + n * 300, answered_by="102" if n % 2 else "",
                                     talk=40 + n, record=f"r{n}" if n % 2 else "")  # fmt: skip
    rng = random.Random(7)
    deliveries = events + rng.sample(events, len(events) // 3)
    rng.shuffle(deliveries)
    deliver(client, deliveries)
    rows = {c.key: c for c in Call.select()}
    assert len(rows) == 12 and Message.select().count() == 12
    for n in range(12):
        row = rows[f"o{n}" if n % 3 == 2 else f"i{n}"]
        if n % 3 == 2:
            assert (row.direction, row.answered, row.duration) == (
                "out",
                n % 2 == 0,
                20 + n if n % 2 == 0 else 0,
            )
        else:
            talked = bool(n % 2)
            assert (row.direction, row.answered, row.extension) == (
                "in",
                talked,
                "102" if talked else "",
            )
            assert row.duration == (40 + n if talked else 0)
            assert row.recording_ref == (f"r{n}" if talked else "")
    # the last conversation is call 9; the missed call 10 after it waits for a call back
    task = Task.get(Task.done_at.is_null())
    assert [c.key for c in Call.select().where(Call.task == task.id)] == ["i10"]


def test_events_the_log_does_not_need_are_taken_quietly(site, on_mango, mango):
    client, _ = site
    for kind, payload in (("events/dtmf", {"entry_id": "e1", "dtmf": "1"}),
                          ("result/callback", {"command_id": "cb-1", "result": 1000}),
                          ("events/recording", {"entry_id": "e1", "recording_id": "r1",
                                                "recording_state": "Started"})):  # fmt: skip
        assert client.post(f"{MANGO}/{kind}", data=mango.event(payload)).status_code == 200
    deliver(client, mango.internal("e2", "101", "102", START))  # Мария rings Олег
    assert Call.select().count() == 0 and Notification.select().count() == 0
    assert json.loads(mango.event({"a": 1})["json"]) == {"a": 1}
