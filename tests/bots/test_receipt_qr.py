"""Receipts that read themselves (issue 16) in the flows: the QR's sum, date and fiscal
identifiers go with the expense; the same receipt twice is refused; an expense is tied to
an order by "№N" in the caption or from the order's card."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from core.base.clock import from_local
from core.base.money import rubles
from core.clients.clients import create_client
from core.files.models import Attachment
from core.money.models import CashMovement, DuplicateReceipt, FiscalReceipt
from core.orders.orders import create_order
from tests.fakes.receipts import Shot, fiscal_text, receipt_photo

SHOT = Shot(size=(1600, 1200), angle=-28, slant=0.08, blur=1.0, light=0.7, noise=15)


def receipt(kopecks: int, seed: int = 1) -> tuple[str, bytes]:
    text = fiscal_text(random.Random(seed), kopecks)
    return text, receipt_photo(text, SHOT, seed=seed)


def test_a_word_and_a_receipt_photo_are_a_whole_expense(join, staff, store):
    crew = join("executor")
    text, photo = receipt(rubles(1234.5))
    crew.photo(photo, caption="бензин")
    assert "Бензин — 1 234,50 ₽" in crew.text and "прочитан по QR-коду" in crew.text
    move = CashMovement.get()
    fiscal = FiscalReceipt.get(FiscalReceipt.movement == move)
    fields = dict(part.split("=") for part in text.split("&"))
    assert (fiscal.fn, fiscal.fd, fiscal.fp) == (fields["fn"], fields["i"], fields["fp"])
    assert fiscal.bought_at == from_local(datetime.strptime(fields["t"], "%Y%m%dT%H%M"))
    assert fiscal.amount == rubles(1234.5) and store.exists(move.receipt.storage_key)


def test_a_receipt_photo_without_words_asks_only_the_category(join, staff):
    crew = join("executor")
    crew.photo(receipt(rubles(870))[1])
    assert "На что потратили 870,00 ₽" in crew.text
    crew.tap(crew.button("Транспорт"))
    assert "Транспорт — 870,00 ₽" in crew.text
    assert FiscalReceipt.select().count() == 1


def test_the_caption_and_the_receipt_disagree_the_person_chooses(join, staff):
    crew = join("executor")
    crew.photo(receipt(rubles(1000))[1], caption="бензин 1500")
    assert "В подписи 1 500,00 ₽, а в чеке 1 000,00 ₽" in crew.text
    crew.tap(crew.button("по чеку"))
    assert "Бензин — 1 000,00 ₽" in crew.text
    assert CashMovement.get().amount == rubles(1000)


def test_the_receipt_says_which_of_two_numbers_is_the_sum(join, staff):
    crew = join("executor")
    crew.photo(receipt(rubles(1500))[1], caption="кабель 30 1500")
    assert "Материалы — 1 500,00 ₽ (кабель 30)" in crew.text


def test_the_same_receipt_twice_is_refused_and_the_director_sees_it(join, staff, store):
    crew, other = join("executor"), join("executor2")
    _, photo = receipt(rubles(1000), seed=5)
    crew.photo(photo, caption="материалы")
    files = dict(store.files)
    other.photo(photo, caption="материалы 1000")
    assert "Этот чек уже записан" in other.text
    assert "— Иван Монтажников, 1 000,00 ₽" in other.text
    assert CashMovement.select().count() == 1 and store.files == files
    assert Attachment.select().count() == 1
    attempt = DuplicateReceipt.get()
    assert attempt.employee_id == staff["executor2"].id and attempt.caption == "материалы 1000"


def test_a_refund_receipt_is_not_an_expense(join, staff, store):
    crew = join("executor")
    text = fiscal_text(random.Random(8), rubles(300)).replace("n=1", "n=2")
    crew.photo(receipt_photo(text, SHOT, seed=8), caption="бензин")
    assert "чек возврата" in crew.text
    assert CashMovement.select().count() == 0 and store.files == {}


def test_a_receipt_without_a_readable_qr_works_as_before(join, staff):
    crew = join("executor")
    plain = receipt_photo(None, SHOT, seed=2)
    crew.photo(plain, caption="бензин 700")
    assert "Бензин — 700,00 ₽" in crew.text and "Чек сохранён" in crew.text
    assert FiscalReceipt.select().count() == 0


@pytest.fixture
def order(staff, actors):
    client = create_client(actors["manager"], "Петров Пётр", "+79120000001")
    return create_order(actors["manager"], client.id, "Подключение дома", rubles(30000),
                        executor_id=staff["executor"].id)  # fmt: skip


def test_an_order_named_in_the_caption_gets_the_expense(join, staff, order):
    crew = join("executor")
    crew.photo(receipt(rubles(2100))[1], caption=f"кабель №{order.number}")
    assert f"По заказу №{order.number}" in crew.text
    assert CashMovement.get().order_id == order.id


def test_an_order_the_person_may_not_see_is_not_found(join, staff, order):
    crew = join("executor2")
    crew.say(f"материалы 500 №{order.number}")
    assert "не найден" in crew.text and CashMovement.select().count() == 0


def test_an_expense_from_the_order_card(join, staff, order):
    crew = join("executor")
    crew.say(f"/order {order.number}")
    crew.tap(crew.button("Расход по заказу"))
    crew.photo(receipt(rubles(640), seed=9)[1], caption="саморезы")  # "саморезы": материалы
    assert "Материалы — 640,00 ₽ (саморезы)" in crew.text
    assert f"По заказу №{order.number}" in crew.text
    move = CashMovement.get()
    assert move.order_id == order.id and move.fiscal.get().amount == rubles(640)


def test_a_shops_qr_beside_the_fiscal_one_keeps_sum_date_and_the_duplicate_rule(join, staff, store):
    """Item 22: the shop's code is read too and passed over; the fiscal one gives the sum and
    the date, and the same receipt sent again is refused."""
    crew = join("executor")
    text = fiscal_text(random.Random(21), rubles(845.3))
    shot = Shot(size=(1600, 1200), angle=15, shop="https://shop.example/app?utm=receipt")
    photo = receipt_photo(text, shot, seed=21)
    crew.photo(photo, caption="материалы")
    assert "Материалы — 845,30 ₽" in crew.text and "прочитан по QR-коду" in crew.text
    assert FiscalReceipt.select().count() == 1
    crew.photo(photo, caption="материалы")
    assert "уже записан" in crew.text and CashMovement.select().count() == 1


@pytest.mark.parametrize("n, words", [(2, "чек возврата"), (3, "чек расхода"), (4, "чек возврата")])
def test_refund_and_payout_receipts_are_not_a_crew_purchase(join, staff, store, n, words):
    crew = join("executor")
    text = fiscal_text(random.Random(30 + n), rubles(300)).replace("n=1", f"n={n}")
    crew.photo(receipt_photo(text, SHOT, seed=30 + n), caption="бензин")
    assert words in crew.text
    assert CashMovement.select().count() == 0 and store.files == {}


def test_words_then_photo_the_photo_is_offered_to_the_expense_just_written(join, staff, store):
    """Item 23, the seed's own order: «купил материалы» with the sum, then the receipt's photo
    — it is attached to that expense, not recorded as a second one."""
    crew = join("executor")
    crew.say("материалы 1500")
    assert "Материалы — 1 500,00 ₽" in crew.text
    crew.photo(receipt_photo(None, SHOT, seed=40))
    assert "Это чек к расходу «Материалы — 1 500,00 ₽»" in crew.text
    crew.tap(crew.button("Да, чек к этому расходу"))
    assert "Чек приложен к расходу «Материалы — 1 500,00 ₽»" in crew.text
    move = CashMovement.get()
    assert CashMovement.select().count() == 1 and store.exists(move.receipt.storage_key)
    crew.photo(receipt_photo(None, SHOT, seed=41))  # the expense has its receipt now
    assert "Что на фото?" in crew.text and "только что" not in crew.text


def test_words_then_a_receipt_with_the_same_sum_keeps_what_its_qr_says(join, staff, store):
    crew = join("executor")
    crew.say("бензин 1234,50")
    text, photo = receipt(rubles(1234.5), seed=42)
    crew.photo(photo)
    crew.tap(crew.button("Да, чек к этому расходу"))
    assert "прочитан по QR-коду" in crew.text and CashMovement.select().count() == 1
    assert FiscalReceipt.get().movement_id == CashMovement.get().id
    crew.photo(photo, caption="бензин")  # the same receipt again: the rule holds
    assert "уже записан" in crew.text and CashMovement.select().count() == 1


def test_an_old_expense_or_another_sum_is_not_offered(join, staff):
    crew = join("executor")
    crew.say("материалы 1500")
    move = CashMovement.get()
    CashMovement.update(at=move.at - timedelta(minutes=31)).where(
        CashMovement.id == move.id
    ).execute()
    crew.photo(receipt_photo(None, SHOT, seed=43))
    assert "Что на фото?" in crew.text and "только что" not in crew.text
    crew.tap("cancel")
    crew.say("бензин 800")
    _, photo = receipt(rubles(999), seed=44)  # a receipt of another sum: a new expense
    crew.photo(photo, caption="")
    assert "только что" not in crew.text
