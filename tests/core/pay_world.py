"""Orders moved along on chosen days, for the pay tests: the work of a month is the moves'
dates, so the tests set them (local noon of each day, whatever zone the run is in)."""

from __future__ import annotations

from datetime import date, datetime, time

from core.access import SYSTEM
from core.base.clock import from_local
from core.orders import orders
from core.orders.models import StageMove


def at(day: str) -> datetime:
    return from_local(datetime.combine(date.fromisoformat(day), time(12, 0)))


def walk(order, steps: list[tuple[str, str]], actor=SYSTEM) -> None:
    """Move `order` through (stage code, "YYYY-MM-DD") steps, each move dated that day."""
    for code, day in steps:
        move = orders.move_order(actor, order.id, code)
        StageMove.update(at=at(day)).where(StageMove.id == move.id).execute()
