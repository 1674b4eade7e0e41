"""The crew's booked visits in the messenger: today's list and the one-tap "Выехали"
that tells the client when to expect them (core.selfservice.crew_visits.crew_departed)."""

from __future__ import annotations

from bots.flows.context import Ctx
from bots.flows.registry import command, payload
from bots.flows.types import Reply
from core.access import sees_amount_to_collect
from core.base.errors import NotFound
from core.base.money import format_money
from core.selfservice import booking, crew_visits

__all__ = ["visits_today"]


@command("visits")
def visits_today(ctx: Ctx) -> list[Reply]:
    ctx.reset()
    visits = crew_visits.visits_of_day(ctx.staff)
    if not visits:
        return [Reply("На сегодня выездов нет.", menu=ctx.menu())]
    lines = ["Выезды сегодня:"]
    for v in visits:
        phone = f", {v.client.phone}" if v.client.phone else ""
        done = " — выехали" if v.departed_at else ""
        collect = (
            f", получить {format_money(v.order.debt)}"
            if v.order.debt > 0 and sees_amount_to_collect(ctx.staff, v.order)
            else ""
        )
        lines.append(
            f"{booking.slot_label(v)[6:]} — {v.address} ({v.client.name}{phone}){collect}{done}"
        )
    buttons = [[crew_visits.departed_button(v)] for v in visits if v.departed_at is None]
    return [Reply("\n".join(lines), buttons=buttons)]


@payload("departed")
def departed(ctx: Ctx, arg: str) -> list[Reply]:
    if not arg.isdigit():
        raise NotFound("Выезд не найден.")
    return [Reply(crew_visits.crew_departed(ctx.staff, int(arg)), menu=ctx.menu())]
