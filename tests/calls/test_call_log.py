"""1 000 signed webhook events — every call's notifications, some sent twice, all shuffled —
give exactly the call log the calls themselves tell: one row and one thread line per call,
the right verdict, length, extension and person, one lead per new number that was missed,
and one open «Перезвонить» per client holding exactly the missed calls after the last
conversation."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bots.phone.webhook import NOVOFON
from core.base.clock import from_local
from core.base.money import rubles
from core.calls.models import Call
from core.clients.clients import create_client
from core.clients.models import Client
from core.conversations.models import Message
from core.orders.orders import create_order
from core.tasks.models import Task

EVENTS = 1000


@dataclass
class Planned:
    key: str
    direction: str
    number: str  # digits as Novofon writes them
    start: str
    answered: bool
    extension: str
    duration: int
    record: str

    @property
    def phone(self) -> str:
        return "+" + self.number

    @property
    def started_at(self) -> datetime:
        return from_local(datetime.strptime(self.start, "%Y-%m-%d %H:%M:%S"))


def plan(novofon, rng: random.Random, numbers: list[str]) -> tuple[list[Planned], list]:
    calls, notes = [], []
    moment = datetime(2026, 12, 7, 9, 0, 0)
    n = 0
    while len(notes) < EVENTS * 0.8:
        n += 1
        moment += timedelta(minutes=rng.randint(1, 12), seconds=rng.randint(0, 59))
        start = moment.strftime("%Y-%m-%d %H:%M:%S")
        number, ext = rng.choice(numbers), rng.choice(["101", "102", "103"])
        record = f"rec-{n}" if rng.random() < 0.3 else ""
        if rng.random() < 0.7:
            answered = rng.random() < 0.55
            rings = tuple(rng.sample(["101", "102", "103"], rng.randint(1, 2)))
            who = rng.choice(rings) if answered else ""
            duration = rng.randint(5, 600) if answered else 0
            calls.append(Planned(f"in-{n}", "in", number, start, answered, who, duration,
                                 record if answered else ""))  # fmt: skip
            notes += novofon.incoming(f"in-{n}", number, start, rings=rings, answered_by=who,
                                      duration=duration, record=record if answered else "")  # fmt: skip
        else:
            answered = rng.random() < 0.6
            duration = rng.randint(5, 300) if answered else 0
            calls.append(Planned(f"out-{n}", "out", number, start, answered, ext, duration,
                                 record if answered else ""))  # fmt: skip
            notes += novofon.outgoing(f"out-{n}", ext, number, start, answered=answered,
                                      duration=duration, record=record if answered else "")  # fmt: skip
    twice = [rng.choice(notes) for _ in range(EVENTS - len(notes))]
    deliveries = notes + twice
    rng.shuffle(deliveries)
    return calls, deliveries


def expected_open_tasks(calls: list[Planned]) -> dict[str, set[str]]:
    """Per number: the missed incoming calls after its last conversation."""
    out: dict[str, set[str]] = {}
    for number in {c.number for c in calls}:
        mine = sorted((c for c in calls if c.number == number), key=lambda c: c.started_at)
        last_talk = max((c.started_at for c in mine if c.answered), default=None)
        missed = {c.key for c in mine if c.direction == "in" and not c.answered
                  and (last_talk is None or c.started_at > last_talk)}  # fmt: skip
        if missed:
            out[number] = missed
    return out


def test_a_thousand_shuffled_events_with_duplicates_give_the_exact_log(
    site, on_novofon, novofon, staff, actors
):
    client, _ = site
    rng = random.Random(20261207)
    known = {
        f"7912{n:07d}": create_client(actors["manager"], f"Клиент {n}", f"+7912{n:07d}")
        for n in range(3)
    }
    for person in known.values():
        create_order(actors["manager"], person.id, f"Заказ {person.name}", rubles(1000))
    numbers = [*known, *(f"7903{n:07d}" for n in range(7))]
    calls, deliveries = plan(novofon, rng, numbers)
    assert len(deliveries) == EVENTS and len(calls) > 100
    for form, headers in deliveries:
        assert client.post(NOVOFON, data=form, headers=headers).status_code == 200

    rows = {c.key: c for c in Call.select()}
    assert set(rows) == {c.key for c in calls}
    people = {"101": staff["manager"].id, "102": staff["manager2"].id, "103": staff["executor"].id}
    missed_numbers = {c.number for c in calls if c.direction == "in" and not c.answered}
    for planned in calls:
        row = rows[planned.key]
        got = (row.direction, row.phone, row.answered, row.duration, row.extension, row.employee_id,
               row.recording_ref, row.started_at, row.ended_at is not None)  # fmt: skip
        want = (planned.direction, planned.phone, planned.answered, planned.duration, planned.extension,
                people.get(planned.extension), planned.record, planned.started_at, True)  # fmt: skip
        assert got == want, planned
        if planned.number in known:
            assert row.client_id == known[planned.number].id
        elif planned.number in missed_numbers:
            assert Client.get_by_id(row.client_id).phone == planned.phone
        else:
            assert row.client_id is None
        line = Message.get_by_id(row.message_id)
        assert (line.client_id, line.channel, line.at) == (
            row.client_id,
            "phone",
            planned.started_at,
        )
    assert Message.select().where(Message.channel == "phone").count() == len(calls)
    leads = Client.select().where(Client.is_lead)
    assert sorted(c.phone for c in leads) == sorted("+" + n for n in missed_numbers - set(known))

    want_open = expected_open_tasks(calls)
    open_tasks = list(Task.select().where(Task.done_at.is_null()))
    assert len(open_tasks) == len(want_open)
    for task in open_tasks:
        linked = {c.key for c in Call.select().where(Call.task == task.id)}
        number = Client.get_by_id(task.client_id).phone.lstrip("+")
        assert linked == want_open[number], number
