"""The day of a booked visit: the client's reminder the day before, the crew's morning list
with times and addresses, and "Выехали" — one tap that tells the client when to expect the
crew. Each message has an idempotency key, so a second scheduler run writes nothing new."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from typing import Any

import peewee as pw

from core.access import Actor, actor_for_employee, sees_amount_to_collect
from core.base.clock import format_datetime, from_local, local_today, to_local, utcnow
from core.base.db import database
from core.base.errors import AccessDenied, NotFound
from core.base.money import format_money
from core.clients.models import Client
from core.conversations import outbox
from core.orders.models import Order
from core.selfservice.booking import booking_settings, members, slot_label
from core.selfservice.models import Visit

__all__ = ["crew_departed", "crew_digest", "departed_button", "remind_tomorrow", "visits_of_day"]


def visits_of_day(actor: Actor, day: date | None = None) -> list[Visit]:
    """A day's visits: the crew's own for a crew member, every crew's for the office."""
    if actor.kind != "employee":
        raise AccessDenied("Это список выездов бригады.")
    day = day or local_today()
    begin = from_local(datetime.combine(day, time()))
    query = Visit.select(Visit, Order, Client).join(Order).switch(Visit).join(Client)
    query = query.where((Visit.starts_at >= begin) & (Visit.starts_at < begin + timedelta(days=1)))
    if not actor.is_staff_office:
        query = query.where(Visit.crew == (actor.crew_id or -1))
    return list(query.order_by(Visit.starts_at, Visit.crew))


def departed_button(visit: Visit) -> tuple[str, str]:
    """The crew's one tap: "🚗 Выехали · 11:00 · address" (payload departed:<visit id>)."""
    return (
        f"🚗 Выехали · {to_local(visit.starts_at):%H:%M} · {visit.address[:30]}",
        f"departed:{visit.id}",
    )


def _notify_once(write: Any) -> bool:
    try:
        with database.atomic():
            write()
    except pw.IntegrityError:  # already queued by an earlier run
        return False
    return True


def remind_tomorrow(today: date | None = None) -> int:
    """The day before: each client with a visit tomorrow is reminded once (per slot)."""
    today = today or local_today()
    day = today + timedelta(days=1)
    begin, end = (
        from_local(datetime.combine(day, time())),
        from_local(datetime.combine(day + timedelta(days=1), time())),
    )
    count = 0
    visits = list(Visit.select().where((Visit.starts_at >= begin) & (Visit.starts_at < end)))
    for visit in visits:  # read first, then write (see core.conversations.reminders._once)
        start, finish = to_local(visit.starts_at), to_local(visit.ends_at)
        text = (
            f"Напоминаем: завтра, {start:%d.%m}, с {start:%H:%M} до {finish:%H:%M} к вам "
            f"приедет бригада по адресу: {visit.address}. Заказ №{visit.order.number}."
        )
        key = f"visit:{visit.id}:remind:{visit.starts_at:%Y%m%d%H%M}"
        if _notify_once(
            lambda v=visit, t=text, k=key: outbox.notify_client(v.client, t, key=k, order=v.order)
        ):
            count += 1
    return count


def _digest_text(actor: Actor, day: date, rows: list[Visit]) -> str:
    """One member's morning list: time, address, client, order, and how much to collect there
    (core.access.sees_amount_to_collect: his own crew's visit, whatever else is hidden)."""
    lines = [f"Выезды на {day:%d.%m}:"]
    for v in rows:
        phone = f", {v.client.phone}" if v.client.phone else ""
        collect = (
            f", получить {format_money(v.order.debt)}"
            if v.order.debt > 0 and sees_amount_to_collect(actor, v.order)
            else ""
        )
        lines.append(
            f"{slot_label(v)[6:]} — {v.address} ({v.client.name}{phone}), "
            f"заказ №{v.order.number}{collect}"
        )
    return "\n".join(lines)


def crew_digest(day: date | None = None) -> int:
    """The crews' morning list: each member gets the day's visits with times and addresses."""
    day = day or local_today()
    begin = from_local(datetime.combine(day, time()))
    end = from_local(datetime.combine(day + timedelta(days=1), time()))
    visits = (
        Visit.select(Visit, Order, Client)
        .join(Order)
        .switch(Visit)
        .join(Client)
        .where((Visit.starts_at >= begin) & (Visit.starts_at < end))
        .order_by(Visit.crew, Visit.starts_at)
    )
    by_crew: dict[int, list[Visit]] = {}
    for visit in visits:
        by_crew.setdefault(visit.crew_id, []).append(visit)
    count = 0
    for crew_id, rows in by_crew.items():
        buttons = [[departed_button(v)] for v in rows]
        for person in members(crew_id):
            text = _digest_text(actor_for_employee(person), day, rows)
            key = f"visits-digest:{crew_id}:{day.isoformat()}:{person.id}"
            if _notify_once(
                lambda p=person, t=text, k=key, b=buttons: outbox.notify_staff(
                    p, t, key=k, buttons=b
                )
            ):
                count += 1
    return count


def crew_departed(actor: Actor, visit_id: int, *, now: datetime | None = None) -> str:
    """ "Выехали": one tap by the crew; the client is told when to expect them, once."""
    now = now or utcnow()
    visit = Visit.get_or_none(Visit.id == visit_id)
    if (
        visit is None
        or actor.kind != "employee"
        or (actor.crew_id != visit.crew_id and not actor.is_staff_office)
    ):
        raise NotFound("Выезд не найден.")
    if visit.departed_at is not None:
        return f"Клиенту уже сообщили, что вы выехали ({format_datetime(visit.departed_at)})."
    minutes = booking_settings()["travel_minutes"]
    eta = to_local(now + timedelta(minutes=minutes))
    eta = eta + timedelta(minutes=math.ceil(eta.minute / 5) * 5 - eta.minute)  # to 5 minutes
    text = f"Бригада выехала, будет около {eta:%H:%M}."
    with database.atomic():
        changed = (
            Visit.update(departed_at=now)
            .where((Visit.id == visit.id) & Visit.departed_at.is_null())
            .execute()
        )
        if changed:
            outbox.notify_client(
                visit.client, text, key=f"visit:{visit.id}:departed", order=visit.order
            )
    return f"Клиенту отправлено: «{text}»"
