"""The director's pay rules and absence marks. A rule is never edited: a change is a new
dated row (core.pay.models.PayRule), so any past month computes as it was paid."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import peewee as pw

from core.access import Actor, can_see_pay, require_role
from core.base.db import database
from core.base.errors import NotFound, ValidationError
from core.base.money import check_sum
from core.orders.models import Stage
from core.pay.models import Absence, PayRule, PieceRate
from core.pay.months import Month
from core.people.models import Employee

__all__ = [
    "BASES",
    "SCOPES",
    "Segment",
    "absences_in",
    "absence_notes",
    "absences_of",
    "mark_absent",
    "mark_absent_days",
    "parse_percent",
    "rules_of",
    "segments",
    "set_rule",
    "unmark_absent",
]

BASES = {"cost": "от стоимости заказов", "margin": "от маржи (стоимость − расходы)"}
SCOPES = {"did": "которые выполнил", "answered": "за которые отвечал (менеджер)"}
MAX_PERCENT = 100_00  # hundredths of a percent


def _person(employee_id: int) -> Employee:
    person = Employee.get_or_none(Employee.id == employee_id)
    if person is None:
        raise NotFound("Сотрудник не найден.")
    return person


def set_rule(
    actor: Actor,
    employee_id: int,
    valid_from: date,
    *,
    salary: int = 0,
    percent: int = 0,
    percent_base: str = "cost",
    scope: str = "did",
    rates: dict[int, int] | None = None,
    note: str = "",
) -> PayRule:
    """A person's pay from `valid_from` on: a monthly salary, a percent (hundredths: 250 is
    2,5 %) of the orders of `scope`, piece rates per stage done ({stage id: kopecks}), or a
    mix. All zeros is a rule too: no pay from that day."""
    require_role(actor, "director")
    _person(employee_id)
    if not isinstance(valid_from, date):
        raise ValidationError("Укажите дату, с которой действуют условия.")
    check_sum(salary, allow_zero=True, what="Оклад")
    if not isinstance(percent, int) or not 0 <= percent <= MAX_PERCENT:
        raise ValidationError("Процент — число от 0 до 100.")
    if percent_base not in BASES:
        raise ValidationError("Процент считается от стоимости заказов или от маржи.")
    if scope not in SCOPES:
        raise ValidationError("Чьи заказы: которые выполнил или за которые отвечал.")
    rates = {int(k): v for k, v in (rates or {}).items() if v}
    for amount in rates.values():
        check_sum(amount, what="Сдельная ставка")
    known = {s for (s,) in Stage.select(Stage.id).where(Stage.id.in_(list(rates) or [0])).tuples()}
    if set(rates) - known:
        raise ValidationError("Сдельная ставка указана для этапа, которого нет.")
    with database.atomic():
        rule = PayRule.create(
            employee=employee_id, valid_from=valid_from, salary=salary, percent=percent,
            percent_base=percent_base, scope=scope, note=note.strip()[:1000],
            created_by=actor.employee_id,
        )  # fmt: skip
        for stage_id, amount in sorted(rates.items()):
            PieceRate.create(rule=rule, stage=stage_id, amount=amount)
    return rule


def rules_of(actor: Actor, employee_id: int) -> list[PayRule]:
    """A person's rules, newest first (the first one is in force from its date on): the
    director's and the person's own to read (core.access.can_see_pay), nobody else's."""
    if not can_see_pay(actor, employee_id):
        raise NotFound("Сотрудник не найден.")
    return list(
        PayRule.select()
        .where(PayRule.employee == employee_id)
        .order_by(PayRule.valid_from.desc(), PayRule.id.desc())
    )


@dataclass(frozen=True)
class Segment:
    """The days of a month one rule was in force for one person."""

    rule: PayRule
    start: date
    end: date  # inclusive
    rates: dict[int, int]  # stage id -> kopecks

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


def segments(month: Month) -> dict[int, list[Segment]]:
    """employee id -> the rules in force during the month, in order, with their days."""
    by_person: dict[int, list[PayRule]] = defaultdict(list)
    query = PayRule.select().where(PayRule.valid_from <= month.last)
    for rule in query.order_by(PayRule.employee, PayRule.valid_from, PayRule.id):
        by_person[rule.employee_id].append(rule)
    result: dict[int, list[Segment]] = {}
    kept: list[tuple[int, PayRule, date]] = []
    for person, rules in by_person.items():
        # The rule of each start day: the last row of that date; the one in force on the
        # 1st is the last row dated on or before it.
        chosen: dict[date, PayRule] = {}
        for rule in rules:
            chosen[max(rule.valid_from, month.first)] = rule
        starts = sorted(chosen)
        for i, start in enumerate(starts):
            end = starts[i + 1] - timedelta(days=1) if i + 1 < len(starts) else month.last
            kept.append((person, chosen[start], start))
            result.setdefault(person, []).append(Segment(chosen[start], start, end, {}))
    rates: dict[int, dict[int, int]] = defaultdict(dict)
    rule_ids = [rule.id for _p, rule, _s in kept]
    for i in range(0, len(rule_ids), 500):
        for rate in PieceRate.select().where(PieceRate.rule.in_(rule_ids[i : i + 500])):
            rates[rate.rule_id][rate.stage_id] = rate.amount
    return {
        person: [Segment(s.rule, s.start, s.end, rates.get(s.rule.id, {})) for s in segs]
        for person, segs in result.items()
    }


def mark_absent(actor: Actor, employee_id: int, day: date, note: str = "") -> Absence:
    """The director marks a day a person did not work (their salary counts it out)."""
    require_role(actor, "director")
    _person(employee_id)
    if not isinstance(day, date):
        raise ValidationError("Укажите день отсутствия.")
    try:
        with database.atomic():  # the same day marked twice at once: one row, the first
            return Absence.create(
                employee=employee_id, day=day, note=note.strip()[:200], created_by=actor.employee_id
            )
    except pw.IntegrityError:
        return Absence.get((Absence.employee == employee_id) & (Absence.day == day))


MAX_ABSENCE_DAYS = 62  # a leave marked at once: two months at most


def mark_absent_days(
    actor: Actor, employee_id: int, first: date, last: date, note: str = ""
) -> int:
    """The director marks a run of days (a leave, a sick leave) at once: every day from
    `first` to `last` inclusive. Days already marked stay as they were; returns how many
    were new. A backwards or too long run is refused and marks nothing."""
    require_role(actor, "director")
    _person(employee_id)
    if not isinstance(first, date) or not isinstance(last, date):
        raise ValidationError("Укажите первый и последний день отсутствия.")
    if last < first:
        raise ValidationError("Последний день отсутствия раньше первого.")
    count = (last - first).days + 1
    if count > MAX_ABSENCE_DAYS:
        raise ValidationError(f"За один раз можно отметить не больше {MAX_ABSENCE_DAYS} дней.")
    before = Absence.select().where(
        (Absence.employee == employee_id) & (Absence.day >= first) & (Absence.day <= last)
    )
    known = {a.day for a in before}
    with database.atomic():
        for i in range(count):
            day = first + timedelta(days=i)
            if day not in known:
                mark_absent(actor, employee_id, day, note)
    return count - len(known)


def unmark_absent(actor: Actor, employee_id: int, day: date) -> None:
    require_role(actor, "director")
    Absence.delete().where((Absence.employee == employee_id) & (Absence.day == day)).execute()


def absences_of(actor: Actor, employee_id: int, month: Month) -> list[date]:
    """The days of the month a person was marked absent (whose pay the actor may see)."""
    if not can_see_pay(actor, employee_id):
        raise NotFound("Сотрудник не найден.")
    return sorted(absences_in(month).get(employee_id, set()))


def absence_notes(actor: Actor, employee_id: int, month: Month) -> dict[date, str]:
    """The month's absence days of a person with the reason the director gave («отпуск»),
    for whose pay the actor may see."""
    if not can_see_pay(actor, employee_id):
        raise NotFound("Сотрудник не найден.")
    query = Absence.select(Absence.day, Absence.note).where(
        (Absence.employee == employee_id)
        & (Absence.day >= month.first)
        & (Absence.day <= month.last)
    )
    return dict(sorted(query.tuples()))


def absences_in(month: Month) -> dict[int, set[date]]:
    days: dict[int, set[date]] = defaultdict(set)
    query = Absence.select(Absence.employee, Absence.day).where(
        (Absence.day >= month.first) & (Absence.day <= month.last)
    )
    for employee_id, day in query.tuples():
        days[employee_id].add(day)
    return days


def parse_percent(text: str | None) -> int:
    """ "2,5", "2.5 %", "" -> hundredths of a percent (250, 250, 0)."""
    raw = (text or "").replace("%", "").replace(" ", "").replace(",", ".").strip()
    if not raw:
        return 0
    try:
        whole, _, frac = raw.partition(".")
        if not whole.isdigit() and whole != "" or (frac and not frac.isdigit()) or len(frac) > 2:
            raise ValueError
        value = int(whole or 0) * 100 + int(frac.ljust(2, "0") or 0)
    except ValueError:
        raise ValidationError(
            f"Не понимаю процент «{text}». Напишите число, например 2,5."
        ) from None
    if value > MAX_PERCENT:
        raise ValidationError("Процент — число от 0 до 100.")
    return value
