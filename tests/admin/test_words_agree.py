"""Issue 28, words that agree: a paper's gender («Квитанция № 1 выписана»), what the cash
page did («Выдано под отчёт», not «Записано: выдать под отчёт»), quotes inside quotes
(«ООО „Сувенир-Принт“»), a note that only repeats its category (not «Бензин — бензин»),
booking days off written as ДД.ММ.ГГГГ. Agreement lives in core.documents.words."""

from __future__ import annotations

import pytest

from core.base.money import rubles
from core.conversations.models import Notification
from core.documents import issue
from core.documents.words import gendered, plural, quoted, with_note
from core.money import cash, expenses
from core.selfservice import booking


def test_the_one_place_that_agrees_words():
    assert [plural(n, "заказ", "заказа", "заказов") for n in (1, 3, 5, 11, 21, 1.5)] == [
        "заказ", "заказа", "заказов", "заказов", "заказ", "заказа"]  # fmt: skip
    assert gendered("f", "выписан", "выписана") == "выписана"
    assert quoted("ООО «Сувенир-Принт»") == "«ООО „Сувенир-Принт“»"
    assert quoted("«Ромашка»") == "«Ромашка»" and quoted("Иванов") == "«Иванов»"
    assert (
        with_note("Бензин", "бензин") == "Бензин"
        and with_note("Бензин", "АИ-95") == "Бензин — АИ-95"
    )


@pytest.mark.parametrize(("kind", "words"), [
    ("receipt", "Квитанция № 7 выписана."), ("waybill", "Накладная ТОРГ-12 № 7 выписана."),
    ("invoice", "Счёт № 7 выписан."), ("act", "Акт № 7 выписан."), ("upd", "УПД № 7 выписан."),
    ("order_form", "Бланк заказа № 7 выписан."), ("contract", "Договор-расписка № 7 выписан."),
])  # fmt: skip
def test_a_paper_is_issued_in_its_gender(kind, words):
    assert issue.issued_words(kind, 7) == words


def test_the_card_says_a_receipt_is_issued_in_the_feminine(as_role, world, actors):
    from cli.demo import DEMO_COMPANY
    from core.base import settings
    from core.money.payments import add_payment

    settings.put("company", DEMO_COMPANY)
    add_payment(actors["manager"], world["own"].id, rubles(1000), kind="advance", method="cash")
    resp = as_role("manager").post("/admin/order/document/", {"id": world["own"].id, "kind": "receipt"},
                                   follow_redirects=True)  # fmt: skip
    html = resp.get_data(as_text=True)
    assert "Квитанция № " in html and "выписана." in html and "выписан." not in html


def test_cash_page_says_what_was_done(as_role, world, staff):
    resp = as_role("director").post("/admin/cash/add/", {"operation": "advance", "amount": "5 000",
                                    "employee": staff["executor"].id}, follow_redirects=True)  # fmt: skip
    html = resp.get_data(as_text=True)
    assert "Выдано под отчёт: 5 000,00 ₽ — Иван Монтажников." in html
    assert "Записано: выдать" not in html


def test_quotes_inside_quotes(world, staff):
    note = Notification.get(Notification.text.startswith("Перезаказ у")
                            & (Notification.order == world["sub"].id))  # fmt: skip
    assert note.text.startswith("Перезаказ у «ООО „Сувенир-Принт“»: заказ №")
    assert "»»" not in note.text


def test_a_note_that_repeats_its_category_is_not_doubled(as_role, world, staff, actors):
    fuel = cash.log_expense(actors["executor"], rubles(800), "Бензин", "бензин")
    expenses.review(actors["director"], fuel.id, "disputed")
    note = Notification.get(Notification.text.contains("оспорил"))
    assert "Бензин, 800,00 ₽" in note.text and "Бензин — бензин" not in note.text


def test_days_off_are_written_as_people_write_dates(as_role, world, staff):
    director = as_role("director")
    assert "ДД.ММ.ГГГГ" in director.get("/admin/booking/").get_data(as_text=True)
    form = {"weekdays": ["1", "2", "3", "4", "5"], "day_start": "09:00", "day_end": "19:00",
            "slot_minutes": "120", "visits_per_slot": "1", "days_ahead": "30", "min_hours_before": "2",
            "change_hours_before": "24", "travel_minutes": "40", "pipeline": "",
            "days_off": "31.12.2026, 01.01.2027"}  # fmt: skip
    assert director.post("/admin/booking/", data=form).status_code == 302
    assert booking.booking_settings()["days_off"] == ["2026-12-31", "2027-01-01"]
    assert "31.12.2026 01.01.2027" in director.get("/admin/booking/").get_data(as_text=True)
    html = director.post("/admin/booking/", data={**form, "days_off": "2026-31-12"}).get_data(
        as_text=True
    )
    assert "дата в виде ДД.ММ.ГГГГ" in html
