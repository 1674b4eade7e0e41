"""Where orders come from: one list of sources in the users' words, and the count of orders
taken in a period by source (the dashboard's «Откуда заказы»)."""

from __future__ import annotations

from datetime import datetime

import peewee as pw

from core.access import Actor, order_query, require_role
from core.orders.models import Order

__all__ = ["SOURCE_NAMES", "orders_by_source"]

# Order.source codes, in the order the dashboard lists them.
SOURCE_NAMES = {
    "site": "Сайт", "email": "E-mail", "telegram": "Telegram", "viber": "Viber", "vk": "VK",
    "max": "MAX", "phone": "Телефон", "counter": "Пришёл сам",
}  # fmt: skip
UNKNOWN = "Не указан"


def orders_by_source(actor: Actor, start: datetime, end: datetime) -> list[tuple[str, int]]:
    """Orders taken in [start, end) that the actor may see, per source; every named source
    is listed (a zero says as much as a number), unknown codes and blanks last."""
    require_role(actor, "manager")
    query = order_query(actor, Order.select(Order.source, pw.fn.COUNT(Order.id)))
    counts = dict(
        query.where((Order.created_at >= start) & (Order.created_at < end))
        .group_by(Order.source)
        .tuples()
    )
    rows = [(name, int(counts.pop(code, 0))) for code, name in SOURCE_NAMES.items()]
    other = sum(int(n) for n in counts.values())
    return rows + ([(UNKNOWN, other)] if other else [])
