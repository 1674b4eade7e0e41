"""Зарплата in the admin: the director sets rules and absences, gives an advance, closes and
pays a month, exports it to Excel and prints payslips; each person sees their own pay and
nobody else's on every surface (list, card, export, PDF, JSON); a manager whose role has
order money hidden sees no pay at all."""

from __future__ import annotations

import io
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from core.access import SYSTEM
from core.base import settings
from core.base.money import rubles
from core.money.models import CashMovement
from core.orders.models import Pipeline, Stage
from core.pay import rules
from core.pay.models import Absence, PayMonth, Payout, PayRule
from tests.core.pay_world import walk

APRIL = "2026-04"


@pytest.fixture
def paid_staff(staff, world):
    """Ivan (executor), Maria (manager) and Oleg (manager) on salaries; an order of Ivan's
    finished in April."""
    for key, salary in (("executor", 30000), ("manager", 40000), ("manager2", 45000)):
        rules.set_rule(SYSTEM, staff[key].id, date(2026, 1, 1), salary=rubles(salary), percent=500)
    walk(world["mine"], [("archive", "2026-04-10")])
    return staff


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()  # fmt: skip


def _surfaces(staff) -> dict[str, str]:
    ivan, maria = staff["executor"].id, staff["manager"].id
    return {
        "list": f"/admin/pay/?period={APRIL}",
        "own card": f"/admin/pay/card/?period={APRIL}&employee={{me}}",
        "ivan card": f"/admin/pay/card/?period={APRIL}&employee={ivan}",
        "maria card": f"/admin/pay/card/?period={APRIL}&employee={maria}",
        "export": f"/admin/pay/export/?period={APRIL}",
        "own pdf": f"/admin/pay/payslip/?period={APRIL}&employee={{me}}",
        "ivan pdf": f"/admin/pay/payslip/?period={APRIL}&employee={ivan}",
        "maria pdf": f"/admin/pay/payslip/?period={APRIL}&employee={maria}",
        "json": f"/admin/pay/json/?period={APRIL}",
    }


# role -> surface -> status; "hidden" is Maria with order money hidden from managers.
EXPECTED = {
    "director": {"list": 200, "own card": 200, "ivan card": 200, "maria card": 200, "export": 200,
                 "own pdf": 200, "ivan pdf": 200, "maria pdf": 200, "json": 200},
    "manager": {"list": 200, "own card": 200, "ivan card": 404, "maria card": 200, "export": 200,
                "own pdf": 200, "ivan pdf": 404, "maria pdf": 200, "json": 200},
    "executor": {"list": 200, "own card": 200, "ivan card": 200, "maria card": 404, "export": 200,
                 "own pdf": 200, "ivan pdf": 200, "maria pdf": 404, "json": 200},
    "hidden": {"list": 403, "own card": 404, "ivan card": 404, "maria card": 404, "export": 403,
               "own pdf": 404, "ivan pdf": 404, "maria pdf": 404, "json": 403},
}  # fmt: skip
NAMES = {"director": "Сергей Директоров", "manager": "Мария Менеджерова",
         "executor": "Иван Монтажников", "manager2": "Олег Продажин"}  # fmt: skip


@pytest.mark.parametrize("who", list(EXPECTED))
def test_who_sees_whose_pay_on_every_surface(as_role, paid_staff, who):
    if who == "hidden":
        settings.put("hidden_fields", {"manager": ["cost"], "executor": ["cost", "paid", "debt"]})
    role = "manager" if who == "hidden" else who
    session = as_role(role)
    me = paid_staff[role].id
    menu = _text(session.get("/admin/order/"))
    assert ('href="/admin/pay/"' in menu) == (who != "hidden")  # the menu offers what opens
    for surface, url in _surfaces(paid_staff).items():
        resp = session.get(url.format(me=me))
        assert resp.status_code == EXPECTED[who][surface], (who, surface)
        if resp.status_code != 200:
            continue
        body = resp.data
        text = (
            _pdf_text(body) if "pdf" in surface
            else " ".join(str(c.value) for row in load_workbook(io.BytesIO(body)).active.iter_rows()
                          for c in row) if surface == "export"
            else _text(resp)
        )  # fmt: skip
        others = {k: n for k, n in NAMES.items() if k != role}
        if who != "director" and surface in ("list", "export", "json"):
            if surface == "json":
                assert [ln["employee_id"] for ln in resp.get_json()["lines"]] == [me]
            for name in others.values():
                assert name not in text, (who, surface, name)
            assert NAMES[role] in text or surface == "json"


def test_an_executor_with_money_hidden_sees_own_pay_but_not_the_orders_sums(as_role, paid_staff):
    html = _text(
        as_role("executor").get(
            f"/admin/pay/card/?period={APRIL}&employee={paid_staff['executor'].id}"
        )
    )
    assert "•••" in html and "8 000,00" not in html  # the order's cost is the base of his 5 %
    assert "400,00" in html  # 5 % of it is his own money


def test_the_director_sets_rules_and_absences_closes_pays_and_exports(as_role, paid_staff):
    boss, ivan = as_role("director"), paid_staff["executor"]
    mounting = Stage.get(
        (Stage.code == "mounting") & (Stage.pipeline == Pipeline.get(code="installation"))
    )
    card = f"/admin/pay/card/?period={APRIL}&employee={ivan.id}"
    resp = boss.post("/admin/pay/rule/", {"period": APRIL, "employee": ivan.id, "valid_from": "2026-04-16",
                                          "salary": "45 000", "percent": "2,5", "percent_base": "margin",
                                          "scope": "did", f"rate_{mounting.id}": "3000"})  # fmt: skip
    assert resp.status_code == 302
    rule = PayRule.select().order_by(PayRule.id.desc()).get()
    assert (rule.valid_from, rule.salary, rule.percent, rule.percent_base) == (
        date(2026, 4, 16),
        rubles(45000),
        250,
        "margin",
    )
    assert [(r.stage_id, r.amount) for r in rule.rates] == [(mounting.id, rubles(3000))]
    # Bad input: a Russian message and nothing written.
    resp = boss.post("/admin/pay/rule/", {"period": APRIL, "employee": ivan.id, "valid_from": "2026-04-20",
                                          "percent": "сто"}, follow_redirects=True)  # fmt: skip
    assert "Не понимаю процент «сто»" in _text(resp) and PayRule.select().count() == 4
    boss.post("/admin/pay/absence/", {"period": APRIL, "employee": ivan.id, "day": "2026-04-03"})
    assert Absence.select().count() == 1
    html = _text(boss.get(card))
    assert "03.04.2026" in html and "с 16.04.2026" in html and "Монтаж: 3 000,00" in html
    # 1–15: 30 000 × 14/30, 16–30: 45 000 × 15/30
    assert (
        "14 из 15 дн., отсутствовал 1 дн." in html and "14 000,00" in html and "22 500,00" in html
    )
    boss.post("/admin/pay/advance/", {"period": APRIL, "employee": ivan.id, "amount": "10 000"})
    assert Payout.get().kind == "advance"
    resp = boss.post("/admin/pay/close/", {"period": APRIL}, follow_redirects=True)
    assert "Месяц апрель 2026 закрыт" in _text(resp) and PayMonth.select().count() == 1
    sheet = _text(boss.get(f"/admin/pay/?period={APRIL}"))
    assert "месяц закрыт" in sheet and "Выплатить всем" in sheet
    resp = boss.post("/admin/pay/pay/", {"period": APRIL}, follow_redirects=True)
    assert "Выплачено из основной кассы" in _text(resp)
    ivan_pay = Payout.select().where((Payout.kind == "pay") & (Payout.employee == ivan.id)).get()
    # 14 000 + 22 500 + 5 % of 8 000 (finished on the 10th: the first rule's percent)
    # − 10 000 advance
    assert ivan_pay.movement.amount == rubles(14000 + 22500 + 400 - 10000)
    assert CashMovement.select().where(CashMovement.kind == "salary").count() == 4
    book = load_workbook(io.BytesIO(boss.get(f"/admin/pay/export/?period={APRIL}").data)).active
    headers = [c.value for c in book[2]]
    assert (
        headers[:3] == ["Сотрудник", "Заказов выполнено", "Этапов пройдено"]
        and "К выплате, ₽" in headers
    )
    rows = {
        r[0]: dict(zip(headers, r, strict=True))
        for r in book.iter_rows(min_row=3, values_only=True)
    }
    assert rows["Иван Монтажников"]["Начислено, ₽"] == 36900.0
    assert (
        rows["Иван Монтажников"]["Аванс, ₽"] == 10000.0
        and rows["Иван Монтажников"]["К выплате, ₽"] == 0
    )
    pdf = _pdf_text(boss.get(f"/admin/pay/payslip/?period={APRIL}&employee={ivan.id}").data)
    assert "Расчётный листок за апрель 2026" in pdf and "Иван Монтажников" in pdf
    assert "36 900,00" in pdf and "месяц закрыт" in pdf


def test_the_old_summary_address_leads_to_the_pay_sheet(as_role, paid_staff):
    resp = as_role("director").get("/admin/employee/payroll/?period=2026-04")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(
        "/admin/pay/?period=2026-04"
    )


def test_nobody_but_the_director_changes_pay(as_role, paid_staff):
    ivan = paid_staff["executor"].id
    for role in ("manager", "executor"):
        s = as_role(role)
        for url, data in (
            ("/admin/pay/rule/", {"employee": ivan, "valid_from": "2026-04-01", "salary": "1"}),
            ("/admin/pay/absence/", {"employee": ivan, "day": "2026-04-02"}),
            ("/admin/pay/advance/", {"employee": ivan, "amount": "100"}),
            ("/admin/pay/close/", {"period": APRIL}),
            ("/admin/pay/pay/", {"period": APRIL}),
        ):
            s.post(url, {"period": APRIL, **data})
    assert (PayRule.select().count(), Absence.select().count(), Payout.select().count(),
            PayMonth.select().count()) == (3, 0, 0, 0)  # fmt: skip


def test_a_person_reads_their_own_conditions_and_absences_but_changes_nothing(as_role, paid_staff):
    ivan = paid_staff["executor"]
    rules.mark_absent(SYSTEM, ivan.id, date(2026, 4, 9), "отгул")
    html = _text(as_role("executor").get(f"/admin/pay/card/?period={APRIL}&employee={ivan.id}"))
    assert (
        "с 01.01.2026" in html
        and "30 000,00" in html
        and '09.04.2026 <span class="text-muted">— отгул' in html
    )
    assert (
        "Новые условия" not in html and "Отметить отсутствие" not in html and "убрать" not in html
    )


def test_the_director_marks_a_leave_as_a_run_of_days_on_the_card(as_role, paid_staff):
    boss, ivan = as_role("director"), paid_staff["executor"]
    card = f"/admin/pay/card/?period={APRIL}&employee={ivan.id}"
    assert 'name="until"' in _text(boss.get(card))
    resp = boss.post("/admin/pay/absence/", {"period": APRIL, "employee": ivan.id, "day": "2026-04-06",
                                             "until": "2026-04-17", "note": "отпуск"},
                     follow_redirects=True)  # fmt: skip
    html = _text(resp)
    assert "Отмечено дней отсутствия: 12." in html and Absence.select().count() == 12
    assert "18 из 30 дн., отсутствовал 12 дн." in html and "18 000,00" in html
    resp = boss.post("/admin/pay/absence/", {"period": APRIL, "employee": ivan.id, "day": "2026-04-20",
                                             "until": "2026-04-19"}, follow_redirects=True)  # fmt: skip
    assert "Последний день отсутствия раньше первого." in _text(resp)
    assert Absence.select().count() == 12
    as_role("manager").post("/admin/pay/absence/", {"period": APRIL, "employee": ivan.id,
                                                    "day": "2026-04-21", "until": "2026-04-25"})  # fmt: skip
    assert Absence.select().count() == 12
