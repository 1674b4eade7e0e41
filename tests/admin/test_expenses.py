"""The expense table in the admin (issue 16): rows with receipt and QR data, filters,
totals, Excel, the director's check/dispute told to the employee, duplicates shown; the
order card's materials and earnings under the hidden-fields rule."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook

from core.base import settings
from core.base.clock import utcnow
from core.base.money import rubles
from core.conversations.models import Notification
from core.files.models import Attachment
from core.money import cash, expenses
from core.money.fiscal import parse_fiscal_qr
from core.money.models import CashMovement

QR = "t=20261127T1030&s=1000.00&fn=9960440300123456&i=4521&fp=2781923512&n=1"


def _expenses(staff, actors, world, store):
    store.write("Чеки/1.jpg", b"\xff\xd8jpeg")
    photo = Attachment.create(kind="receipt", storage_key="Чеки/1.jpg", content_type="image/jpeg",
                              uploaded_by=staff["executor"].id)  # fmt: skip
    fuel = cash.log_expense(actors["executor"], rubles(1000), "Бензин", "АЗС", receipt=photo,
                            fiscal=parse_fiscal_qr(QR), order_id=world["mine"].id)  # fmt: skip
    cable = cash.log_expense(actors["executor"], rubles(2500), "Материалы", "кабель",
                             order_id=world["mine"].id)  # fmt: skip
    other = cash.log_expense(actors["executor2"], rubles(300), "Еда", "обед")
    old = cash.log_expense(actors["executor2"], rubles(50), "Еда", "давний обед",
                           at=utcnow() - timedelta(days=400))  # fmt: skip
    return fuel, cable, other, old


def test_the_director_sees_every_expense_with_its_receipt_and_totals(
    as_role, world, staff, actors, store
):
    fuel, *_ = _expenses(staff, actors, world, store)
    html = as_role("director").get("/admin/expenses/").get_data(as_text=True)
    assert (
        "Итого: 3 800,00 ₽" in html and "расходов: 3" in html
    )  # the 400-day-old one: other period
    assert "Иван Монтажников" in html and "Пётр Печатников" in html
    assert "ФН 9960440300123456 · ФД 4521 · ФП 2781923512" in html
    assert "27.11.2026 10:30" in html and f"№{world['mine'].number}" in html
    assert "thumb=1" in html  # the receipt's thumbnail


def test_filters_narrow_the_rows_and_the_totals(as_role, world, staff, actors, store):
    _expenses(staff, actors, world, store)
    s = as_role("director")
    by_person = s.get(f"/admin/expenses/?employee={staff['executor2'].id}").get_data(as_text=True)
    assert "Итого: 300,00 ₽" in by_person
    by_order = s.get(f"/admin/expenses/?order={world['mine'].number}").get_data(as_text=True)
    assert "Итого: 3 500,00 ₽" in by_order
    cat = next(c for c in expenses.listing(actors["director"]) if c.category.name == "Еда").category
    by_cat = s.get(f"/admin/expenses/?category={cat.id}&start=2000-01-01").get_data(as_text=True)
    assert "Итого: 350,00 ₽" in by_cat and "давний обед" in by_cat


def test_everyone_else_sees_only_their_own_expenses(as_role, world, staff, actors, store):
    _expenses(staff, actors, world, store)
    html = as_role("executor2").get("/admin/expenses/").get_data(as_text=True)
    assert "Итого: 300,00 ₽" in html and "АЗС" not in html and "Повторн" not in html
    book = as_role("executor2").get("/admin/expenses/export.xlsx?start=2000-01-01").data
    names = [
        row[1]
        for row in load_workbook(io.BytesIO(book)).active.iter_rows(min_row=2, values_only=True)
    ]
    assert set(filter(None, names)) == {"Пётр Печатников"}
    manager = as_role("manager").get("/admin/expenses/").get_data(as_text=True)
    assert "Итого: 0,00 ₽" in manager
    resp = as_role("executor2").post("/admin/expenses/review/", {"id": 1, "verdict": "checked"})
    assert resp.status_code == 403


def test_excel_export_sums_what_the_filter_shows(as_role, world, staff, actors, store):
    _expenses(staff, actors, world, store)
    resp = as_role("director").get(f"/admin/expenses/export.xlsx?employee={staff['executor'].id}")
    assert resp.status_code == 200 and "spreadsheetml" in resp.mimetype
    sheet = load_workbook(io.BytesIO(resp.data)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(r[5] for r in rows[:-1]) == [1000.0, 2500.0]
    fuel = next(r for r in rows if r[2] == "Бензин")
    assert (fuel[7], fuel[8], fuel[9], fuel[10]) == (
        1000.0,
        "9960440300123456",
        "4521",
        "2781923512",
    )
    assert rows[-1][0] == "Итого" and rows[-1][5] == "=SUM(F2:F3)"


def test_a_disputed_expense_is_told_to_the_employee(as_role, world, staff, actors, store):
    fuel, cable, *_ = _expenses(staff, actors, world, store)
    s = as_role("director")
    s.post("/admin/expenses/review/", {"id": cable.id, "verdict": "checked"})
    resp = s.post("/admin/expenses/review/", {"id": fuel.id, "verdict": "disputed",
                                              "comment": "На чеке другой адрес"}, follow_redirects=True)  # fmt: skip
    assert "Сотруднику отправлено сообщение" in resp.get_data(as_text=True)
    assert CashMovement.get_by_id(cable.id).review == "checked"
    assert CashMovement.get_by_id(fuel.id).review == "disputed"
    note = Notification.get(Notification.text.contains("оспорил"))
    assert note.audience == "staff" and note.employee_id == staff["executor"].id
    assert "оспорил" in note.text and "1 000,00 ₽" in note.text and "другой адрес" in note.text
    html = s.get("/admin/expenses/?review=disputed").get_data(as_text=True)
    assert "Итого: 1 000,00 ₽" in html


def test_the_director_sees_attempted_duplicates(as_role, world, staff, actors, store):
    fuel, *_ = _expenses(staff, actors, world, store)
    original = expenses.recorded_receipt(parse_fiscal_qr(QR))
    expenses.note_duplicate(actors["executor2"], original, "бензин 1000 ещё раз")
    html = as_role("director").get("/admin/expenses/").get_data(as_text=True)
    assert "бензин 1000 ещё раз" in html and "уже записан" in html


def test_the_order_card_shows_materials_and_earnings_by_the_hidden_fields_rule(
    as_role, world, staff, actors, store
):
    _expenses(staff, actors, world, store)
    url = f"/admin/order/card/?id={world['mine'].id}"
    html = as_role("director").get(url).get_data(as_text=True)
    assert "Материалы и расходы" in html and "Потрачено: <b>3 500,00 ₽</b>" in html
    assert 'Заработано: <b id="earned" class="text-success">4 500,00 ₽</b>' in html  # 8 000 − 3 500
    executor = as_role("executor").get(url).get_data(as_text=True)  # cost hidden from executors
    assert "Потрачено: <b>3 500,00 ₽</b>" in executor and "Заработано" not in executor
    settings.put("hidden_fields", {"executor": []})
    assert "Заработано" in as_role("executor").get(url).get_data(as_text=True)
