"""Statistics: per manager and period — orders taken, revenue, paid, debt, average order;
who finished how many orders and for how much; orders per stage of every pipeline in use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from core.access import Actor, hidden_fields, order_query, require_role
from core.money.models import Payment
from core.orders.models import Order, Pipeline, Stage, StageMove
from core.people.models import Crew, Employee

__all__ = [
    "FinishedStats",
    "credited_to",
    "finished_orders",
    "ManagerStats",
    "PipelineCounts",
    "finished_by",
    "manager_stats",
    "stage_counts",
]


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


@dataclass(frozen=True)
class FinishedStats:
    who: str  # the executor, else the subcontractor, else the crew
    orders: int
    total: int | None  # kopecks; None when the person may not see order sums


def finished_orders(start: datetime, end: datetime) -> pw.ModelSelect:
    """(order, at) of the orders finished in [start, end): their FIRST move into an archive
    stage falls there — an order reopened and finished again is not new work. The one rule
    of «Кто сколько выполнил» and of pay (core.pay.work)."""
    archive = Stage.select(Stage.id).where(Stage.is_archive)
    earlier_move = StageMove.alias()
    earlier = earlier_move.select(pw.SQL("1")).where(
        (earlier_move.order == StageMove.order)
        & earlier_move.to_stage.in_(archive)
        & (
            (earlier_move.at < StageMove.at)
            | ((earlier_move.at == StageMove.at) & (earlier_move.id < StageMove.id))
        )
    )
    return StageMove.select(StageMove.order, StageMove.at).where(
        StageMove.to_stage.in_(archive)
        & (StageMove.at >= start)
        & (StageMove.at < end)
        & ~pw.fn.EXISTS(earlier)
    )


def credited_to(
    executor: int | None, subcontractor: int | None, crew: int | None
) -> tuple[str, int] | None:
    """Who did an order: its executor, else its subcontractor, else its crew."""
    if executor is not None:
        return "employee", executor
    if subcontractor is not None:
        return "employee", subcontractor
    return ("crew", crew) if crew is not None else None


def finished_by(actor: Actor, start: datetime, end: datetime) -> list[FinishedStats]:
    """ "Кто сколько выполнил": orders finished in the period (finished_orders), with the sum
    of their cost, credited as credited_to says."""
    require_role(actor, "manager")
    finished = finished_orders(start, end).select(StageMove.order)
    rows = (
        Order.select(
            Order.executor, Order.subcontractor, Order.crew,
            pw.fn.COUNT(Order.id), pw.fn.SUM(Order.cost),
        )
        .where(Order.id.in_(finished))
        .group_by(Order.executor, Order.subcontractor, Order.crew)
        .tuples()
    )  # fmt: skip
    people = {e.id: e.name for e in Employee.select(Employee.id, Employee.name)}
    crews = {c.id: c.name for c in Crew.select(Crew.id, Crew.name)}
    merged: dict[str, list[int]] = {}
    for executor, subcontractor, crew, count, total in rows:
        doer = credited_to(executor, subcontractor, crew)
        names = crews if doer and doer[0] == "crew" else people
        who = names.get(doer[1], "") if doer else ""
        who = who or "Без исполнителя"
        line = merged.setdefault(who, [0, 0])
        line[0] += count
        line[1] += int(total or 0)
    show_sum = "cost" not in hidden_fields(actor)
    result = [
        FinishedStats(who, n, total if show_sum else None) for who, (n, total) in merged.items()
    ]
    return sorted(result, key=lambda r: (-r.orders, r.who))


@dataclass(frozen=True)
class PipelineCounts:
    pipeline: str
    live: list[tuple[str, int]]  # (stage, orders) of the stages still in work, in order
    archived: int  # orders in archive stages: told apart, they would dwarf the live bars


def stage_counts(actor: Actor, main_code: str) -> list[PipelineCounts]:
    """Orders per stage for the firm's own pipeline and any other that has orders. The
    director and managers read the maintained counters; an executor counts their own."""
    stages = list(
        Stage.select(Stage, Pipeline).join(Pipeline).order_by(Pipeline.id, Stage.position)
    )
    if actor.is_staff_office:
        counts = {s.id: s.order_count for s in stages}
    else:
        counts = dict(
            order_query(actor, Order.select(Order.stage, pw.fn.COUNT(Order.id)))
            .group_by(Order.stage)
            .tuples()
        )
    result: dict[int, PipelineCounts] = {}
    for stage in stages:
        flow = result.setdefault(stage.pipeline_id, PipelineCounts(stage.pipeline.name, [], 0))
        n = counts.get(stage.id, 0)
        if stage.is_archive:
            result[stage.pipeline_id] = PipelineCounts(flow.pipeline, flow.live, flow.archived + n)
        else:
            flow.live.append((stage.name, n))
    codes = {s.pipeline_id: s.pipeline.code for s in stages}
    used = [
        (codes[pid] != main_code, flow)
        for pid, flow in result.items()
        if codes[pid] == main_code or flow.archived or any(n for _, n in flow.live)
    ]
    return [flow for _, flow in sorted(used, key=lambda pair: pair[0])]
