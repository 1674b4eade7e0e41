"""«зарплата» in the bot: this month so far and last month's payslip (with its PDF), each
person their own and nobody else's; a manager whose role has order money hidden is told
pay is not shown; the director gets everyone's totals."""

from __future__ import annotations

import subprocess
from datetime import date

from core.access import SYSTEM
from core.base import settings
from core.base.money import format_money, rubles
from core.pay import payroll, rules
from core.pay.months import month_of
from core.people.staff import add_bonus


def _setup(staff):
    rules.set_rule(SYSTEM, staff["executor"].id, date(2020, 1, 1), salary=rubles(31000))
    rules.set_rule(SYSTEM, staff["manager"].id, date(2020, 1, 1), salary=rubles(47000))
    last = month_of().previous
    add_bonus(SYSTEM, staff["executor"].id, "bonus", rubles(1234), "за объект", last.period)
    add_bonus(SYSTEM, staff["manager"].id, "bonus", rubles(777), "за план", last.period)
    payroll.close_month(SYSTEM, last.period)
    return last


def test_a_crew_member_sees_this_month_and_last_months_payslip(join, staff):
    last = _setup(staff)
    crew = join("executor")
    crew.say("💵 Зарплата")
    assert len(crew.last) == 2
    now = payroll.line_of(SYSTEM, staff["executor"].id)
    assert "пока начислено" in crew.last[0].text
    assert f"К выплате: {format_money(now.due)}" in crew.last[0].text
    slip = crew.last[1]
    assert f"Расчётный листок за {payroll.month_title(last)} (месяц закрыт)" in slip.text
    assert "Премии: 1 234,00 ₽" in slip.text and "К выплате: 32 234,00 ₽" in slip.text
    assert slip.file is not None and slip.file.mime == "application/pdf"
    pdf = subprocess.run(["pdftotext", "-layout", "-", "-"], input=slip.file.data,
                         capture_output=True, check=True).stdout.decode()  # fmt: skip
    assert "Иван Монтажников" in pdf and "32 234,00" in pdf
    everything = crew.text + pdf
    for other in ("Мария", "47 000", "777,00"):  # the manager's pay is not his to see
        assert other not in everything
    crew.say("зп")
    assert "пока начислено" in crew.text


def test_someone_with_no_pay_last_month_gets_this_month_only(join, staff):
    _setup(staff)
    printer = join("executor2")
    printer.say("зарплата")
    assert len(printer.last) == 1 and "К выплате: 0,00 ₽" in printer.text
    assert "Иван" not in printer.text and "Мария" not in printer.text


def test_a_manager_with_money_hidden_is_shown_no_pay(join, staff):
    _setup(staff)
    manager = join("manager")
    manager.say("зарплата")
    assert "47 000,00" in manager.text and "Иван" not in manager.text
    assert _offers_salary(manager)
    settings.put("hidden_fields", {"manager": ["cost"]})
    manager.say("зарплата")
    assert manager.text == "Зарплата вам не показывается: так настроил директор."
    # The menu and the help offer no pay that would be refused.
    assert not _offers_salary(manager)
    manager.say("помощь")
    assert "Что я умею" in manager.text and "зарплата" not in manager.text
    assert not _offers_salary(manager)


def _offers_salary(chat) -> bool:
    return any("💵 Зарплата" in row for row in chat.last[-1].menu or [])


def test_the_director_sees_everyones_month(join, staff):
    _setup(staff)
    director = join("director")
    director.say("зарплата")
    assert "Иван Монтажников" in director.text and "Мария Менеджерова" in director.text
    assert "Всего к выплате" in director.text
