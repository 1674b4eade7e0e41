"""A client books a visit in the messenger: an inline calendar of days with free slots,
the day's slots, the address, done. The same core.selfservice.booking rules as the portal and the
site; a slot lost to someone faster comes back with the nearest free ones as buttons."""

from __future__ import annotations

import re
from datetime import date, datetime

from bots.flows.context import Ctx
from bots.flows.types import Reply
from core.base.clock import to_local
from core.base.errors import ValidationError
from core.selfservice import booking

__all__ = ["PREFIXES", "route"]

PREFIXES = ("book", "bday", "bslot", "baddr")
WEEKDAYS = booking.WEEKDAYS
DAYS_SHOWN = 12
WORDS = {"записаться на выезд", "записаться", "запись", "выезд"}  # the menu label and plain words
ASK_ADDRESS = "Куда приехать бригаде? Напишите адрес одним сообщением."


def _slot_buttons(starts: list[datetime]) -> list[list[tuple[str, str]]]:
    labels = [(f"{to_local(s):%d.%m %H:%M}", f"bslot:{s.isoformat()}") for s in starts]
    return [labels[i : i + 2] for i in range(0, len(labels), 2)]


def calendar(ctx: Ctx) -> list[Reply]:
    days = [d for d, slots in booking.free_slots().items() if slots][:DAYS_SHOWN]
    if not days:
        return [Reply("Свободного времени в ближайшие дни нет. Напишите нам — подберём.",
                      menu=ctx.menu())]  # fmt: skip
    labels = [(f"{WEEKDAYS[d.weekday()]} {d:%d.%m}", f"bday:{d.isoformat()}") for d in days]
    rows = [labels[i : i + 3] for i in range(0, len(labels), 3)]
    return [Reply("Выберите день выезда (бригада приезжает на 2 часа):", buttons=rows)]


def _day(ctx: Ctx, arg: str) -> list[Reply]:
    try:
        day = date.fromisoformat(arg)
    except ValueError:
        return calendar(ctx)
    slots = booking.free_slots(day, 1).get(day, [])
    if not slots:
        return [Reply("На этот день всё занято. Выберите другой.")] + calendar(ctx)
    rows = [[(s.label, f"bslot:{s.starts_at.isoformat()}")] for s in slots]
    rows.append([("◀ Другой день", "book:")])
    return [Reply(f"{WEEKDAYS[day.weekday()]} {day:%d.%m}: выберите время.", buttons=rows)]


def _slot(ctx: Ctx, arg: str) -> list[Reply]:
    try:
        starts = datetime.fromisoformat(arg)
    except ValueError:
        return calendar(ctx)
    ctx.goto("client", "book_address", slot=starts.isoformat())
    buttons = []
    if ctx.client.address:
        buttons.append([(f"📍 {ctx.client.address[:40]}", "baddr:")])
    return [Reply(f"Время: {to_local(starts):%d.%m %H:%M}. {ASK_ADDRESS}", buttons=buttons)]


def _book(ctx: Ctx, address: str) -> list[Reply]:
    starts = datetime.fromisoformat(ctx.data["slot"])
    try:
        visit = booking.book_visit(
            ctx.staff, ctx.client.id, starts, address, source=ctx.incoming.channel
        )
    except booking.SlotTaken as exc:
        ctx.reset()
        return [Reply(exc.message, buttons=_slot_buttons(exc.alternatives) or None)]
    except ValidationError as exc:
        if "адрес" in exc.message.lower():
            return [Reply(exc.message)]  # stay on the address step
        ctx.reset()
        return [Reply(exc.message)] + calendar(ctx)
    ctx.reset()
    return [Reply(
        f"Готово! Вы записаны на {booking.slot_label(visit)}, адрес: {visit.address}. "
        f"Заказ №{visit.order.number}. Накануне напомним, а в день выезда бригада напишет, "
        "когда выедет.", menu=ctx.menu(),
    )]  # fmt: skip


def route(ctx: Ctx) -> list[Reply] | None:
    """Replies if this update belongs to booking, else None (the client flow goes on)."""
    incoming = ctx.incoming
    word = re.sub(r"[^\w\s]", "", ctx.text.lower()).strip()
    if incoming.command == "book" or (not ctx.step and word in WORDS):
        ctx.reset()
        return calendar(ctx)
    if incoming.payload:
        prefix, _, arg = incoming.payload.partition(":")
        if prefix == "book":
            ctx.reset()
            return calendar(ctx)
        if prefix == "bday":
            return _day(ctx, arg)
        if prefix == "bslot":
            return _slot(ctx, arg)
        if prefix == "baddr" and ctx.step == "client.book_address":
            return _book(ctx, ctx.client.address)
        return None
    if ctx.step == "client.book_address" and ctx.text:
        return _book(ctx, ctx.text)
    return None
