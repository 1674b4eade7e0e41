"""A client's cash and its cash-desk movement are one fact: every path that records a cash
payment (admin, bot, counter order with an advance, Excel import, demo data) writes the
ledger row in the same transaction, so the desks add up."""

from __future__ import annotations

import pytest

from bots.flows import Deps, handle
from bots.flows.types import Incoming
from core.base.money import rubles
from core.clients.models import Client, MessengerLink
from core.money import cash
from core.money.models import CashMovement, Payment
from core.orders.imports import run_import
from core.orders.models import Order
from core.orders.orders import create_order
from tests.fakes.memory_store import MemoryStore


def _one_movement_per_cash_payment() -> None:
    for payment in Payment.select().where(Payment.method == "cash"):
        moves = list(CashMovement.select().where(CashMovement.payment == payment.id))
        assert len(moves) == 1 and moves[0].amount == payment.amount, payment.id
    assert (
        not CashMovement.select()
        .where(CashMovement.payment.in_(Payment.select(Payment.id).where(Payment.method != "cash")))
        .exists()
    )


def test_admin_payment_in_cash_lands_on_the_takers_desk(as_role, world, staff):
    order = world["own"]
    r = as_role("manager").post("/admin/order/pay/", data={
        "id": order.id, "amount": "1 000,00", "kind": "advance", "method": "cash"}, follow_redirects=True)  # fmt: skip
    assert "записана" in r.get_data(as_text=True)
    r = as_role("director").post("/admin/order/pay/", data={
        "id": order.id, "amount": "500,00", "kind": "other", "method": "cash"}, follow_redirects=True)  # fmt: skip
    assert "записана" in r.get_data(as_text=True)
    as_role("manager").post("/admin/order/pay/", data={
        "id": order.id, "amount": "200,00", "kind": "other", "method": "card"})  # fmt: skip
    _one_movement_per_cash_payment()
    assert cash.balance(cash.account_of(staff["manager"])) == rubles(1000)
    # The director's takings are the main desk's, not a desk of his own.
    assert cash.balance(cash.main_account()) == rubles(500)
    assert cash.balance(cash.account_of(staff["director"])) == 0


def test_counter_order_with_a_cash_advance_and_the_bot_both_write_the_ledger(db, staff, actors):
    client = Client.create(name="Петров", phone="+79120001122")
    order = create_order(actors["manager"], client.id, "Щиток", rubles(9000), advance=rubles(3000),
                         executor_id=staff["executor"].id)  # fmt: skip
    deps = Deps(store=MemoryStore())
    MessengerLink.create(channel="telegram", external_id="501", employee=staff["executor"])
    handle(Incoming("telegram", "501", payload=f"cash:{order.id}", update_key="1"), deps)
    replies = handle(Incoming("telegram", "501", text="2 000", update_key="2"), deps)
    assert "Записал: 2 000,00 ₽" in replies[0].text
    _one_movement_per_cash_payment()
    assert cash.balance(cash.account_of(staff["manager"])) == rubles(3000)
    assert cash.balance(cash.account_of(staff["executor"])) == rubles(2000)
    assert Order.get_by_id(order.id).debt == rubles(4000)


def test_import_records_cash_advances_on_the_main_desk_and_says_when_it_cannot_tell(
    db, staff, actors
):
    rows = [
        ["Дата", "ФИО", "Телефон", "Стоимость", "Аванс", "Как получен аванс"],
        ["01.03.2026", "Сидоров С.С.", "+7 912 111-22-33", "30000", "10000", "наличными"],
        ["02.03.2026", "Кузнецов К.К.", "+7 912 111-22-44", "40000", "15000", "безнал"],
        ["03.03.2026", "Орлов О.О.", "+7 912 111-22-55", "50000", "5000", "перевод на карту"],
    ]
    report = run_import(actors["director"], rows, "orders", dry_run=False)
    assert report.written and not report.failed and not report.notes
    methods = {p.order.client.name: p.method for p in Payment.select()}
    assert methods == {
        "Сидоров С.С.": "cash",
        "Кузнецов К.К.": "transfer",
        "Орлов О.О.": "transfer",
    }
    _one_movement_per_cash_payment()
    assert cash.balance(cash.main_account()) == rubles(10000)
    # The advance is dated with the order, not with the day of the import.
    from core.base.clock import to_local

    assert to_local(Payment.get(Payment.method == "cash").at).date().isoformat() == "2026-03-01"
    bad = run_import(
        actors["director"], [rows[0], ["04.03.2026", "Лисин", "", "100", "50", "бартер"]], "orders"
    )
    assert "Способ оплаты «бартер» не понятен" in bad.failed[0].errors[0]
    silent = run_import(actors["director"], [row[:5] for row in rows], "orders")
    assert "авансы записаны как полученные переводом" in silent.notes[0]


@pytest.mark.parametrize("orders", [400])
def test_demo_desks_add_up(db, orders):
    from cli.demo import generate

    generate(60, orders, seed=3)
    assert Payment.select().where(Payment.method == "cash").count() > 50
    _one_movement_per_cash_payment()
    # The main desk holds what was handed in minus what was issued: never below zero.
    assert cash.balance(cash.main_account()) > 0
    assert CashMovement.select().where(CashMovement.kind == "handover").count() > 10
