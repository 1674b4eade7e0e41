"""The month's pay sheet: per person, work done, what each rule earned, bonuses, fines,
corrections of closed months, advances and pay handed over, and what is still owed.

Computed from the rules (core.pay.rules), the work (core.pay.work), bonuses and fines
(core.people) and the ledger (core.money, through core.pay.models.Payout). A closed month
reads its frozen lines; `recompute` computes any month afresh — for a closed month with no
late change the two are equal (tests/core/test_pay_round_trip.py).

Rounding, the one rule: amounts are integer kopecks; a salary share and a percent are each
rounded once, half up, to the kopeck, per rule in force and month (the sum of the bases is
exact, only the product is rounded); piece rates need no rounding."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import peewee as pw

from core.money.models import Account, CashMovement
from core.pay.models import PayLine, PayMonth, Payout
from core.pay.months import Month
from core.pay.rules import Segment, absences_in, segments
from core.pay.work import Event, OrderFacts, Work, month_work
from core.people.models import Bonus, Employee

__all__ = ["FIGURES", "Line", "Part", "compute", "payouts", "round_half_up", "spent"]

# The frozen figures of a line (PayLine's columns), in the sheet's order.
FIGURES = (
    "orders_done", "stages_done", "days_absent", "base", "salary", "percent", "piece",
    "bonuses", "fines", "correction",
)  # fmt: skip


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest integer, halves up (both non-negative)."""
    return (2 * numerator + denominator) // (2 * denominator)


@dataclass
class Part:
    """What one rule in force earned a person in the month."""

    start: str  # ISO dates, inclusive
    end: str
    salary_rate: int = 0
    days: int = 0
    absent: int = 0
    salary: int = 0
    percent_rate: int = 0  # hundredths of a percent
    percent_base: str = "cost"
    base: int = 0
    orders: int = 0  # orders the percent was taken of
    percent: int = 0
    pieces: list[list] = field(default_factory=list)  # [stage name, count, rate, amount]

    @property
    def piece(self) -> int:
        return sum(p[3] for p in self.pieces)


@dataclass
class Line:
    employee_id: int
    name: str
    role: str
    position: str = ""
    orders_done: int = 0
    stages_done: int = 0
    days_absent: int = 0
    base: int = 0
    salary: int = 0
    percent: int = 0
    piece: int = 0
    bonuses: int = 0
    fines: int = 0
    correction: int = 0
    advances: int = 0
    paid: int = 0
    spent: int = 0  # expenses logged from their cash desk in the month (not pay: for the eye)
    parts: list[Part] = field(default_factory=list)

    @property
    def earned(self) -> int:
        return self.salary + self.percent + self.piece

    @property
    def accrued(self) -> int:
        """This month's own pay: what the rules earned, with bonuses, less fines."""
        return self.earned + self.bonuses - self.fines

    @property
    def due(self) -> int:
        """К выплате: accrued and corrections, less what was already handed over."""
        return self.accrued + self.correction - self.advances - self.paid

    def figures(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in FIGURES}


def compute(month: Month) -> dict[int, Line]:
    """Every person's line of the month as the data stand now, without corrections."""
    people = {e.id: e for e in Employee.select()}
    segs = segments(month)
    absent = absences_in(month)
    work = month_work(month)
    crews: dict[int, list[int]] = defaultdict(list)
    for person in people.values():
        if person.crew_id:
            crews[person.crew_id].append(person.id)
    lines: dict[int, Line] = {}

    def line(pid: int) -> Line:
        if pid not in lines:
            p = people[pid]
            lines[pid] = Line(pid, p.name, p.role, p.position)
        return lines[pid]

    for person in people.values():
        if person.active and not person.is_external:
            line(person.id)
    for pid, person_segs in segs.items():
        line(pid).parts = [_salary_part(s, month, absent.get(pid, set())) for s in person_segs]
        line(pid).days_absent = len(absent.get(pid, set()))
    _credit(work, segs, people, crews, line)
    _bonuses(month, line)
    for kind, sums in payouts(month).items():
        for pid, amount in sums.items():
            setattr(line(pid), "advances" if kind == "advance" else "paid", amount)
    for pid, amount in spent(month).items():
        if pid in lines:
            lines[pid].spent = amount
    for ln in lines.values():
        ln.salary = sum(p.salary for p in ln.parts)
        ln.base = sum(p.base for p in ln.parts)
        ln.percent = sum(p.percent for p in ln.parts)
        ln.piece = sum(p.piece for p in ln.parts)
    return lines


def _salary_part(seg: Segment, month: Month, absent: set) -> Part:
    away = sum(1 for day in absent if seg.holds(day))
    rule = seg.rule
    return Part(
        start=seg.start.isoformat(), end=seg.end.isoformat(), salary_rate=rule.salary,
        days=seg.days, absent=away, percent_rate=rule.percent, percent_base=rule.percent_base,
        salary=round_half_up(rule.salary * (seg.days - away), month.days) if rule.salary else 0,
    )  # fmt: skip


Crews = dict[int, list[int]]  # crew id -> its members
LineOf = Callable[[int], "Line"]  # a person's line, made on first use


def _whose(pid: int, scope: str, work_facts: OrderFacts, crews: Crews) -> bool:
    if scope == "answered":
        return work_facts.manager == pid
    doer = work_facts.doer
    if doer is None:
        return False
    return doer[1] == pid if doer[0] == "employee" else pid in crews.get(doer[1], [])


def _credit(
    work: Work,
    segs: dict[int, list[Segment]],
    people: dict[int, Employee],
    crews: Crews,
    line: LineOf,
) -> None:
    """Each finished order and stage done goes to the people whose rule in force that day
    (or, with no rule, whose role: an executor did, the others answered) claims it."""
    bases: dict[tuple[int, int], int] = defaultdict(int)  # (person, part index) -> base
    counts: dict[tuple[int, int, int], int] = defaultdict(int)  # (person, part, stage) -> n
    for kind, events in (("order", work.finished), ("stage", work.stages)):
        for event in events:
            facts = work.orders.get(event.order_id)
            if facts is None:
                continue
            for pid in _candidates(facts, crews):
                index, scope = _rule_on(segs.get(pid, []), event, people[pid].role)
                if not _whose(pid, scope, facts, crews):
                    continue
                if kind == "order":
                    line(pid).orders_done += 1
                    if index is not None:
                        part = line(pid).parts[index]
                        part.orders += 1
                        bases[pid, index] += (
                            facts.margin if part.percent_base == "margin" else facts.cost
                        )
                else:
                    if event.stage_id not in work.archive_stages:
                        line(pid).stages_done += 1
                    if index is not None:
                        counts[pid, index, event.stage_id] += 1
    for (pid, index), base in bases.items():
        part = line(pid).parts[index]
        part.base = base
        part.percent = round_half_up(base * part.percent_rate, 100_00)
    for (pid, index, stage_id), n in sorted(counts.items()):
        rate = segs[pid][index].rates.get(stage_id, 0)
        if rate:
            line(pid).parts[index].pieces.append([work.stage_names[stage_id], n, rate, n * rate])


def _candidates(facts: OrderFacts, crews: Crews) -> set[int]:
    found = {facts.manager} if facts.manager else set()
    if facts.doer is not None:
        found |= (
            {facts.doer[1]} if facts.doer[0] == "employee" else set(crews.get(facts.doer[1], []))
        )
    return found


def _rule_on(person_segs: list[Segment], event: Event, role: str) -> tuple[int | None, str]:
    for index, seg in enumerate(person_segs):
        if seg.holds(event.day):
            return index, seg.rule.scope
    return None, "did" if role == "executor" else "answered"


def _bonuses(month: Month, line: LineOf) -> None:
    query = (
        Bonus.select(Bonus.employee, Bonus.kind, pw.fn.SUM(Bonus.amount))
        .where(Bonus.period == month.period)
        .group_by(Bonus.employee, Bonus.kind)
    )
    for pid, kind, amount in query.tuples():
        setattr(line(pid), "bonuses" if kind == "bonus" else "fines", int(amount or 0))


def payouts(month: Month) -> dict[str, dict[int, int]]:
    """kind (advance | pay) -> person -> what the ledger handed them for the month."""
    sums: dict[str, dict[int, int]] = {"advance": {}, "pay": {}}
    query = (
        Payout.select(Payout.kind, Payout.employee, pw.fn.SUM(CashMovement.amount))
        .join(CashMovement)
        .where(Payout.period == month.period)
        .group_by(Payout.kind, Payout.employee)
    )
    for kind, pid, amount in query.tuples():
        sums[kind][pid] = int(amount or 0)
    return sums


def spent(month: Month) -> dict[int, int]:
    """person -> expenses logged from their cash desk in the month (the ledger's kind
    "expense"): «их затраты» beside their pay."""
    start, end = month.bounds()
    query = (
        CashMovement.select(Account.employee, pw.fn.SUM(CashMovement.amount))
        .join(Account, on=CashMovement.from_account == Account.id)
        .where(
            (CashMovement.kind == "expense") & (CashMovement.at >= start) & (CashMovement.at < end)
        )
        .group_by(Account.employee)
    )
    return {pid: int(amount or 0) for pid, amount in query.tuples() if pid is not None}


def frozen(month_row: PayMonth) -> dict[int, PayLine]:
    return {pl.employee_id: pl for pl in PayLine.select().where(PayLine.month == month_row.id)}
