"""Booking in the messenger (an inline calendar for the client) and the crew's
"Выехали" tap that tells the client when to expect them."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.access import SYSTEM, actor_for_client
from core.base.clock import from_local, local_today
from core.clients.clients import create_client
from core.conversations.models import Notification
from core.orders.models import Order
from core.people.staff import create_invite
from core.selfservice import booking, crew_visits
from core.selfservice.models import Visit
from tests.bots.conftest import Chat


def _open_every_day():
    booking.save_settings(SYSTEM, {"weekdays": [1, 2, 3, 4, 5, 6, 7], "min_hours_before": 0})


def _client_chat(deps, actors, name="Орлова Анна", phone="+79120000004", address=""):
    client = create_client(actors["manager"], name, phone, address=address)
    invite = create_invite(actors["manager"], client_id=client.id)
    chat = Chat(deps, f"c-{phone}")
    chat.say(f"/start {invite.code}")
    return client, chat


def test_client_books_through_the_inline_calendar(deps, staff, actors):
    _open_every_day()
    client, chat = _client_chat(deps, actors, address="пос. Берёзки, ул. Лесная, 12")
    assert "🗓 Записаться на выезд" in [b for row in chat.last[-1].menu for b in row]
    chat.say("🗓 Записаться на выезд")
    day = local_today() + timedelta(days=2)
    chat.tap(chat.button(f"{day:%d.%m}"))
    assert "выберите время" in chat.text
    chat.tap(chat.button("11:00–13:00"))
    assert "Куда приехать" in chat.text
    chat.tap(chat.button("📍"))  # the address on the client's card
    assert "Вы записаны" in chat.text
    visit = Visit.get()
    assert visit.client_id == client.id and visit.address == "пос. Берёзки, ул. Лесная, 12"
    assert Order.get_by_id(visit.order_id).source == "telegram"


def test_a_slot_taken_meanwhile_offers_the_nearest(deps, staff, actors):
    _open_every_day()
    client, chat = _client_chat(deps, actors)
    day = local_today() + timedelta(days=2)
    chat.say("/book")
    chat.tap(chat.button(f"{day:%d.%m}"))
    chat.tap(chat.button("11:00–13:00"))
    other = create_client(actors["manager"], "Быстрый", "+79120000009")
    slot = from_local(datetime(day.year, day.month, day.day, 11, 0))
    booking.book_visit(actor_for_client(other.id), other.id, slot, "ул. Мира, 1")
    chat.say("ул. Садовая, 3")
    assert "только что заняли" in chat.text
    assert chat.button(f"{day:%d.%m} 13:00").startswith("bslot:")
    assert Visit.select().where(Visit.client == client.id).count() == 0


def test_crew_taps_departed_and_the_client_is_told(deps, staff, actors, join):
    _open_every_day()
    client = create_client(actors["manager"], "Орлова Анна", "+79120000004")
    today = local_today()
    slot = from_local(datetime(today.year, today.month, today.day, 9, 0))
    early = from_local(datetime(today.year, today.month, today.day, 0, 0))  # booked at midnight
    visit = booking.book_visit(actors["manager"], client.id, slot, "ул. Лесная, 12", now=early)
    crew = join("executor")
    crew.say("/visits")
    assert "ул. Лесная, 12" in crew.text
    crew.tap(crew.button("🚗 Выехали"))
    assert "Бригада выехала, будет около" in crew.text
    note = Notification.get(Notification.text.contains("Бригада выехала"))
    assert note.client_id == client.id and note.audience == "client"
    stranger = join("executor2")  # not in the crew
    stranger.tap(f"departed:{visit.id}")
    assert "не найден" in stranger.text


def test_crew_digest_carries_the_departed_buttons(deps, staff, actors):
    _open_every_day()
    client = create_client(actors["manager"], "Орлова Анна", "+79120000004")
    day = local_today() + timedelta(days=1)
    slot = from_local(datetime(day.year, day.month, day.day, 11, 0))
    visit = booking.book_visit(actors["manager"], client.id, slot, "ул. Лесная, 12")
    assert crew_visits.crew_digest(day) == 1
    digest = Notification.get(Notification.idempotency_key.startswith("visits-digest:"))
    assert digest.buttons == [[["🚗 Выехали · 11:00 · ул. Лесная, 12", f"departed:{visit.id}"]]]
