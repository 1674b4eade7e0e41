"""Work done in a month, and whose it is: the facts pay is computed from.

- An order is finished when it first reaches an archive stage (core.orders.stats: the one
  rule of «Кто сколько выполнил»).
- A stage is done on an order the first time the order moves forward out of it (to a stage
  further along); an archive stage is done when the order first reaches it (the installer's
  «Завершён» is a connection made). Each (order, stage) is done once, whatever moves back
  and forth follow.
- An order's work is credited to who did it (its executor, else its subcontractor, else
  every member of its crew) or to who answered for it (its manager): a pay rule says which.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import peewee as pw

from core.base.clock import to_local
from core.money.models import CashMovement
from core.orders.models import Order, Stage, StageMove
from core.orders.stats import credited_to, finished_orders
from core.pay.months import Month

__all__ = ["Event", "OrderFacts", "Work", "month_work"]

CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True)
class Event:
    order_id: int
    day: date  # the local day it happened: the pay rule in force that day applies
    stage_id: int | None = None  # None: the order finished


@dataclass(frozen=True)
class OrderFacts:
    cost: int
    spent: int  # expenses recorded on the order, to this moment
    manager: int | None
    doer: tuple[str, int] | None  # ("employee", id) | ("crew", id) | None

    @property
    def margin(self) -> int:
        """Cost − expenses; a loss is no one's negative pay."""
        return max(self.cost - self.spent, 0)


@dataclass(frozen=True)
class Work:
    finished: list[Event]
    stages: list[Event]
    orders: dict[int, OrderFacts]
    stage_names: dict[int, str]
    archive_stages: frozenset[int]


def month_work(month: Month) -> Work:
    start, end = month.bounds()
    finished = [
        Event(order_id, _day(at))
        for order_id, at in finished_orders(start, end).order_by(StageMove.id).tuples()
    ]
    stages = {s.id: s for s in Stage.select()}
    done = _stages_done(start, end, stages)
    order_ids = sorted({e.order_id for e in finished} | {e.order_id for e in done})
    return Work(
        finished=finished,
        stages=done,
        orders=_facts(order_ids),
        stage_names={s.id: s.name for s in stages.values()},
        archive_stages=frozenset(s.id for s in stages.values() if s.is_archive),
    )


def _day(at: datetime) -> date:
    return to_local(at).date()


def _done_stages(move: tuple, stages: dict[int, Stage]) -> list[int]:
    """The stages this move completes (see the module's rule): the one it leaves going
    forward, and the archive stage it reaches from outside the archive."""
    from_id, to_id = move[1], move[2]
    to = stages.get(to_id)
    came = stages.get(from_id) if from_id is not None else None
    done = []
    if came is not None and not came.is_archive and to is not None:
        if to.pipeline_id == came.pipeline_id and to.position > came.position:
            done.append(came.id)
    if to is not None and to.is_archive and (came is None or not came.is_archive):
        done.append(to.id)
    return done


def _moves(where: pw.Expression, *, timed: bool = True) -> list[tuple]:
    """(order, from, to, at) of the moves, in order; untimed: (order, from, to) — reading
    the times is most of the cost, and the history before a month needs none."""
    columns = [StageMove.order, StageMove.from_stage, StageMove.to_stage]
    query = StageMove.select(*columns, *([StageMove.at] if timed else [])).where(where)
    return list(query.order_by(StageMove.at, StageMove.id).tuples())


def _stages_done(start: datetime, end: datetime, stages: dict[int, Stage]) -> list[Event]:
    """Stages done for the first time in [start, end): the month's moves, less the (order,
    stage) pairs some earlier move already did."""
    firsts: dict[tuple[int, int], datetime] = {}
    for move in _moves((StageMove.at >= start) & (StageMove.at < end)):
        for stage_id in _done_stages(move, stages):
            firsts.setdefault((move[0], stage_id), move[3])
    orders = sorted({order_id for order_id, _ in firsts})
    for i in range(0, len(orders), CHUNK):
        chunk = orders[i : i + CHUNK]
        for move in _moves(StageMove.order.in_(chunk) & (StageMove.at < start), timed=False):
            for stage_id in _done_stages(move, stages):
                firsts.pop((move[0], stage_id), None)
    return [
        Event(order_id, _day(at), stage_id)
        for (order_id, stage_id), at in sorted(firsts.items(), key=lambda kv: (kv[1], kv[0]))
    ]


def _facts(order_ids: list[int]) -> dict[int, OrderFacts]:
    facts: dict[int, OrderFacts] = {}
    for i in range(0, len(order_ids), CHUNK):
        chunk = order_ids[i : i + CHUNK]
        spent: dict[int, int] = defaultdict(int)
        for order_id, amount in (
            CashMovement.select(CashMovement.order, pw.fn.SUM(CashMovement.amount))
            .where(CashMovement.order.in_(chunk) & CashMovement.kind.in_(("expense", "outcome")))
            .group_by(CashMovement.order)
            .tuples()
        ):
            spent[order_id] = int(amount or 0)
        rows = Order.select(
            Order.id, Order.cost, Order.manager, Order.executor, Order.subcontractor, Order.crew
        ).where(Order.id.in_(chunk))
        for order_id, cost, manager, executor, sub, crew in rows.tuples():
            facts[order_id] = OrderFacts(
                int(cost), spent[order_id], manager, credited_to(executor, sub, crew)
            )
    return facts
