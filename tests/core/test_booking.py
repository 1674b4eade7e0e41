"""Booking 2-hour visits: the grid from the settings, the no-double-booking rule (20 clients
racing for one seat), cancel/move deadlines, reminders, the crews' digest, "Выехали"."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import peewee as pw
import pytest

from core.access import SYSTEM, actor_for_client, actor_for_employee
from core.base.clock import from_local, to_local
from core.base.db import database
from core.base.errors import AccessDenied, NotFound, ValidationError
from core.clients.clients import create_client
from core.conversations.models import Message, Notification
from core.orders.models import Order
from core.people.staff import create_crew, create_employee
from core.selfservice import booking, crew_visits
from core.selfservice.models import Visit

# A fixed "now": Monday 2026-11-30 08:00 Moscow.
NOW = from_local(datetime(2026, 11, 30, 8, 0))
DAY = date(2026, 12, 1)  # Tuesday


def at(day: date, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return from_local(datetime(day.year, day.month, day.day, h, m))


@pytest.fixture
def setup(db, staff):
    crew2 = create_crew(SYSTEM, "Бригада 2")
    member2 = create_employee(SYSTEM, "Павел Выездной", "executor", crew_id=crew2.id)
    booking.save_settings(
        SYSTEM,
        {"weekdays": [1, 2, 3, 4, 5], "day_start": "09:00", "day_end": "17:00",
         "crews": [staff["crew"].id], "visits_per_slot": 1, "days_off": ["2026-12-02"],
         "days_ahead": 14, "min_hours_before": 2, "change_hours_before": 24},
    )  # fmt: skip
    manager = actor_for_employee(staff["manager"])
    clients = [
        create_client(manager, f"Клиент {i}", f"+7 912 000-00-{i:02d}") for i in range(1, 21)
    ]
    return {"crew2": crew2, "member2": member2, "clients": clients, "manager": manager}


def me(client) -> object:
    return actor_for_client(client.id, client.name)


def test_grid_follows_settings(setup):
    slots = booking.free_slots(now=NOW)
    assert [s.label for s in slots[DAY]] == [
        "09:00–11:00",
        "11:00–13:00",
        "13:00–15:00",
        "15:00–17:00",
    ]
    assert slots[date(2026, 12, 2)] == []  # a day off
    assert slots[date(2026, 12, 5)] == []  # Saturday is not a working day here
    assert slots[date(2026, 11, 30)][0].label == "11:00–13:00"  # not sooner than 2 h from now
    assert max(slots) == date(2026, 12, 14)  # 14 days ahead


def test_booking_creates_order_with_crew_and_tells_them(setup, staff):
    client = setup["clients"][0]
    visit = booking.book_visit(
        me(client), client.id, at(DAY, "11:00"), "ул. Ленина, 5", "Подключить дом", now=NOW
    )
    order = Order.get_by_id(visit.order_id)
    assert order.crew_id == staff["crew"].id
    assert order.visit_at == at(DAY, "11:00")
    assert order.object_address == "ул. Ленина, 5"
    assert order.source == "booking"
    told = Notification.select().where(
        (Notification.employee == staff["executor"].id) & Notification.text.contains("Новый выезд")
    )
    assert told.count() == 1
    free = booking.free_slots(now=NOW)[DAY]
    assert "11:00–13:00" not in [s.label for s in free]


def test_bad_slots_are_refused_with_nothing_written(setup):
    client = setup["clients"][0]
    before = Order.select().count()
    for when, words in [
        (at(DAY, "10:00"), "запись не ведётся"),  # off the grid
        (at(date(2026, 12, 2), "09:00"), "запись не ведётся"),  # a day off
        (at(date(2026, 11, 30), "09:00"), "уже нельзя"),  # too late
        (at(date(2026, 12, 21), "09:00"), "вперёд"),  # too far ahead
    ]:
        with pytest.raises(ValidationError, match=words):
            booking.book_visit(me(client), client.id, when, "ул. Ленина, 5", now=NOW)
    with pytest.raises(ValidationError, match="адрес"):
        booking.book_visit(me(client), client.id, at(DAY, "09:00"), "  ", now=NOW)
    with pytest.raises(AccessDenied):
        other = setup["clients"][1]
        booking.book_visit(me(client), other.id, at(DAY, "09:00"), "ул. Ленина, 5", now=NOW)
    assert Order.select().count() == before and Visit.select().count() == 0


def test_the_database_refuses_a_second_visit_in_one_seat(setup, staff):
    client = setup["clients"][0]
    visit = booking.book_visit(me(client), client.id, at(DAY, "09:00"), "ул. Ленина, 5", now=NOW)
    with pytest.raises(pw.IntegrityError), database.atomic():
        Visit.create(
            order=visit.order_id, client=client.id, crew=visit.crew_id,
            starts_at=visit.starts_at, ends_at=visit.ends_at, seat=0,
        )  # fmt: skip


def test_twenty_clients_race_for_one_slot_exactly_one_wins(setup, staff):
    slot = at(DAY, "13:00")
    results: dict[int, object] = {}
    start = threading.Barrier(20)

    def race(client) -> None:
        try:
            start.wait()
            results[client.id] = booking.book_visit(
                me(client), client.id, slot, f"Адрес {client.id}", now=NOW
            )
        except Exception as exc:  # noqa: BLE001 - the test inspects what each got
            results[client.id] = exc
        finally:
            database.close()

    threads = [threading.Thread(target=race, args=(c,)) for c in setup["clients"]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [r for r in results.values() if isinstance(r, Visit)]
    lost = [r for r in results.values() if not isinstance(r, Visit)]
    assert len(won) == 1, [repr(r) for r in lost][:3]
    assert all(isinstance(r, booking.SlotTaken) for r in lost), [repr(r) for r in lost][:3]
    assert all(r.alternatives[:2] == [at(DAY, "11:00"), at(DAY, "15:00")] for r in lost)
    assert "только что заняли" in str(lost[0]) and "01.12.2026 11:00" in str(lost[0])
    assert Visit.select().where(Visit.starts_at == slot).count() == 1
    assert Order.select().where(Order.source == "booking").count() == 1  # losers wrote nothing


def test_capacity_is_crews_times_visits_per_slot(setup, staff):
    booking.save_settings(
        SYSTEM, {"crews": [staff["crew"].id, setup["crew2"].id], "visits_per_slot": 2}
    )
    slot = at(DAY, "09:00")
    people = setup["clients"][:5]
    for c in people[:4]:
        booking.book_visit(me(c), c.id, slot, "Адрес", now=NOW)
    assert Visit.select().where(Visit.crew == setup["crew2"].id).count() == 2
    with pytest.raises(booking.SlotTaken):
        booking.book_visit(me(people[4]), people[4].id, slot, "Адрес", now=NOW)


def test_cancel_and_move_until_the_deadline(setup, staff):
    client, other = setup["clients"][:2]
    visit = booking.book_visit(me(client), client.id, at(DAY, "15:00"), "Адрес", now=NOW)
    with pytest.raises(NotFound):
        booking.cancel_visit(me(other), visit.id, now=NOW)
    taken = booking.book_visit(me(other), other.id, at(date(2026, 12, 3), "09:00"), "А", now=NOW)
    with pytest.raises(booking.SlotTaken):
        booking.move_visit(me(client), visit.id, taken.starts_at, now=NOW)
    assert Visit.get_by_id(visit.id).starts_at == at(DAY, "15:00")  # still booked
    moved = booking.move_visit(me(client), visit.id, at(date(2026, 12, 3), "11:00"), now=NOW)
    assert Order.get_by_id(moved.order_id).visit_at == at(date(2026, 12, 3), "11:00")
    late = at(date(2026, 12, 3), "10:00")  # 1 h before the visit, the deadline is 24 h
    with pytest.raises(ValidationError, match="не позже чем за 24"):
        booking.cancel_visit(me(client), moved.id, now=late)
    order = booking.cancel_visit(me(client), moved.id, now=NOW)
    assert order.visit_at is None and Visit.select().count() == 1
    assert Message.get(Message.order == order.id).text.startswith("Запись на")


def test_reminder_the_day_before_and_the_crews_digest(setup, staff):
    client = setup["clients"][0]
    client2 = setup["clients"][1]
    booking.book_visit(me(client), client.id, at(DAY, "11:00"), "ул. Ленина, 5", now=NOW)
    booking.book_visit(me(client2), client2.id, at(DAY, "09:00"), "ул. Мира, 1", now=NOW)
    assert crew_visits.remind_tomorrow(date(2026, 11, 30)) == 2
    assert crew_visits.remind_tomorrow(date(2026, 11, 30)) == 0  # once
    note = Notification.get(
        (Notification.client == client.id) & Notification.text.contains("Напоминаем")
    )
    assert "с 11:00 до 13:00" in note.text and "ул. Ленина, 5" in note.text
    assert crew_visits.crew_digest(DAY) == 1  # the crew has one member
    assert crew_visits.crew_digest(DAY) == 0
    digest = Notification.get(Notification.idempotency_key.startswith("visits-digest:"))
    lines = digest.text.splitlines()
    assert lines[1].startswith("09:00–11:00 — ул. Мира, 1") and lines[2].startswith("11:00–13:00")


def test_departed_tells_the_client_once(setup, staff):
    client = setup["clients"][0]
    visit = booking.book_visit(me(client), client.id, at(DAY, "15:00"), "Адрес", now=NOW)
    crew_member = actor_for_employee(staff["executor"])
    stranger = actor_for_employee(setup["member2"])
    with pytest.raises(NotFound):
        crew_visits.crew_departed(stranger, visit.id)
    left = at(DAY, "13:38")  # + 40 min on the road → 14:18, rounded to 14:20
    answer = crew_visits.crew_departed(crew_member, visit.id, now=left)
    assert "Бригада выехала, будет около 14:20" in answer
    crew_visits.crew_departed(crew_member, visit.id, now=left + timedelta(minutes=3))
    sent = Notification.select().where(Notification.text.contains("Бригада выехала"))
    assert [n.client_id for n in sent] == [client.id]
    assert to_local(Visit.get_by_id(visit.id).departed_at).strftime("%H:%M") == "13:38"


def test_settings_are_checked(setup):
    for data, words in [
        ({"day_start": "9"}, "ЧЧ:ММ"),
        ({"day_start": "18:00", "day_end": "19:00"}, "не помещается"),
        ({"weekdays": []}, "рабочий день"),
        ({"crews": [999]}, "несуществующая"),
        ({"days_off": ["31.02.2026"]}, "ДД.ММ.ГГГГ"),
        ({"days_off": ["завтра"]}, "ДД.ММ.ГГГГ"),
        ({"visits_per_slot": 0}, "от 1"),
    ]:
        with pytest.raises(ValidationError, match=words):
            booking.save_settings(SYSTEM, data)
    assert booking.booking_settings()["day_start"] == "09:00"
