"""Pay: dated rules, the month's sheet (work, salary, percent, piece rates, bonuses, fines,
advances, pay), closing, corrections, paying through the ledger, and who sees whose pay."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from core.access import SYSTEM, actor_for_employee
from core.base import settings
from core.base.errors import AccessDenied, Conflict, NotFound, ValidationError
from core.base.money import rubles
from core.clients.clients import create_client
from core.money import cash
from core.money.models import CashMovement
from core.orders.models import Stage
from core.orders.orders import create_order
from core.pay import payroll, rules
from core.pay.models import Absence, PayLine, Payout, PayRule
from core.pay.months import month_of
from core.pay.sheet import compute, round_half_up
from core.people.staff import add_bonus
from tests.core.pay_world import at, walk

APRIL, MAY, JUNE = "2026-04", "2026-05", "2026-06"


@pytest.fixture
def firm(staff, actors):
    client = create_client(actors["manager"], "Иванов Иван Петрович", "+7 912 345-67-89")
    return {"client": client, **staff}


def _line(period, employee):
    return compute(month_of(period))[employee.id]


def _stage(pipeline, code):
    from core.orders.models import Pipeline

    return Stage.get((Stage.code == code) & (Stage.pipeline == Pipeline.get(code=pipeline))).id


def test_half_up_rounding_once_per_rule():
    assert round_half_up(5, 10) == 1  # 0,5 kopeck -> 1
    assert round_half_up(4, 10) == 0
    assert round_half_up(15, 10) == 2
    assert round_half_up(25, 10) == 3


def test_salary_pro_rated_by_absences_and_a_change_mid_month_applies_from_its_date(firm):
    ivan = firm["executor"]
    rules.set_rule(SYSTEM, ivan.id, date(2026, 1, 1), salary=rubles(30000))
    rules.set_rule(SYSTEM, ivan.id, date(2026, 4, 16), salary=rubles(45000))
    rules.mark_absent(SYSTEM, ivan.id, date(2026, 4, 3), "болел")
    rules.mark_absent(SYSTEM, ivan.id, date(2026, 4, 20))
    rules.mark_absent(SYSTEM, ivan.id, date(2026, 5, 2))  # another month: not counted in April
    line = _line(APRIL, ivan)
    # 1–15 April: 30 000 × 14/30; 16–30 April: 45 000 × 14/30 (April has 30 days).
    assert [(p.start, p.end, p.days, p.absent, p.salary) for p in line.parts] == [
        ("2026-04-01", "2026-04-15", 15, 1, rubles(14000)),
        ("2026-04-16", "2026-04-30", 15, 1, rubles(21000)),
    ]
    assert (line.salary, line.days_absent, line.due) == (rubles(35000), 2, rubles(35000))
    # March knew only the first rule; a rule is a new row, the old one stays as it was.
    assert _line("2026-03", ivan).salary == rubles(30000)
    assert PayRule.select().where(PayRule.employee == ivan.id).count() == 2


def test_the_later_row_of_one_date_wins_and_an_all_zero_rule_stops_pay(firm):
    ivan = firm["executor"]
    rules.set_rule(SYSTEM, ivan.id, date(2026, 4, 1), salary=rubles(10000))
    rules.set_rule(SYSTEM, ivan.id, date(2026, 4, 1), salary=rubles(20000))
    rules.set_rule(SYSTEM, ivan.id, date(2026, 4, 11))  # nothing from the 11th
    assert _line(APRIL, ivan).salary == 666667  # 20 000 × 10/30 = 6 666,666…, half up


def test_percent_of_cost_for_who_did_and_of_margin_for_who_answered(firm, actors):
    maria, ivan = firm["manager"], firm["executor"]
    rules.set_rule(SYSTEM, maria.id, date(2026, 1, 1), percent=500, percent_base="margin",
                   scope="answered")  # fmt: skip
    rules.set_rule(SYSTEM, ivan.id, date(2026, 1, 1), percent=1000, scope="did")
    order = create_order(actors["manager"], firm["client"].id, "Монтаж щитка", rubles(8000),
                         executor_id=ivan.id)  # fmt: skip
    cash.issue_advance(SYSTEM, ivan.id, rubles(5000))
    cash.log_expense(actors["executor"], rubles(1500), "Материалы", "автомат", order_id=order.id)
    walk(order, [("in_work", "2026-04-02"), ("done", "2026-04-05"), ("issued", "2026-04-06"),
                 ("archive", "2026-04-07")])  # fmt: skip
    maria_line, ivan_line = _line(APRIL, maria), _line(APRIL, ivan)
    assert (maria_line.orders_done, maria_line.base, maria_line.percent) == (
        1,
        rubles(6500),
        rubles(325),
    )
    assert (ivan_line.orders_done, ivan_line.base, ivan_line.percent) == (
        1,
        rubles(8000),
        rubles(800),
    )
    # Принят, В работе, Выполнен (Выдан is the print shop's archive: the order finished)
    assert ivan_line.stages_done == 3
    # An order reopened and finished again next month is not new work.
    walk(order, [("issued", "2026-05-03"), ("archive", "2026-05-04")])
    assert _line(MAY, ivan).orders_done == 0 and _line(MAY, ivan).percent == 0


def test_a_percent_rounds_half_up_once_per_rule(firm, actors):
    petr = firm["executor2"]
    rules.set_rule(SYSTEM, petr.id, date(2026, 1, 1), percent=250)  # 2,5 %
    for cost in (101, 101):  # 2 × 1,01 ₽: 2,5 % of 2,02 ₽ is 5,05 kopecks -> 5
        order = create_order(actors["manager"], firm["client"].id, "Визитки", cost,
                             executor_id=petr.id)  # fmt: skip
        walk(order, [("archive", "2026-04-10")], actor=actors["director"])
    line = _line(APRIL, petr)
    assert (line.base, line.percent) == (202, 5)  # not 3 + 3 per order


def test_piece_rate_per_stage_done_goes_to_every_crew_member_once(firm, actors):
    ivan, crew = firm["executor"], firm["crew"]
    mounting, completed = _stage("installation", "mounting"), _stage("installation", "completed")
    rules.set_rule(SYSTEM, ivan.id, date(2026, 1, 1),
                   rates={mounting: rubles(3000), completed: rubles(1000)})  # fmt: skip
    order = create_order(actors["manager"], firm["client"].id, "Подключение дома", rubles(30000),
                         pipeline="installation", crew_id=crew.id)  # fmt: skip
    walk(order, [("mounting", "2026-04-05"), ("documents", "2026-04-10"),
                 ("mounting", "2026-04-11"), ("documents", "2026-04-12"),  # redone: paid once
                 ("grid", "2026-04-14"), ("awaiting_payment", "2026-04-20"),
                 ("completed", "2026-04-25")], actor=actors["director"])  # fmt: skip
    line = _line(APRIL, ivan)
    assert line.parts[0].pieces == [["Монтаж", 1, rubles(3000), rubles(3000)],
                                    ["Завершён", 1, rubles(1000), rubles(1000)]]  # fmt: skip
    # stages done: Принят, Монтаж, Документы, Сдача в сетевую, Ждёт оплаты (each once)
    assert (line.piece, line.orders_done, line.stages_done) == (rubles(4000), 1, 5)
    # the crew's order is not the crew-less executor's, nor the manager's work
    assert _line(APRIL, firm["executor2"]).orders_done == 0


def test_bonuses_fines_advances_and_pay_make_what_is_due(firm):
    petr = firm["executor2"]
    rules.set_rule(SYSTEM, petr.id, date(2026, 1, 1), salary=rubles(40000))
    add_bonus(SYSTEM, petr.id, "bonus", rubles(5000), "за срочный заказ", APRIL)
    add_bonus(SYSTEM, petr.id, "fine", rubles(1000), "опоздание", APRIL)
    payroll.give_advance(SYSTEM, petr.id, rubles(15000), APRIL)
    line = _line(APRIL, petr)
    assert (line.accrued, line.advances, line.due) == (rubles(44000), rubles(15000), rubles(29000))
    movement = CashMovement.get(CashMovement.kind == "salary")
    assert movement.from_account_id == cash.main_account().id and movement.to_account_id is None
    assert "Аванс за апрель 2026" in movement.note


def test_closing_freezes_a_month_and_a_late_change_is_next_months_correction(firm, actors):
    ivan, maria = firm["executor"], firm["manager"]
    rules.set_rule(SYSTEM, ivan.id, date(2026, 1, 1), salary=rubles(30000))
    rules.set_rule(SYSTEM, maria.id, date(2026, 1, 1), percent=1000, percent_base="margin",
                   scope="answered")  # fmt: skip
    order = create_order(actors["manager"], firm["client"].id, "Баннер", rubles(10000))
    walk(order, [("archive", "2026-04-08")], actor=actors["director"])
    with pytest.raises(ValidationError, match="ещё не закончился"):
        payroll.close_month(SYSTEM, date.today().strftime("%Y-%m"))
    payroll.close_month(SYSTEM, APRIL)
    with pytest.raises(Conflict):
        payroll.close_month(SYSTEM, APRIL)
    with pytest.raises(ValidationError, match="Сначала закройте май 2026"):
        payroll.close_month(SYSTEM, JUNE)
    closed = {ln.employee_id: ln for ln in payroll.sheet(SYSTEM, APRIL).lines}
    assert closed[maria.id].percent == rubles(1000) and closed[ivan.id].salary == rubles(30000)
    assert {pid: ln.figures() for pid, ln in payroll.recompute(month_of(APRIL)).items()} == {
        pid: ln.figures() for pid, ln in closed.items()
    }
    # Late: an absence in April and an expense on April's order (Maria's margin drops by 2 000).
    rules.mark_absent(SYSTEM, ivan.id, date(2026, 4, 30))
    cash.record_main(SYSTEM, "outcome", rubles(2000), "плёнка для баннера")
    CashMovement.update(order=order.id).where(CashMovement.kind == "outcome").execute()
    frozen = {ln.employee_id: ln for ln in payroll.sheet(SYSTEM, APRIL).lines}
    assert frozen[ivan.id].salary == rubles(30000) and frozen[maria.id].percent == rubles(1000)
    may = {ln.employee_id: ln for ln in payroll.sheet(SYSTEM, MAY).lines}
    assert may[ivan.id].correction == -rubles(1000)  # one day of 30 000 in a 30-day April
    assert may[maria.id].correction == -rubles(200)
    assert may[ivan.id].due == rubles(30000) - rubles(1000)
    payroll.close_month(SYSTEM, MAY)
    june = {ln.employee_id: ln for ln in payroll.sheet(SYSTEM, JUNE).lines}
    assert june[ivan.id].correction == 0  # carried once
    assert PayLine.select().where(PayLine.correction != 0).count() == 2


def test_paying_a_closed_month_is_one_ledger_movement_per_person_and_only_once(firm):
    ivan, petr = firm["executor"], firm["executor2"]
    rules.set_rule(SYSTEM, ivan.id, date(2026, 1, 1), salary=rubles(30000))
    rules.set_rule(SYSTEM, petr.id, date(2026, 1, 1), salary=rubles(20000))
    payroll.give_advance(SYSTEM, petr.id, rubles(5000), APRIL)
    with pytest.raises(ValidationError, match="Сначала закройте"):
        payroll.pay_month(SYSTEM, APRIL)
    payroll.close_month(SYSTEM, APRIL)
    before = cash.balance(cash.main_account())
    made = payroll.pay_month(SYSTEM, APRIL)
    assert sorted((p.employee_id, p.movement.amount) for p in made) == sorted(
        [(ivan.id, rubles(30000)), (petr.id, rubles(15000))]
    )
    assert cash.balance(cash.main_account()) == before - rubles(45000)
    assert payroll.pay_month(SYSTEM, APRIL) == []
    lines = {ln.employee_id: ln for ln in payroll.sheet(SYSTEM, APRIL).lines}
    assert (lines[petr.id].paid, lines[petr.id].due) == (rubles(15000), 0)
    with pytest.raises(ValidationError, match="закрыт"):
        payroll.give_advance(SYSTEM, ivan.id, rubles(100), APRIL)


def test_two_payouts_at_once_pay_once(firm):
    ivan = firm["executor"]
    rules.set_rule(SYSTEM, ivan.id, date(2026, 1, 1), salary=rubles(30000))
    payroll.close_month(SYSTEM, APRIL)
    barrier, errors = threading.Barrier(4), []

    def pay():
        try:
            barrier.wait()
            payroll.pay_month(SYSTEM, APRIL)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=pay) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [p.movement.amount for p in Payout.select()] == [rubles(30000)]


def test_bad_rules_are_refused_in_russian_and_write_nothing(firm, actors):
    ivan = firm["executor"]
    for kwargs, message in (
        ({"percent": 10001}, "от 0 до 100"),
        ({"percent_base": "profit"}, "от стоимости"),
        ({"scope": "all"}, "Чьи заказы"),
        ({"salary": -1}, "Оклад не может быть отрицательной"),
        ({"rates": {999999: rubles(10)}}, "этапа, которого нет"),
    ):
        with pytest.raises(ValidationError, match=message):
            rules.set_rule(SYSTEM, ivan.id, date(2026, 4, 1), **kwargs)
    with pytest.raises(AccessDenied):
        rules.set_rule(actors["manager"], ivan.id, date(2026, 4, 1), salary=rubles(1))
    with pytest.raises(NotFound):
        rules.set_rule(SYSTEM, 999999, date(2026, 4, 1), salary=rubles(1))
    with pytest.raises(ValidationError, match="ГГГГ-ММ"):
        payroll.sheet(SYSTEM, "апрель")
    assert PayRule.select().count() == 0


def test_each_person_sees_only_their_own_pay(firm, actors):
    ivan, maria = firm["executor"], firm["manager"]
    for person in (ivan, maria, firm["manager2"]):
        rules.set_rule(SYSTEM, person.id, date(2026, 1, 1), salary=rubles(30000))
    everyone = payroll.sheet(actors["director"], APRIL)
    assert {ln.employee_id for ln in everyone.lines} >= {ivan.id, maria.id}
    own = payroll.sheet(actors["executor"], APRIL)
    assert [ln.employee_id for ln in own.lines] == [ivan.id]
    assert own.base_hidden and own.lines[0].base is None  # order money hidden from executors
    assert payroll.line_of(actors["executor"], ivan.id, APRIL).salary == rubles(30000)
    with pytest.raises(NotFound):
        payroll.line_of(actors["executor"], maria.id, APRIL)
    assert [ln.employee_id for ln in payroll.sheet(actors["manager"], APRIL).lines] == [maria.id]
    settings.put("hidden_fields", {"manager": ["cost"], "executor": ["cost"]})
    manager = actor_for_employee(maria)
    with pytest.raises(AccessDenied):
        payroll.sheet(manager, APRIL)
    with pytest.raises(NotFound):
        payroll.line_of(manager, maria.id, APRIL)
    assert payroll.line_of(actors["executor"], ivan.id, APRIL).salary == rubles(30000)
    with pytest.raises(AccessDenied):
        payroll.give_advance(actors["manager"], ivan.id, rubles(100), APRIL)
    with pytest.raises(AccessDenied):
        payroll.close_month(actors["manager"], APRIL)


def test_a_rule_takes_its_date_in_the_firms_zone(firm, actors):
    """An order finished at 23:30 Moscow time on 30 April is April's, though it is still
    20:30 UTC on the 30th and already 1 May in Vladivostok."""
    petr = firm["executor2"]
    rules.set_rule(SYSTEM, petr.id, date(2026, 1, 1), percent=1000)
    order = create_order(actors["manager"], firm["client"].id, "Листовки", rubles(1000),
                         executor_id=petr.id)  # fmt: skip
    walk(order, [("archive", "2026-04-30")], actor=actors["director"])
    from core.orders.models import StageMove

    late = at("2026-04-30").replace(hour=20, minute=30)  # 23:30 in Moscow
    StageMove.update(at=late).where(StageMove.order == order.id).execute()
    assert _line(APRIL, petr).percent == rubles(100)
    assert _line(MAY, petr).percent == 0


def test_an_old_database_gets_the_pay_tables(firm):
    from core import migrations
    from core.base import db as dbmod
    from core.pay.models import Absence, PayMonth, PieceRate

    dbmod.database.obj.drop_tables([Payout, PayLine, PayMonth, Absence, PieceRate, PayRule])
    migrations.SchemaVersion.update(version=22).execute()
    assert migrations.upgrade() == (22, migrations.LATEST)
    assert migrations.upgrade() == (migrations.LATEST, migrations.LATEST)
    rules.set_rule(SYSTEM, firm["executor"].id, date(2026, 1, 1), salary=rubles(30000))
    payroll.close_month(SYSTEM, APRIL)
    assert PayLine.select().where(PayLine.employee == firm["executor"].id).get().salary == rubles(
        30000
    )


def test_the_open_months_corrections_follow_closed_months_new_rows_at_once_and_edits_in_a_minute(
    firm, actors, monkeypatch
):
    from core.orders.models import Order

    maria = firm["manager"]
    rules.set_rule(SYSTEM, maria.id, date(2026, 1, 1), percent=1000, scope="answered")
    order = create_order(actors["manager"], firm["client"].id, "Баннер", rubles(10000))
    walk(order, [("archive", "2026-04-08")], actor=actors["director"])
    payroll.close_month(SYSTEM, APRIL)

    def correction() -> int:
        return payroll.line_of(SYSTEM, maria.id, MAY).correction

    assert correction() == 0
    Order.update(cost=rubles(12000)).where(Order.id == order.id).execute()  # an edit in place
    assert correction() == 0  # kept: no new row, within the minute
    today = create_order(actors["manager"], firm["client"].id, "Визитки", rubles(500))
    walk(today, [("in_work", date.today().isoformat())])  # today's work: no closed month's
    assert correction() == 0
    monkeypatch.setattr(payroll, "CORRECTIONS_SECONDS", 0)
    assert correction() == rubles(200)  # the minute is over
    monkeypatch.setattr(payroll, "CORRECTIONS_SECONDS", 60)
    add_bonus(SYSTEM, maria.id, "bonus", rubles(300), "за план", APRIL)  # a new row: at once
    assert correction() == rubles(500)
    Order.update(cost=rubles(13000)).where(Order.id == order.id).execute()
    payroll.close_month(SYSTEM, MAY)  # closing counts afresh, whatever is kept
    assert PayLine.get(PayLine.employee == maria.id, PayLine.correction != 0).correction == rubles(
        600
    )


def test_a_month_closed_twice_at_once_closes_once(firm):
    rules.set_rule(SYSTEM, firm["executor"].id, date(2026, 1, 1), salary=rubles(30000))
    barrier, outcomes = threading.Barrier(3), []

    def close():
        barrier.wait()
        try:
            payroll.close_month(SYSTEM, APRIL)
            outcomes.append("closed")
        except Conflict as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=close) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["closed", *["Месяц апрель 2026 уже закрыт."] * 2]
    assert PayLine.select().where(PayLine.employee == firm["executor"].id).count() == 1


def test_rules_and_absences_are_read_by_their_person_and_the_director_only(firm, actors):
    ivan = firm["executor"]
    rules.set_rule(SYSTEM, ivan.id, date(2026, 1, 1), salary=rubles(30000))
    rules.mark_absent(SYSTEM, ivan.id, date(2026, 4, 9), "отгул")
    assert [r.salary for r in rules.rules_of(actors["executor"], ivan.id)] == [rubles(30000)]
    assert rules.absences_of(actors["director"], ivan.id, month_of(APRIL)) == [date(2026, 4, 9)]
    notes = {date(2026, 4, 9): "отгул"}
    assert rules.absence_notes(actors["executor"], ivan.id, month_of(APRIL)) == notes
    for other in ("manager", "executor2"):
        with pytest.raises(NotFound):
            rules.rules_of(actors[other], ivan.id)
        with pytest.raises(NotFound):
            rules.absences_of(actors[other], ivan.id, month_of(APRIL))
        with pytest.raises(NotFound):
            rules.absence_notes(actors[other], ivan.id, month_of(APRIL))


def test_an_overpaid_month_is_taken_off_the_next_ones_until_it_is_made_up(firm):
    """An advance bigger than the month earned (a long absence) is not forgotten when the
    month closes: what was overpaid comes into the next month as a correction, and what that
    month cannot cover goes on to the one after, once."""
    petr = firm["executor2"]
    rules.set_rule(SYSTEM, petr.id, date(2026, 1, 1), salary=rubles(30000))
    for day in range(1, 21):  # away 20 days of April's 30: earns 10 000
        rules.mark_absent(SYSTEM, petr.id, date(2026, 4, day))
    payroll.give_advance(SYSTEM, petr.id, rubles(15000), APRIL)
    payroll.close_month(SYSTEM, APRIL)
    assert payroll.line_of(SYSTEM, petr.id, APRIL).due == -rubles(5000)
    assert payroll.pay_month(SYSTEM, APRIL) == []  # nothing to hand out, nothing taken back
    may = payroll.line_of(SYSTEM, petr.id, MAY)
    assert (may.correction, may.due) == (-rubles(5000), rubles(25000))
    # May's advance overpays again: 25 000 owed, 40 000 handed — 15 000 to come off June.
    payroll.give_advance(SYSTEM, petr.id, rubles(40000), MAY)
    payroll.close_month(SYSTEM, MAY)
    june = payroll.line_of(SYSTEM, petr.id, JUNE)
    assert (june.correction, june.due) == (-rubles(15000), rubles(15000))
    payroll.close_month(SYSTEM, JUNE)
    payroll.pay_month(SYSTEM, JUNE)
    july = payroll.line_of(SYSTEM, petr.id, "2026-07")
    assert (july.correction, july.due) == (0, rubles(30000))  # made up: taken off once
    for period in (APRIL, MAY, JUNE):  # each closed month recomputes to what it froze
        frozen = {ln.employee_id: ln.figures() for ln in payroll.sheet(SYSTEM, period).lines}
        recomputed = payroll.recompute(month_of(period))
        assert {pid: ln.figures() for pid, ln in recomputed.items()} == frozen, period


def test_a_leave_is_marked_as_a_run_of_days_and_a_bad_run_marks_nothing(firm, actors):
    ivan = firm["executor"]
    rules.set_rule(SYSTEM, ivan.id, date(2026, 1, 1), salary=rubles(30000))
    rules.mark_absent(SYSTEM, ivan.id, date(2026, 4, 10), "отгул")
    added = rules.mark_absent_days(SYSTEM, ivan.id, date(2026, 4, 6), date(2026, 4, 17), "отпуск")
    assert added == 11  # twelve days, the 10th already marked
    assert rules.absences_of(SYSTEM, ivan.id, month_of(APRIL)) == [
        date(2026, 4, d) for d in range(6, 18)
    ]
    assert _line(APRIL, ivan).salary == rubles(30000) * 18 // 30
    rules.mark_absent_days(SYSTEM, ivan.id, date(2026, 4, 29), date(2026, 5, 2))  # into May
    assert rules.absences_of(SYSTEM, ivan.id, month_of(MAY)) == [date(2026, 5, 1), date(2026, 5, 2)]
    count = Absence.select().count()
    for first, last, message in (
        (date(2026, 6, 10), date(2026, 6, 9), "раньше первого"),
        (date(2026, 6, 1), date(2026, 8, 15), "не больше 62 дней"),
    ):
        with pytest.raises(ValidationError, match=message):
            rules.mark_absent_days(SYSTEM, ivan.id, first, last)
    with pytest.raises(AccessDenied):
        rules.mark_absent_days(actors["manager"], ivan.id, date(2026, 6, 1), date(2026, 6, 3))
    assert Absence.select().count() == count
