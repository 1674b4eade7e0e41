"""Statistics: per manager and period — orders taken, revenue, paid, debt, average order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from core.access import Actor, require_role
from core.models import Employee, Order, Payment

__all__ = ["ManagerStats", "manager_stats"]


@dataclass(frozen=True)
class ManagerStats:
    manager_id: int | None
    manager: str
    orders: int
    revenue: int  # kopecks: cost of orders taken in the period
    paid: int  # payments received in the period on this manager's orders
    debt: int  # what is still owed on orders taken in the period
    average: int


def manager_stats(actor: Actor, start: datetime, end: datetime) -> list[ManagerStats]:
    """A manager sees their own line; the director sees everybody's."""
    require_role(actor, "manager")
    taken = (
        Order.select(
            Order.manager, pw.fn.COUNT(Order.id), pw.fn.SUM(Order.cost), pw.fn.SUM(Order.debt)
        )
        .where((Order.created_at >= start) & (Order.created_at < end))
        .group_by(Order.manager)
        .tuples()
    )
    paid = dict(
        Payment.select(Order.manager, pw.fn.SUM(Payment.amount))
        .join(Order)
        .where((Payment.at >= start) & (Payment.at < end))
        .group_by(Order.manager)
        .tuples()
    )
    names = {e.id: e.name for e in Employee.select(Employee.id, Employee.name)}
    rows = []
    for manager_id, count, revenue, debt in taken:
        if not actor.is_director and manager_id != actor.employee_id:
            continue
        revenue, debt = int(revenue or 0), int(debt or 0)
        rows.append(
            ManagerStats(
                manager_id=manager_id,
                manager=names.get(manager_id, "Без менеджера"),
                orders=count,
                revenue=revenue,
                paid=int(paid.get(manager_id, 0) or 0),
                debt=debt,
                average=revenue // count if count else 0,
            )
        )
    return sorted(rows, key=lambda r: -r.revenue)
