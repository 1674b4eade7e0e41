"""Expenses in the chat: receipts never lost or orphaned, the right number taken as the
sum, and overspending told (issue 10, items 6, 7, 16)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.base.clock import utcnow
from core.base.money import rubles
from core.conversations.models import Conversation, Notification
from core.files.models import Attachment
from core.money import cash
from core.money.models import CashMovement


def _no_orphans(store) -> None:
    """No stored file without its row, no row pointing at a missing file."""
    keys = {a.storage_key for a in Attachment.select()}
    assert set(store.files) == keys
    for move in CashMovement.select().where(CashMovement.receipt.is_null(False)):
        assert store.exists(move.receipt.storage_key)


# --- item 6: receipts lost ------------------------------------------------------------
def test_photo_first_words_second_keeps_the_receipt(join, staff, store):
    crew = join("executor")
    crew.photo()
    assert "Что на фото" in crew.text
    crew.say("бензин 500")
    assert "Бензин — 500,00 ₽" in crew.text and "Чек сохранён" in crew.text
    move = CashMovement.get()
    assert move.receipt_id is not None and store.exists(move.receipt.storage_key)
    assert Attachment.select().count() == 1
    _no_orphans(store)


def test_photo_then_words_that_need_a_question_keeps_the_receipt(join, staff, store):
    crew = join("executor")
    crew.photo()
    crew.say("потратил 700")
    crew.tap(crew.button("Инструмент"))
    assert "Инструмент — 700,00 ₽" in crew.text
    assert CashMovement.get().receipt_id is not None
    _no_orphans(store)


@pytest.mark.parametrize("caption", ["бензин -500", "бензин 999999999999", "материалы 0"])
def test_a_refused_expense_leaves_no_photo(join, staff, store, caption):
    crew = join("executor")
    crew.photo(caption=caption)
    assert "Сумма" in crew.text
    assert CashMovement.select().count() == 0
    assert Attachment.select().count() == 0 and store.files == {}


def test_a_refused_sum_after_the_photo_keeps_the_photo_waiting(join, staff, store):
    crew = join("executor")
    crew.photo()
    crew.tap(crew.button("Чек"))
    crew.say("-300")
    assert "отрицательной" in crew.text
    crew.say("300")
    crew.tap(crew.button("Бензин"))
    assert CashMovement.get().receipt_id is not None
    _no_orphans(store)


@pytest.mark.parametrize(
    "steps",
    [
        [("tap", "cancel")],
        [("tap", "photo:receipt"), ("tap", "cancel")],
        [("tap", "photo:receipt"), ("say", "баланс")],
        [("say", "потратил 700"), ("say", "/cancel")],
    ],
    ids=["cancel-at-once", "cancel-at-the-sum", "menu-word", "cancel-at-the-category"],
)
def test_a_cancelled_dialog_deletes_its_waiting_photo(join, staff, store, steps):
    crew = join("executor")
    crew.photo()
    assert len(store.files) == 1
    for kind, what in steps:
        crew.tap(what) if kind == "tap" else crew.say(what)
    assert store.files == {} and Attachment.select().count() == 0
    assert CashMovement.select().count() == 0


def test_an_expired_dialog_deletes_its_waiting_photo(join, staff, store):
    from core.files.attachments import sweep_waiting_receipts

    crew, other = join("executor"), join("executor2")
    crew.photo()
    other.photo()  # a fresh dialog: its photo stays
    Conversation.update(updated_at=utcnow() - timedelta(days=2)).where(
        Conversation.external_id == str(staff["executor"].id)
    ).execute()
    assert sweep_waiting_receipts(store) == 1
    assert len(store.files) == 1 and Attachment.select().count() == 1
    crew.say("бензин 500")  # the dialog is gone: a plain expense, without a receipt
    assert CashMovement.get().receipt_id is None
    other.say("бензин 300")
    assert CashMovement.get(CashMovement.amount == rubles(300)).receipt_id is not None
    _no_orphans(store)


def test_a_photo_to_an_order_does_not_leave_the_waiting_copy(join, staff, store, actors):
    from core.clients.clients import create_client
    from core.orders.orders import create_order

    client = create_client(actors["manager"], "Петров Пётр", "+79120000001")
    create_order(actors["manager"], client.id, "Щиток", rubles(8000),
                 executor_id=staff["executor"].id)  # fmt: skip
    crew = join("executor")
    crew.photo()
    crew.tap(crew.button("К заказу"))
    crew.tap(crew.button("Щиток"))
    assert "Фото приложено" in crew.text
    assert Attachment.select().count() == 1 and Attachment.get().order_id is not None
    _no_orphans(store)


# --- item 7: the right number is the sum -----------------------------------------------
@pytest.mark.parametrize(
    ("caption", "category", "amount", "note"),
    [
        ("кабель 2.5 мм² 30 м 1500", "Материалы", "1 500,00 ₽", "кабель 2.5 мм² 30 м"),
        (
            "уголок 50х50 6 шт материалы 2 400",
            "Материалы",
            "2 400,00 ₽",
            "уголок 50х50 6 шт материалы",
        ),
        ("бензин 40 л 2400", "Бензин", "2 400,00 ₽", "бензин 40 л"),
        ("автомат C16 3 шт 1 350 р", "Материалы", "1 350,00 ₽", "автомат C16 3 шт"),
        ("12.11 заправка на 900", "Бензин", "900,00 ₽", "12.11 заправка"),
    ],
)
def test_the_sum_is_the_money_not_the_size(join, staff, caption, category, amount, note):
    crew = join("executor")
    crew.photo(caption=caption)
    assert f"{category} — {amount}" in crew.text, crew.text
    assert CashMovement.get().note == note


def test_two_candidates_are_asked_with_buttons(join, staff, store):
    crew = join("executor")
    crew.photo(caption="кабель 30 1500")
    assert "Какое число" in crew.text
    crew.tap(crew.button("1 500,00 ₽"))
    assert "Материалы — 1 500,00 ₽ (кабель 30)" in crew.text  # "кабель" names the category
    move = CashMovement.get()
    assert move.amount == rubles(1500) and move.note == "кабель 30" and move.receipt_id
    _no_orphans(store)


# --- item 16: overspend is told -------------------------------------------------------
def test_overspend_is_recorded_and_told(join, staff, actors):
    crew = join("executor")
    cash.issue_advance(actors["director"], staff["executor"].id, rubles(1000))
    crew.say("материалы 2500")
    assert "Материалы — 2 500,00 ₽" in crew.text
    assert "Перерасход 1 500,00 ₽" in crew.text
    note = Notification.get(Notification.audience == "staff")
    assert note.employee_id == staff["director"].id
    assert "Перерасход 1 500,00 ₽" in note.text and "Иван Монтажников" in note.text
    crew.say("бензин 300")  # already in the red: the whole expense is overspent
    assert "Перерасход 300,00 ₽" in crew.text
    assert Notification.select().where(Notification.audience == "staff").count() == 2


def test_spending_what_is_on_hand_is_quiet(join, staff, actors):
    crew = join("executor")
    cash.issue_advance(actors["director"], staff["executor"].id, rubles(1000))
    crew.say("материалы 1000")
    assert "Перерасход" not in crew.text
    assert Notification.select().where(Notification.audience == "staff").count() == 0
