"""Pay as people reach it: the month's sheet through the one access rule, closing a month,
paying it and advances. Every read of pay goes through `sheet` or `line_of` with the actor
(core.access.can_see_pay decides)."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import peewee as pw

from core.access import Actor, can_see_earnings, can_see_pay, require_role
from core.base.db import database
from core.base.errors import AccessDenied, Conflict, NotFound, ValidationError
from core.base.money import check_sum
from core.money.cash import main_account
from core.money.models import CashMovement
from core.pay.models import PayLine, PayMonth, Payout
from core.pay.months import Month, month_of
from core.pay.sheet import FIGURES, Line, Part, compute, frozen, payouts, spent
from core.people.models import Employee

__all__ = [
    "Sheet",
    "close_month",
    "give_advance",
    "line_of",
    "pay_month",
    "recompute",
    "sheet",
]

MONTH_NAMES = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip


def month_title(month: Month) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


@dataclass(frozen=True)
class Sheet:
    month: Month
    closed: PayMonth | None
    lines: list[Line]  # the ones the actor may see, by name
    base_hidden: bool  # the percent bases (order sums) are masked for this actor
    can_close: bool  # the director may close it now

    def total(self, name: str) -> int:
        return sum(getattr(ln, name) or 0 for ln in self.lines)

    @property
    def owed(self) -> int:
        """What paying the month would hand out (an overpaid line takes nothing back now:
        its overpayment comes off the next month, see _corrections)."""
        return sum(max(ln.due, 0) for ln in self.lines)


def _closed(month: Month) -> PayMonth | None:
    return PayMonth.get_or_none(PayMonth.period == month.period)


def _latest_closed() -> PayMonth | None:
    return PayMonth.select().order_by(PayMonth.period.desc()).first()


def _accrued(figures: dict[str, int]) -> int:
    return (
        figures["salary"]
        + figures["percent"]
        + figures["piece"]
        + figures["bonuses"]
        - figures["fines"]
    )


# The open month's corrections recompute every closed month: kept per process while no row
# that could change a closed month was added (_inputs_mark: today's moves, orders and
# payments do not count) and for at most a minute (edits in place, such as an order's cost or
# a crew's members, show within it). Closing a month always counts afresh.
CORRECTIONS_SECONDS = 60
_corrections_cache: dict[str, tuple[float, tuple, dict[int, int]]] = {}


def _inputs_mark(latest: PayMonth) -> tuple:
    """The newest row of each pay input that can reach a closed month (one statement): moves
    dated before the last closed month ended, expenses on orders, rules, bonuses and
    absences of closed months — and the absences' count (one unmarked is a row gone)."""
    from core.orders.models import StageMove
    from core.pay.models import Absence, PayRule
    from core.people.models import Bonus

    closed = month_of(latest.period)
    _start, end = closed.bounds()
    marks = [
        StageMove.select(pw.fn.MAX(StageMove.id)).where(StageMove.at < end),
        CashMovement.select(pw.fn.MAX(CashMovement.id)).where(
            CashMovement.kind.in_(("expense", "outcome")) & CashMovement.order.is_null(False)
        ),
        PayRule.select(pw.fn.MAX(PayRule.id)).where(PayRule.valid_from <= closed.last),
        Bonus.select(pw.fn.MAX(Bonus.id)).where(Bonus.period <= closed.period),
        Absence.select(pw.fn.MAX(Absence.id)).where(Absence.day <= closed.last),
        Absence.select(pw.fn.COUNT(Absence.id)).where(Absence.day <= closed.last),
        PayMonth.select(pw.fn.MAX(PayMonth.closed_at)),  # a new close, a new world
    ]
    return tuple(database.execute(pw.Select(columns=marks)).fetchone())


def _corrections(month: Month, *, fresh: bool = False) -> dict[int, int]:
    """What late changes of closed months still owe each person (− when overpaid), carried
    into `month`: the month after the last closed one (when it closes, the sum freezes in
    its lines) or, recomputed, a closed month. Owed = what each closed month before it
    computes to now − what it froze − the corrections frozen so far + what each of them
    handed out beyond its due (_overpaid): an overpayment comes off the next month, and
    what that one cannot cover, off the one after."""
    latest = _latest_closed()
    if latest is None or (
        _closed(month) is None and month.period != month_of(latest.period).next.period
    ):
        return {}
    mark = _inputs_mark(latest)
    kept = _corrections_cache.get(month.period)
    if not fresh and kept and kept[1] == mark and time.monotonic() - kept[0] < CORRECTIONS_SECONDS:
        return dict(kept[2])
    owed: dict[int, int] = {}
    for row in PayMonth.select().where(PayMonth.period < month.period):
        now = compute(month_of(row.period))
        then = frozen(row)
        for pid in set(now) | set(then):
            was = then.get(pid)
            was_figures = (
                {n: getattr(was, n) for n in FIGURES} if was else dict.fromkeys(FIGURES, 0)
            )
            diff = (now[pid].accrued if pid in now else 0) - _accrued(was_figures)
            owed[pid] = owed.get(pid, 0) + diff - was_figures["correction"]
        for pid, amount in _overpaid(row, then).items():
            owed[pid] = owed.get(pid, 0) + amount
    owed = {pid: amount for pid, amount in owed.items() if amount}
    _corrections_cache[month.period] = (time.monotonic(), mark, owed)
    return dict(owed)


def _overpaid(row: PayMonth, then: dict[int, PayLine]) -> dict[int, int]:
    """person -> what a closed month handed them beyond its frozen due (negative). Stable
    once the month is closed: no advance is given on it, and paying it hands out only a
    positive due, in full."""
    handed = payouts(month_of(row.period))
    over: dict[int, int] = {}
    for pid in set(then) | set(handed["advance"]) | set(handed["pay"]):
        line = then.get(pid)
        figures = {n: getattr(line, n) for n in FIGURES} if line is not None else None
        owed = _accrued(figures) + figures["correction"] if figures else 0
        due = owed - handed["advance"].get(pid, 0) - handed["pay"].get(pid, 0)
        if due < 0:
            over[pid] = due
    return over


def recompute(month: Month, *, fresh: bool = True) -> dict[int, Line]:
    """The month's lines computed afresh from the rules, the work, the bonuses and the
    ledger, with the corrections it carries (fresh=False: those may come from the cache)."""
    lines = compute(month)
    for pid, amount in _corrections(month, fresh=fresh).items():
        if pid not in lines:
            person = Employee.get_by_id(pid)
            lines[pid] = Line(pid, person.name, person.role, person.position)
        lines[pid].correction = amount
    return lines


def _from_frozen(row: PayMonth) -> dict[int, Line]:
    month = month_of(row.period)
    paid, used = payouts(month), spent(month)
    lines = {}
    for pid, pl in frozen(row).items():
        person = pl.employee
        line = Line(
            pid, person.name, person.role, person.position, **{n: getattr(pl, n) for n in FIGURES}
        )
        line.parts = [Part(**part) for part in pl.detail or []]
        line.advances = paid["advance"].get(pid, 0)
        line.paid = paid["pay"].get(pid, 0)
        line.spent = used.get(pid, 0)
        lines[pid] = line
    for kind in ("advance", "pay"):  # handed to someone not on the frozen sheet
        for pid, amount in paid[kind].items():
            if pid not in lines:
                person = Employee.get_by_id(pid)
                lines[pid] = Line(pid, person.name, person.role, person.position)
                setattr(lines[pid], "advances" if kind == "advance" else "paid", amount)
    return lines


def _lines(month: Month) -> tuple[PayMonth | None, dict[int, Line]]:
    row = _closed(month)
    return (row, _from_frozen(row)) if row is not None else (None, recompute(month, fresh=False))


def _masked(line: Line) -> Line:
    parts = [dataclasses.replace(p, base=None) for p in line.parts]
    return dataclasses.replace(line, base=None, parts=parts)


def sheet(actor: Actor, period: str | Month | None = None) -> Sheet:
    """The month's sheet as this actor may see it: the director everyone's, anyone else
    their own line (if can_see_pay allows), nobody else's."""
    month = period if isinstance(period, Month) else month_of(period)
    if actor.kind != "employee" and not actor.is_director:
        raise AccessDenied("Нет доступа к зарплатам.")
    if not actor.is_director and not can_see_pay(actor, actor.employee_id or 0):
        raise AccessDenied("Зарплата вам не показывается: так настроил директор.")
    row, lines = _lines(month)
    visible = [ln for pid, ln in lines.items() if can_see_pay(actor, pid)]
    hidden = not can_see_earnings(actor)
    if hidden:
        visible = [_masked(ln) for ln in visible]
    latest = _latest_closed()
    can_close = (
        actor.is_director and row is None and month.has_ended()
        and (latest is None or month_of(latest.period).next == month)
    )  # fmt: skip
    return Sheet(month, row, sorted(visible, key=lambda ln: ln.name), hidden, can_close)


def line_of(actor: Actor, employee_id: int, period: str | Month | None = None) -> Line:
    """One person's line (their payslip). Someone else's pay looks like no pay at all."""
    if not can_see_pay(actor, employee_id):
        raise NotFound("Расчёт зарплаты не найден.")
    month = period if isinstance(period, Month) else month_of(period)
    for line in sheet(actor, month).lines:
        if line.employee_id == employee_id:
            return line
    raise NotFound("Расчёт зарплаты не найден.")


def close_month(actor: Actor, period: str) -> PayMonth:
    """Freeze the month's sheet. Months close in order, once each, after they end; a later
    change to a closed month reaches its people as a correction in the next one."""
    require_role(actor, "director")
    month = month_of(period)
    if not month.has_ended():
        raise ValidationError(f"Месяц {month_title(month)} ещё не закончился.")
    latest = _latest_closed()
    if latest is not None and latest.period >= month.period:
        raise Conflict(f"Месяц {month_title(month)} уже закрыт.")
    if latest is not None and month_of(latest.period).next != month:
        raise ValidationError(f"Сначала закройте {month_title(month_of(latest.period).next)}.")
    try:
        with database.atomic():
            row = PayMonth.create(period=month.period, closed_by=actor.employee_id)
            lines = recompute(month)
            PayLine.insert_many([
                {"month": row.id, "employee": pid, **ln.figures(),
                 "detail": [dataclasses.asdict(p) for p in ln.parts]}
                for pid, ln in lines.items()
            ]).execute()  # fmt: skip
    except pw.IntegrityError as exc:  # closed at the same moment by another request
        raise Conflict(f"Месяц {month_title(month)} уже закрыт.") from exc
    return row


def _payout(
    actor: Actor, employee: Employee, amount: int, period: str, kind: str, note: str
) -> Payout:
    what = "Аванс" if kind == "advance" else "Зарплата"
    movement = CashMovement.create(
        kind="salary", amount=amount, from_account=main_account(), to_account=None,
        note=note or f"{what} за {month_title(month_of(period))}: {employee.name}",
        author=actor.employee_id,
    )  # fmt: skip
    return Payout.create(movement=movement, employee=employee.id, period=period, kind=kind)


def pay_month(actor: Actor, period: str, employee_ids: list[int] | None = None) -> list[Payout]:
    """Hand each person (or the ones named) what the closed month still owes them: one
    cash movement per person out of the main desk. Two clicks at once pay once: the
    month's row is locked first, so the second sees the first's payouts."""
    require_role(actor, "director")
    month = month_of(period)
    with database.atomic():
        locked = (
            PayMonth.update(version=PayMonth.version + 1)
            .where(PayMonth.period == month.period)
            .execute()
        )
        if not locked:
            raise ValidationError(
                f"Сначала закройте {month_title(month)}: платят по закрытому месяцу."
            )
        _row, lines = _lines(month)
        wanted = set(employee_ids) if employee_ids is not None else set(lines)
        made = []
        for pid, line in sorted(lines.items()):
            if pid in wanted and line.due > 0:
                made.append(
                    _payout(actor, Employee.get_by_id(pid), line.due, month.period, "pay", "")
                )
        return made


def give_advance(
    actor: Actor, employee_id: int, amount: int, period: str | None = None, note: str = ""
) -> Payout:
    """An advance on a month's pay (аванс), out of the main desk; it is taken off what the
    month owes."""
    require_role(actor, "director")
    check_sum(amount, what="Сумма аванса")
    month = month_of(period)
    employee = Employee.get_or_none(Employee.id == employee_id)
    if employee is None:
        raise NotFound("Сотрудник не найден.")
    if _closed(month) is not None:
        raise ValidationError(f"Месяц {month_title(month)} закрыт: выплатите по расчёту.")
    with database.atomic():
        return _payout(actor, employee, amount, month.period, "advance", note.strip())
