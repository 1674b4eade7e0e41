"""Round trip on a generated year of both firms' data (cli/demo: printing and installation
orders with their history, crews' advances and receipts): every month of the year closed in
turn and paid through the ledger; each closed month, recomputed from the rules, the work and
the ledger, equals what was frozen; late changes reach people once, as corrections."""

from __future__ import annotations

import random
from datetime import date

from cli.demo import generate
from core.access import SYSTEM
from core.base.clock import local_today
from core.base.money import rubles
from core.money import cash
from core.money.models import CashMovement
from core.orders import stats
from core.orders.models import Order, Pipeline, Stage
from core.pay import payroll, rules
from core.pay.models import PayLine, PayMonth, Payout
from core.pay.months import month_of
from core.pay.sheet import compute
from core.people.models import Employee
from core.people.staff import add_bonus


def _stage(pipeline: str, code: str) -> int:
    return Stage.get((Stage.code == code) & (Stage.pipeline == Pipeline.get(code=pipeline))).id


def _year() -> list:
    """The twelve months before this one, oldest first."""
    months = [month_of(local_today()).previous]
    while len(months) < 12:
        months.append(months[-1].previous)
    return months[::-1]


def _pay_rules(year, rnd: random.Random) -> dict[str, Employee]:
    people = {e.name: e for e in Employee.select()}
    start, middle = date(year[0].year - 1, 1, 1), year[6].first.replace(day=16)
    mounting, completed = _stage("installation", "mounting"), _stage("installation", "completed")
    in_work = _stage("printing", "in_work")
    rules.set_rule(SYSTEM, people["Мария Котова"].id, start, salary=rubles(40000), percent=300,
                   percent_base="margin", scope="answered")  # fmt: skip
    rules.set_rule(SYSTEM, people["Олег Лебедев"].id, start, percent=500, scope="answered")
    rules.set_rule(SYSTEM, people["Олег Лебедев"].id, middle, percent=450, scope="answered")
    rules.set_rule(SYSTEM, people["Пётр Печатников"].id, start, salary=rubles(35000),
                   rates={in_work: rubles(150)})  # fmt: skip
    rules.set_rule(SYSTEM, people["Анна Дизайнова"].id, start, percent=1000)
    for name in ("Иван Петров", "Алексей Смирнов", "Николай Соколов"):
        rules.set_rule(SYSTEM, people[name].id, start,
                       rates={mounting: rubles(2500), completed: rubles(1500)})  # fmt: skip
    rules.set_rule(SYSTEM, people["Николай Соколов"].id, middle, salary=rubles(20000),
                   rates={mounting: rubles(3000)})  # fmt: skip
    rules.set_rule(SYSTEM, people["Дмитрий Быстров"].id, start, salary=rubles(25000))
    for month in year:
        for _ in range(rnd.randint(0, 3)):
            day = month.first.replace(day=rnd.randint(1, month.days))
            rules.mark_absent(SYSTEM, people["Дмитрий Быстров"].id, day)
        add_bonus(SYSTEM, people["Пётр Печатников"].id, "bonus", rubles(rnd.randint(1, 9) * 500),
                  "за объём", month.period)  # fmt: skip
        add_bonus(SYSTEM, people["Иван Петров"].id, "fine", rubles(500), "опоздание", month.period)
        payroll.give_advance(SYSTEM, people["Мария Котова"].id, rubles(15000), month.period)
    # The courier is handed more than a month's salary in the fourth month: overpaid.
    payroll.give_advance(SYSTEM, people["Дмитрий Быстров"].id, rubles(30000), year[3].period)
    return people


def _materials_on_orders(rnd: random.Random) -> None:
    """Receipts on installation orders: the margin the managers' percent is taken of."""
    crew_desk = cash.account_of(Employee.get(Employee.name == "Иван Петров"))
    installation = Pipeline.get(code="installation")
    for order in Order.select().where(Order.pipeline == installation).order_by(Order.id):
        if rnd.random() < 0.6:
            CashMovement.create(kind="expense", amount=rubles(rnd.randint(5, 80) * 100),
                                from_account=crew_desk, order=order.id, note="кабель",
                                at=order.created_at)  # fmt: skip


def _frozen(period: str) -> dict[int, dict]:
    row = PayMonth.get(PayMonth.period == period)
    return {
        pl.employee_id: {n: getattr(pl, n) for n in payroll.FIGURES}
        for pl in PayLine.select().where(PayLine.month == row)
    }


def _figures(lines) -> dict[int, dict]:
    return {pid: ln.figures() for pid, ln in lines.items()}


def test_a_generated_year_closes_pays_and_recomputes_to_the_same_sheets(db):
    rnd = random.Random(27)
    generate(80, 1400, seed=11)
    year = _year()
    people = _pay_rules(year, rnd)
    _materials_on_orders(rnd)
    main_before = cash.balance(cash.main_account())
    owed_total = 0
    for month in year:
        payroll.close_month(SYSTEM, month.period)
        owed = {ln.employee_id: ln.due for ln in payroll.sheet(SYSTEM, month).lines if ln.due > 0}
        made = payroll.pay_month(SYSTEM, month.period)
        assert {p.employee_id: p.movement.amount for p in made} == owed
        owed_total += sum(owed.values())
    # Both firms' work is on the sheets: percents, piece rates of crews and the printer.
    frozen = {m.period: _frozen(m.period) for m in year}
    assert sum(f[people["Олег Лебедев"].id]["percent"] for f in frozen.values()) > 0
    assert sum(f[people["Иван Петров"].id]["piece"] for f in frozen.values()) > 0
    assert sum(f[people["Пётр Печатников"].id]["piece"] for f in frozen.values()) > 0
    assert sum(f[people["Мария Котова"].id]["base"] for f in frozen.values()) > 0
    # Work done is counted by the rule of «Кто сколько выполнил»: who did, each month.
    doers = ("Пётр Печатников", "Анна Дизайнова", "Иван Петров", "Алексей Смирнов")
    for month in year:
        by_who = {row.who: row.orders for row in stats.finished_by(SYSTEM, *month.bounds())}
        for name in doers:
            person = people[name]
            crew = by_who.get(person.crew.name, 0) if person.crew_id else 0
            done = frozen[month.period][person.id]["orders_done"]
            assert done == by_who.get(name, 0) + crew, (month.period, name)
    assert sum(f[people["Иван Петров"].id]["orders_done"] for f in frozen.values()) > 0
    # Recomputed from the rules and the ledger, each closed month is what was frozen, and
    # the ledger holds every payout: nothing is owed for any closed month.
    for month in year:
        assert _figures(payroll.recompute(month)) == frozen[month.period], month.period
        assert [ln.name for ln in payroll.sheet(SYSTEM, month).lines if ln.due > 0] == []
    assert cash.balance(cash.main_account()) == main_before - owed_total
    assert Payout.select().where(Payout.kind == "advance").count() == 13
    # The courier's overpayment came off the fifth month, once.
    dmitry = people["Дмитрий Быстров"].id
    overpaid = payroll.line_of(SYSTEM, dmitry, year[3]).due
    assert overpaid < 0 and frozen[year[4].period][dmitry]["correction"] == overpaid
    assert frozen[year[5].period][dmitry]["correction"] == 0

    # Late changes to closed months: an expense on an order finished in the third month,
    # an absence in month 5. They move nobody's frozen figures, and come once, next month.
    late_order = _finished_in(year[2])
    CashMovement.create(kind="outcome", amount=rubles(1000), from_account=cash.main_account(),
                        order=late_order.id, note="доставка")  # fmt: skip
    courier = people["Дмитрий Быстров"]
    free_day = next(d for d in range(1, 29) if not _absent(courier, year[4].first.replace(day=d)))
    rules.mark_absent(SYSTEM, courier.id, year[4].first.replace(day=free_day))
    assert _frozen(year[2].period) == frozen[year[2].period]
    this = month_of(local_today())
    expected: dict[int, int] = {}
    for month in year:
        now = compute(month)
        for pid, was in frozen[month.period].items():
            diff = now[pid].accrued - (was["salary"] + was["percent"] + was["piece"]
                                       + was["bonuses"] - was["fines"])  # fmt: skip
            if diff:
                expected[pid] = expected.get(pid, 0) + diff
    assert expected  # the changes did change something
    # What the last closed month handed out beyond its due (a fine in a month without work)
    # comes off this one too.
    for ln in payroll.sheet(SYSTEM, year[-1]).lines:
        if ln.due < 0:
            expected[ln.employee_id] = expected.get(ln.employee_id, 0) + ln.due
    carried = {
        ln.employee_id: ln.correction for ln in payroll.sheet(SYSTEM, this).lines if ln.correction
    }
    assert carried == expected


def _finished_in(month) -> Order:
    from core.orders.stats import finished_orders

    start, end = month.bounds()
    installation = Pipeline.get(code="installation")
    ids = [o for o, _at in finished_orders(start, end).tuples()]
    return (
        Order.select()
        .where(Order.id.in_(ids) & (Order.pipeline == installation) & Order.manager.is_null(False))
        .first()
    )


def _absent(person, day) -> bool:
    from core.pay.models import Absence

    return Absence.select().where((Absence.employee == person.id) & (Absence.day == day)).exists()
