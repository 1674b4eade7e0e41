"""1 000 signed webhook events — every call's notifications, some sent twice, all shuffled —
give exactly the call log the calls themselves tell: one row and one thread line per call,
the right verdict, length, extension and person, one lead per new number that was missed,
and one open «Перезвонить» per client holding exactly the missed calls after the last
conversation."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import requests

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
SENDERS = 8


@pytest.fixture
def server(db, staff, tmp_path):
    """`brigadir run`'s threaded web server over the test database."""
    from werkzeug.serving import make_server

    from cli.serve import build_web_app
    from core.base.config import AppSection, Config
    from tests.fakes.memory_store import MemoryStore

    config = Config(app=AppSection(secret_key="k" * 32, data_dir=str(tmp_path)))
    web = make_server("127.0.0.1", 0, build_web_app(config, MemoryStore()), threaded=True)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{web.server_port}"
    web.shutdown()


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


def firm(actors) -> dict[str, Client]:
    """Three known clients with an open order each (by Novofon's digits)."""
    known = {
        f"7912{n:07d}": create_client(actors["manager"], f"Клиент {n}", f"+7912{n:07d}")
        for n in range(3)
    }
    for person in known.values():
        create_order(actors["manager"], person.id, f"Заказ {person.name}", rubles(1000))
    return known


def test_a_thousand_shuffled_events_with_duplicates_give_the_exact_log(
    site, on_novofon, novofon, staff, actors
):
    client, _ = site
    rng = random.Random(20261207)
    known = firm(actors)
    numbers = [*known, *(f"7903{n:07d}" for n in range(7))]
    calls, deliveries = plan(novofon, rng, numbers)
    assert len(deliveries) == EVENTS and len(calls) > 100
    for form, headers in deliveries:
        assert client.post(NOVOFON, data=form, headers=headers).status_code == 200
    check_log(calls, known, staff)


@pytest.mark.e2e
def test_the_same_events_sent_at_once_by_several_senders_give_the_exact_log(
    server, on_novofon, novofon, staff, actors
):
    """A PBX does not wait for one notification's answer before the next: the same 1 000
    shuffled events through the real threaded server from eight senders at once (the
    same call's events, and two calls of one new number, meet in the database)."""
    rng = random.Random(20261208)
    known = firm(actors)
    numbers = [*known, *(f"7903{n:07d}" for n in range(7))]
    calls, deliveries = plan(novofon, rng, numbers)
    url = f"{server}{NOVOFON}"

    def send(part: list) -> list[int]:
        with requests.Session() as http:
            return [http.post(url, data=f, headers=h, timeout=60).status_code for f, h in part]

    with ThreadPoolExecutor(SENDERS) as pool:
        statuses = [s for got in pool.map(send, [deliveries[n::SENDERS] for n in range(SENDERS)])
                    for s in got]  # fmt: skip
    assert Counter(statuses) == {200: EVENTS}
    check_log(calls, known, staff)


def check_log(calls: list[Planned], known: dict[str, Client], staff) -> None:
    """The log, the threads, the leads and the open tasks are exactly what the calls tell."""
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
