"""Booking fixed-length visits: the slot grid, free seats, booking, moving and cancelling.

The grid comes from the director's settings (working days and hours, slot length, which
crews take bookings and how many visits each takes per slot). A booking is a Visit row;
its unique (crew, starts_at, seat) index is what keeps two clients out of one seat, so the
check and the write cannot be split by a race. Portal, site widget and bots all call here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import peewee as pw

from core.access import SYSTEM, Actor, order_query, require_role
from core.base import settings
from core.base.clock import format_datetime, from_local, to_local, utcnow
from core.base.db import database
from core.base.errors import AccessDenied, Conflict, NotFound, ValidationError
from core.clients.models import Client
from core.conversations import outbox
from core.conversations.models import Message
from core.orders.models import Order
from core.orders.orders import create_order
from core.people.models import Crew, Employee
from core.selfservice.models import Visit

__all__ = [
    "SETTING",
    "WEEKDAYS",
    "Slot",
    "SlotTaken",
    "book_visit",
    "bookable_crews",
    "booking_settings",
    "cancel_visit",
    "free_slots",
    "members",
    "move_visit",
    "nearest_free",
    "save_settings",
    "slot_label",
    "visit_of",
    "visits_of_client",
]

SETTING = "booking"
DEFAULTS: dict[str, Any] = settings.DEFAULTS[SETTING]
WEEKDAYS = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")  # date.weekday() order, as calendars show
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class SlotTaken(Conflict):
    """The slot filled up meanwhile; `alternatives` are the nearest free slot starts (UTC)."""

    def __init__(self, message: str, alternatives: list[datetime]):
        super().__init__(message)
        self.alternatives = alternatives


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # naive UTC
    ends_at: datetime
    free: int  # seats left

    @property
    def local(self) -> datetime:
        return to_local(self.starts_at)

    @property
    def label(self) -> str:
        return f"{to_local(self.starts_at):%H:%M}–{to_local(self.ends_at):%H:%M}"


def booking_settings() -> dict[str, Any]:
    stored = settings.get(SETTING) or {}
    return {**DEFAULTS, **{k: v for k, v in stored.items() if k in DEFAULTS}}


def _minutes(text: str, what: str) -> int:
    match = _HHMM.match(str(text).strip())
    if not match:
        raise ValidationError(f"{what}: время в виде ЧЧ:ММ, например 09:00.")
    return int(match[1]) * 60 + int(match[2])


def _int(value: Any, what: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(f"{what}: нужно целое число.") from None
    if not low <= number <= high:
        raise ValidationError(f"{what}: от {low} до {high}.")
    return number


def _day_off(raw: object) -> date:
    """A day off as people write it, 31.12.2026 (the stored 2026-12-31 is read too)."""
    text = str(raw).strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(f"Выходной день «{text}»: дата в виде ДД.ММ.ГГГГ, например 31.12.2026.")


def save_settings(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Check and store the booking settings (the director's form). Nothing is stored on error."""
    require_role(actor, "director")
    clean = booking_settings()
    clean.update({k: v for k, v in data.items() if k in DEFAULTS})
    weekdays = sorted({_int(d, "Рабочие дни", 1, 7) for d in clean["weekdays"]})
    if not weekdays:
        raise ValidationError("Отметьте хотя бы один рабочий день.")
    start = _minutes(clean["day_start"], "Начало дня")
    end = _minutes(clean["day_end"], "Конец дня")
    slot = _int(clean["slot_minutes"], "Длительность выезда, минут", 15, 12 * 60)
    if end - start < slot:
        raise ValidationError("В рабочем дне не помещается ни одного выезда.")
    crews = sorted({int(c) for c in clean["crews"]})
    known = {c.id for c in Crew.select(Crew.id).where(Crew.id.in_(crews))} if crews else set()
    if set(crews) - known:
        raise ValidationError("Среди бригад для записи есть несуществующая.")
    days_off = [_day_off(raw).isoformat() for raw in clean["days_off"]]
    clean.update(
        weekdays=weekdays,
        day_start=f"{start // 60:02d}:{start % 60:02d}",
        day_end=f"{end // 60:02d}:{end % 60:02d}",
        slot_minutes=slot,
        crews=crews,
        visits_per_slot=_int(clean["visits_per_slot"], "Выездов на бригаду в слот", 1, 20),
        days_off=sorted(set(days_off)),
        days_ahead=_int(clean["days_ahead"], "Запись вперёд, дней", 1, 365),
        min_hours_before=_int(clean["min_hours_before"], "Запись не позже чем за, часов", 0, 240),
        change_hours_before=_int(clean["change_hours_before"], "Отмена не позже чем за, часов", 0, 240),
        travel_minutes=_int(clean["travel_minutes"], "Время в пути, минут", 0, 600),
        pipeline=str(clean["pipeline"] or "").strip(),
    )  # fmt: skip
    settings.put(SETTING, clean)
    return clean


def bookable_crews(conf: dict[str, Any] | None = None) -> list[int]:
    conf = conf or booking_settings()
    query = Crew.select(Crew.id).where(Crew.active).order_by(Crew.id)
    if conf["crews"]:
        query = query.where(Crew.id.in_(conf["crews"]))
    return [c.id for c in query]


def _grid(day: date, conf: dict[str, Any]) -> list[tuple[datetime, datetime]]:
    """The day's slots as (start, end) in naive UTC; none on a day off or a weekend."""
    if day.isoweekday() not in conf["weekdays"] or day.isoformat() in conf["days_off"]:
        return []
    start, end = _minutes(conf["day_start"], ""), _minutes(conf["day_end"], "")
    length = conf["slot_minutes"]
    midnight = datetime.combine(day, time())
    return [
        (from_local(midnight + timedelta(minutes=m)), from_local(midnight + timedelta(minutes=m + length)))
        for m in range(start, end - length + 1, length)
    ]  # fmt: skip


def _window(conf: dict[str, Any], now: datetime) -> tuple[datetime, date]:
    """(earliest bookable start in UTC, last bookable local day)."""
    last_day = to_local(now).date() + timedelta(days=conf["days_ahead"])
    return now + timedelta(hours=conf["min_hours_before"]), last_day


def free_slots(
    first_day: date | None = None, days: int | None = None, *, now: datetime | None = None
) -> dict[date, list[Slot]]:
    """Bookable slots with free seats, per local day: one grouped query for the whole range."""
    conf = booking_settings()
    now = now or utcnow()
    earliest, last_day = _window(conf, now)
    first_day = first_day or to_local(now).date()
    days = conf["days_ahead"] + 1 if days is None else days
    crews = bookable_crews(conf)
    capacity = len(crews) * conf["visits_per_slot"]
    grid = {d: _grid(d, conf) for d in (first_day + timedelta(n) for n in range(days))}
    grid = {d: [s for s in slots if s[0] >= earliest] for d, slots in grid.items() if d <= last_day}
    starts = [s[0] for slots in grid.values() for s in slots]
    if not starts or not capacity:
        return {d: [] for d in grid}
    taken = dict(
        Visit.select(Visit.starts_at, pw.fn.COUNT(Visit.id))
        .where(Visit.starts_at.between(min(starts), max(starts)) & Visit.crew.in_(crews))
        .group_by(Visit.starts_at)
        .tuples()
    )
    return {
        d: [Slot(a, b, capacity - taken.get(a, 0)) for a, b in slots if taken.get(a, 0) < capacity]
        for d, slots in grid.items()
    }


def nearest_free(
    starts_at: datetime, count: int = 3, *, now: datetime | None = None
) -> list[datetime]:
    """Free slot starts closest in time to the one asked for (the offer after a lost race)."""
    slots = [s.starts_at for day in free_slots(now=now).values() for s in day]
    return sorted(slots, key=lambda s: (abs(s - starts_at), s))[:count]


def _check_slot(starts_at: datetime, conf: dict[str, Any], now: datetime) -> datetime:
    """The slot's end if starts_at is a bookable grid slot; else a Russian refusal."""
    earliest, last_day = _window(conf, now)
    local_day = to_local(starts_at).date()
    ends = dict(_grid(local_day, conf))
    if starts_at not in ends:
        raise ValidationError("В это время запись не ведётся. Выберите время из календаря.")
    if starts_at < earliest:
        raise ValidationError(
            f"На это время записаться уже нельзя: не позже чем за {conf['min_hours_before']} ч."
        )
    if local_day > last_day:
        raise ValidationError(f"Запись открыта только на {conf['days_ahead']} дней вперёд.")
    return ends[starts_at]


def _claim(order: Order, client_id: int, starts_at: datetime, ends_at: datetime, address: str,
           conf: dict[str, Any], moving: Visit | None = None) -> Visit | None:  # fmt: skip
    """Put the visit (a new one, or `moving` to its new time) into the first free crew seat;
    None if every seat is taken. Each attempt is a savepoint, so a lost write leaves the
    outer transaction usable."""
    crews = bookable_crews(conf)
    busy = set(
        Visit.select(Visit.crew, Visit.seat)
        .where((Visit.starts_at == starts_at) & Visit.crew.in_(crews))
        .tuples()
    )
    for crew_id in crews:
        for seat in range(conf["visits_per_slot"]):
            if (crew_id, seat) in busy:
                continue
            try:
                with database.atomic():
                    if moving is not None:
                        Visit.update(
                            crew=crew_id, seat=seat, starts_at=starts_at, ends_at=ends_at,
                            departed_at=None,
                        ).where(Visit.id == moving.id).execute()  # fmt: skip
                        return Visit.get_by_id(moving.id)
                    return Visit.create(
                        order=order.id, client=client_id, crew=crew_id, starts_at=starts_at,
                        ends_at=ends_at, seat=seat, address=address,
                    )  # fmt: skip
            except pw.IntegrityError:
                continue  # someone took this seat a moment ago: try the next one
    return None


def _taken(starts_at: datetime, now: datetime) -> SlotTaken:
    alternatives = nearest_free(starts_at, now=now)
    offer = ", ".join(format_datetime(a) for a in alternatives)
    text = "Это время только что заняли."
    return SlotTaken(f"{text} Свободно ближе всего: {offer}." if offer else text, alternatives)


def _client_of(actor: Actor, client_id: int) -> Client:
    if actor.kind == "client":
        if client_id != actor.client_id:
            raise AccessDenied("Записать можно только себя.")
    else:
        require_role(actor, "manager")
    client = Client.get_or_none(Client.id == client_id)
    if client is None:
        raise NotFound("Клиент не найден.")
    return client


def book_visit(
    actor: Actor,
    client_id: int,
    starts_at: datetime,
    address: str,
    description: str = "",
    *,
    source: str = "booking",
    now: datetime | None = None,
) -> Visit:
    """Book a slot: the order in the booking flow with the address, its crew, the visit.
    All or nothing; a lost race raises SlotTaken with the nearest free slots."""
    client = _client_of(actor, client_id)
    conf = booking_settings()
    now = now or utcnow()
    address = re.sub(r"\s+", " ", address or "").strip()
    if not address:
        raise ValidationError("Укажите адрес, куда приехать бригаде.")
    if len(address) > 500:
        raise ValidationError("Адрес слишком длинный (больше 500 символов).")
    ends_at = _check_slot(starts_at, conf, now)
    description = (description or "").strip() or "Выезд бригады"
    with database.atomic() as tx:
        order = create_order(
            SYSTEM, client.id, description, pipeline=conf["pipeline"] or None, source=source,
            visit_at=starts_at, object_address=address,
        )  # fmt: skip
        visit = _claim(order, client.id, starts_at, ends_at, address, conf)
        if visit is None:
            tx.rollback()
        else:
            Order.update(crew=visit.crew_id).where(Order.id == order.id).execute()
            _tell_crew(
                visit, f"Новый выезд {slot_label(visit)}: {address} — заказ №{order.number}", "new"
            )
            outbox.notify_office(
                order,
                f"Клиент {client.name} записался на {slot_label(visit)}: заказ №{order.number}",
                key=f"visit:{visit.id}:booked",
            )
    if visit is None:
        raise _taken(starts_at, now)
    return visit


def slot_label(visit: Visit) -> str:
    """ "01.12 11:00–13:00" in the firm's zone."""
    return f"{to_local(visit.starts_at):%d.%m %H:%M}–{to_local(visit.ends_at):%H:%M}"


def members(crew_id: int) -> list[Employee]:
    """The crew's active people."""
    return list(Employee.select().where((Employee.crew == crew_id) & Employee.active))


def _tell_crew(visit: Visit, text: str, what: str) -> None:
    for person in members(visit.crew_id):
        outbox.notify_staff(
            person, text, key=f"visit:{visit.id}:{what}:{visit.starts_at:%Y%m%d%H%M}:{person.id}",
            order=visit.order, buttons=[[("Открыть заказ", f"order:{visit.order.number}")]],
        )  # fmt: skip


def visit_of(actor: Actor, visit_id: int) -> Visit:
    visit = Visit.get_or_none(Visit.id == visit_id)
    mine = visit is not None and (actor.kind != "client" or visit.client_id == actor.client_id)
    if not mine:
        raise NotFound("Запись не найдена.")
    if actor.kind != "client":
        require_role(actor, "manager")
    return visit


def _check_change(visit: Visit, conf: dict[str, Any], now: datetime, actor: Actor) -> None:
    if actor.kind != "client":
        return  # the office may change a visit any time
    if visit.starts_at - now < timedelta(hours=conf["change_hours_before"]):
        raise ValidationError(
            f"Изменить или отменить запись можно не позже чем за {conf['change_hours_before']} ч. "
            "Позвоните нам, пожалуйста."
        )


def cancel_visit(actor: Actor, visit_id: int, *, now: datetime | None = None) -> Order:
    """Free the slot; the order stays (the office decides what becomes of it) with a note."""
    conf, now = booking_settings(), now or utcnow()
    visit = visit_of(actor, visit_id)
    _check_change(visit, conf, now, actor)
    order = visit.order
    with database.atomic():
        _tell_crew(visit, f"Выезд {slot_label(visit)} отменён: заказ №{order.number}", "cancel")
        by_client = actor.kind == "client"  # the office's own cancel is a note, not news
        Message.create(
            order=order, client=visit.client_id, direction="in" if by_client else "out",
            channel="portal" if by_client else "note", author=actor.employee_id,
            text=f"Запись на {slot_label(visit)} отменена.", is_read=not by_client,
        )  # fmt: skip
        Order.update(
            visit_at=None, unread=Order.unread + (1 if by_client else 0), updated_at=now
        ).where(Order.id == order.id).execute()
        visit.delete_instance()
        outbox.notify_office(
            order,
            f"Выезд по заказу №{order.number} отменён",
            key=f"visit:{visit.id}:cancelled:{now:%Y%m%d%H%M%S%f}",
        )
    return Order.get_by_id(order.id)


def move_visit(
    actor: Actor, visit_id: int, starts_at: datetime, *, now: datetime | None = None
) -> Visit:
    """Move a visit to another slot; if it is taken meanwhile, the old slot stays booked."""
    conf, now = booking_settings(), now or utcnow()
    visit = visit_of(actor, visit_id)
    _check_change(visit, conf, now, actor)
    if starts_at == visit.starts_at:
        raise ValidationError("Вы уже записаны на это время.")
    ends_at = _check_slot(starts_at, conf, now)
    order, old = visit.order, slot_label(visit)
    with database.atomic() as tx:
        moved = _claim(order, visit.client_id, starts_at, ends_at, visit.address, conf, visit)
        if moved is None:
            tx.rollback()
        else:
            Order.update(visit_at=starts_at, crew=moved.crew_id, updated_at=now).where(
                Order.id == order.id
            ).execute()
            text = (
                f"Выезд по заказу №{order.number} перенесён: было {old}, стало {slot_label(moved)}"
            )
            _tell_crew(moved, text, "moved")
            if moved.crew_id != visit.crew_id:
                _tell_crew(visit, text, "moved-away")  # the old crew's day changed too
            outbox.notify_office(order, text, key=f"visit:{moved.id}:moved:{now:%Y%m%d%H%M%S%f}")
    if moved is None:
        raise _taken(starts_at, now)
    return moved


def visits_of_client(actor: Actor, *, upcoming_only: bool = True) -> list[Visit]:
    if actor.kind != "client":
        raise AccessDenied("Это список записей клиента.")
    query = Visit.select().where(Visit.client == actor.client_id)
    if upcoming_only:
        query = query.where(Visit.ends_at >= utcnow())
    return list(query.order_by(Visit.starts_at))


def upcoming_visits(actor: Actor, days: int = 14, limit: int = 500) -> list[Visit]:
    """Visits booked from today on (the booking settings page), of orders this person may
    see, with their order, client and crew."""
    begin = from_local(datetime.combine(to_local(utcnow()).date(), time()))
    query = order_query(
        actor,
        Visit.select(Visit, Order, Client, Crew)
        .join(Order).switch(Visit).join(Client).switch(Visit).join(Crew),
    )  # fmt: skip
    query = query.where(
        (Visit.starts_at >= begin) & (Visit.starts_at < begin + timedelta(days=days))
    )
    return list(query.order_by(Visit.starts_at, Crew.name).limit(limit))
