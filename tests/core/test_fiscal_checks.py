"""Issue 25 item 5: a fiscal receipt (54-ФЗ) for every client payment in cash or by card,
through АТОЛ Онлайн v5 — the real adapter (checkout/atol.py over httpx) against a fake that
follows the published API, its errors and slow answers."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from checkout.atol import AtolRegister
from core.base import runtime, settings
from core.base.clock import utcnow
from core.base.config import Config
from core.base.errors import AccessDenied
from core.base.money import rubles
from core.clients.clients import create_client
from core.conversations.models import Notification
from core.money import fiscal_checks
from core.money.models import FiscalCheck
from core.money.payments import add_payment
from core.orders.orders import create_order
from core.orders.positions import set_lines
from tests.fakes.atol import FakeAtol


@pytest.fixture
def atol():
    with FakeAtol() as fake:
        yield fake


def use_register(conf: dict) -> None:
    """Настройки → Кассовые чеки, as the director fills it in."""
    for key, value in conf.items():
        settings.put(f"cash_register.{key}", value)


@pytest.fixture
def register(db, atol):
    use_register(atol.conf())
    return AtolRegister(atol.conf(), timeout=2.0)


@pytest.fixture
def client(db, actors):
    return create_client(actors["manager"], "Смирнова Ольга", "+79165554433")


def _run(register, times=4):
    now = utcnow()
    for n in range(times):  # the scheduler's ticks, each a little later
        fiscal_checks.process_due(register, now=now + timedelta(minutes=2 * n))


def _body(atol, n=-1):
    doc = list(atol.docs.values())[n]
    return doc["body"].get("receipt") or doc["body"]["correction"]


def test_cash_at_the_counter_gets_one_receipt_outside_the_payment(register, atol, actors, client):
    order = create_order(actors["manager"], client.id, "Баннер 2×1 м", rubles(12_500),
                         advance=rubles(5_000))  # fmt: skip
    check = FiscalCheck.get()
    assert (check.status, check.amount, check.sign) == ("queued", rubles(5_000), "advance")
    assert atol.requests == []  # nothing was asked of the register while the money was taken
    _run(register)
    check = FiscalCheck.get()
    assert check.status == "done" and check.fiscal["fd"] == "1001"
    body = _body(atol)
    assert body["client"] == {"phone": "+79165554433"}
    assert body["company"] == {"email": "shop@example.ru", "sno": "usn_income",
                               "inn": "7701234567", "payment_address": "https://print.example.ru"}  # fmt: skip
    assert body["items"] == [{
        "name": f"Аванс по заказу №{order.number}: Баннер 2×1 м", "price": 5000.0, "quantity": 1.0,
        "sum": 5000.0, "measure": 0, "payment_method": "advance", "payment_object": 10,
        "vat": {"type": "none"},
    }]  # fmt: skip
    assert body["payments"] == [{"type": 0, "sum": 5000.0}] and body["total"] == 5000.0
    link = Notification.get(Notification.idempotency_key == f"fiscal-check:{check.id}")
    assert f"Кассовый чек по заказу №{order.number} на 5 000,00 ₽" in link.text
    assert "https://check.example-ofd.ru/rec/" in link.text and link.client_id == client.id
    _run(register)  # later ticks: nothing twice
    assert len(atol.registered()) == 1 and FiscalCheck.select().count() == 1


def test_handover_is_a_full_settlement_with_the_advance_offset(register, atol, actors, client):
    settings.put("vat.tax_system", "osn")
    settings.put("vat.rates", ["22", "10"])
    settings.put("company.vat_rate", 22)
    order = create_order(actors["manager"], client.id, "Печать", rubles(100))
    set_lines(actors["manager"], order.id, [
        {"name": "Баннер", "quantity": "2,5", "unit": "м2", "price": "1 000", "vat": "22", "subject": "goods"},
        {"name": "Брошюры", "quantity": "10", "unit": "шт", "price": "150", "vat": "10", "subject": "goods"},
    ])  # fmt: skip
    add_payment(actors["manager"], order.id, rubles(2_000), kind="advance", method="card")
    add_payment(actors["manager"], order.id, rubles(2_000), kind="final", method="cash")
    _run(register)
    first, second = (_body(atol, 0), _body(atol, 1))
    # a part payment before handover: предоплата, split over the rates by their share
    assert [(i["payment_method"], i["sum"], i["vat"]["type"]) for i in first["items"]] == [
        ("prepayment", 1250.0, "vat122"), ("prepayment", 750.0, "vat110"),
    ]  # fmt: skip
    assert first["payments"] == [{"type": 1, "sum": 2000.0}]
    # handover: every position in full, the earlier 2 000 offset (type 2), no credit left
    assert [(i["name"], i["quantity"], i["sum"], i["measure"], i["payment_method"],
             i["payment_object"], i["vat"]["type"]) for i in second["items"]] == [
        ("Баннер", 2.5, 2500.0, 32, "full_payment", 1, "vat22"),
        ("Брошюры", 10.0, 1500.0, 0, "full_payment", 1, "vat10"),
    ]  # fmt: skip
    assert second["payments"] == [{"type": 0, "sum": 2000.0}, {"type": 2, "sum": 2000.0}]
    assert second["total"] == 4000.0 and second["company"]["sno"] == "osn"
    assert [c.sign for c in FiscalCheck.select().order_by(FiscalCheck.id)] == [
        "prepayment", "full_payment"]  # fmt: skip


def test_full_prepayment_and_partial_settlement_with_credit(register, atol, actors, client):
    order = create_order(actors["manager"], client.id, "Визитки", rubles(3_000))
    set_lines(actors["manager"], order.id, [{"name": "Визитки", "quantity": "1000", "unit": "шт",
                                             "price": "3"}])  # fmt: skip
    add_payment(actors["manager"], order.id, rubles(3_000), kind="advance", method="cash")
    other = create_order(actors["manager"], client.id, "Листовки", rubles(1_000))
    add_payment(actors["manager"], other.id, rubles(400), kind="final", method="cash")
    _run(register)
    assert _body(atol, 0)["items"][0]["payment_method"] == "full_prepayment"
    credit = _body(atol, 1)
    assert credit["items"][0]["payment_method"] == "partial_payment"
    assert credit["payments"] == [{"type": 0, "sum": 400.0}, {"type": 3, "sum": 600.0}]


def test_one_rule_decides_the_path(register, atol, actors, client):
    firm = create_client(actors["manager"], "ООО «Вектор»", "+79160001122", kind="company")
    by_bank = create_order(actors["manager"], firm.id, "Баннер", rubles(1_000))
    add_payment(actors["manager"], by_bank.id, rubles(1_000), method="transfer")  # firm by bank
    person = create_order(actors["manager"], client.id, "Кружки", rubles(1_000))
    add_payment(actors["manager"], person.id, rubles(500), method="transfer")  # a person by bank
    add_payment(actors["manager"], person.id, rubles(100), method="online")  # no YooKassa receipt
    runtime.init(dataclasses.replace(
        Config(), yookassa=dataclasses.replace(Config().yookassa, receipts=True)))  # fmt: skip
    add_payment(actors["manager"], person.id, rubles(100), method="online")  # YooKassa's receipt
    assert [(c.payment.method, c.amount) for c in FiscalCheck.select().order_by(FiscalCheck.id)] == [
        ("transfer", rubles(500)), ("online", rubles(100)),
    ]  # fmt: skip
    settings.put("cash_register.provider", "")  # no register set up: nothing is queued
    add_payment(actors["manager"], person.id, rubles(100), method="cash")
    assert FiscalCheck.select().count() == 2


def test_a_slow_answer_is_retried_and_registers_nothing_twice(register, atol, actors, client):
    order = create_order(actors["manager"], client.id, "Баннер", rubles(1_000))
    add_payment(actors["manager"], order.id, rubles(1_000), method="card")
    atol.slow_seconds = 3  # the register takes it but answers after our 2 s timeout
    now = utcnow()
    fiscal_checks.process_due(register, now=now)
    check = FiscalCheck.get()
    assert check.status == "queued" and check.attempts == 1 and "не ответил вовремя" in check.error
    assert check.next_try_at > now  # waits before the next try
    atol.slow_seconds = 0
    _run(register)
    assert FiscalCheck.get().status == "done"
    assert len(atol.registered()) == 1  # the second send was answered with code 33 and its uuid


def test_errors_are_retried_then_shown_to_the_director(register, atol, actors, client, staff):
    order = create_order(actors["manager"], client.id, "Баннер", rubles(1_000))
    add_payment(actors["manager"], order.id, rubles(1_000), method="cash")
    atol.fail_next = [(500, 50, "Ошибка сервера. Обратитесь к Администратору.")] * 3
    now = utcnow()
    for n in range(3):
        fiscal_checks.process_due(register, now=now + timedelta(hours=n))
    check = FiscalCheck.get()
    assert (check.status, check.attempts, check.told) == ("queued", 3, True)
    told = Notification.select().where(Notification.idempotency_key.startswith("fiscal-problem:"))
    assert [n.employee_id for n in told] == [staff["director"].id]
    assert "не пробит — АТОЛ: Ошибка сервера" in told[0].text and "Пробуем ещё" in told[0].text
    for n in range(4, 7):  # the register is back: sent, asked (wait), asked (done)
        fiscal_checks.process_due(register, now=now + timedelta(hours=n))
    assert FiscalCheck.get().status == "done" and told.count() == 1  # told once


def test_a_receipt_that_cannot_pass_waits_for_the_director(register, atol, actors, staff, db):
    nobody = create_client(actors["manager"], "Без Контактов", None)
    order = create_order(actors["manager"], nobody.id, "Баннер", rubles(1_000))
    add_payment(actors["manager"], order.id, rubles(1_000), method="cash")
    _run(register)
    check = FiscalCheck.get()
    assert check.status == "failed" and "Ошибочные поля : client" in check.error
    _run(register)
    assert len(atol.registered()) == 0 and check.attempts == FiscalCheck.get().attempts
    rows = fiscal_checks.checks_for_director(actors["director"], problems_only=True)
    assert [r.id for r in rows] == [check.id]
    from core.clients.models import Client

    Client.update(email="client@example.ru").where(Client.id == nobody.id).execute()
    fiscal_checks.retry(actors["director"], check.id)
    _run(register)
    assert FiscalCheck.get().status == "done" and _body(atol)["client"] == {
        "email": "client@example.ru"
    }
    with pytest.raises(Exception, match="непробитый"):
        fiscal_checks.retry(actors["director"], check.id)


def test_an_expired_token_is_renewed(register, atol, actors, client):
    order = create_order(actors["manager"], client.id, "Баннер", rubles(1_000))
    add_payment(actors["manager"], order.id, rubles(500), method="cash")
    _run(register, times=1)
    atol.expire_tokens()
    add_payment(actors["manager"], order.id, rubles(500), method="cash")
    _run(register)
    assert [c.status for c in FiscalCheck.select()] == ["done", "done"]
    assert sum(r.path.endswith("getToken") for r in atol.requests) == 2


def test_a_wrong_login_fails_and_is_not_hammered(atol, actors, client, db):
    use_register(atol.conf(password="wrong"))
    register = AtolRegister(atol.conf(password="wrong"), timeout=2.0)
    order = create_order(actors["manager"], client.id, "Баннер", rubles(1_000))
    add_payment(actors["manager"], order.id, rubles(1_000), method="cash")
    _run(register)
    check = FiscalCheck.get()
    assert check.status == "failed" and "Неверный логин или пароль (код 12)" in check.error


def test_a_wrong_receipt_is_fixed_by_a_correction(register, atol, actors, client):
    order = create_order(actors["manager"], client.id, "Баннер", rubles(1_000))
    add_payment(actors["manager"], order.id, rubles(600), method="cash")
    _run(register)
    done = FiscalCheck.get()
    fix = fiscal_checks.correct(actors["director"], done.id, rubles(800), "сумма набрана неверно")
    assert (fix.operation, fix.amount, fix.corrects_id) == ("sell_correction", rubles(200), done.id)
    _run(register)
    doc = atol.registered("sell_correction")[0]["body"]["correction"]
    assert (
        doc["correction_info"]["type"] == "self" and doc["correction_info"]["base_number"] == "1001"
    )
    assert doc["total"] == 200.0 and doc["payments"] == [{"type": 0, "sum": 200.0}]
    assert FiscalCheck.get_by_id(fix.id).status == "done"
    less = fiscal_checks.correct(actors["director"], done.id, rubles(500))
    assert (less.operation, less.amount) == ("sell_refund_correction", rubles(100))
    with pytest.raises(Exception, match="совпадает"):
        fiscal_checks.correct(actors["director"], done.id, rubles(600))
    with pytest.raises(AccessDenied):
        fiscal_checks.correct(actors["manager"], done.id, rubles(700))  # the director's hand


def test_the_scheduler_job_uses_the_register_the_settings_name(register, atol, actors, client):
    from scheduler.app import FiscalJob

    job = FiscalJob()
    order = create_order(actors["manager"], client.id, "Баннер", rubles(1_000))
    add_payment(actors["manager"], order.id, rubles(1_000), method="cash")
    for _ in range(3):
        job()
        FiscalCheck.update(next_try_at=utcnow() - timedelta(seconds=1)).execute()
    assert FiscalCheck.get().status == "done" and len(atol.registered()) == 1
    settings.put("cash_register.provider", "")
    assert job() == 0  # switched off in settings: the job does nothing


def test_money_given_back_gets_a_refund_receipt(register, atol, actors, client):
    from core.money.payments import take_back

    order = create_order(actors["manager"], client.id, "Баннер", rubles(1_000))
    paid = add_payment(actors["manager"], order.id, rubles(1_000), method="card")
    _run(register)
    take_back(actors["manager"], paid.id, rubles(300), note="брак")
    _run(register)
    refund = FiscalCheck.get(FiscalCheck.operation == "sell_refund")
    assert (refund.status, refund.amount) == ("done", rubles(300))
    body = atol.registered("sell_refund")[0]["body"]["receipt"]
    assert body["total"] == 300.0 and body["payments"] == [{"type": 1, "sum": 300.0}]
    assert (
        "Чек возврата по заказу"
        in Notification.get(Notification.idempotency_key == f"fiscal-check:{refund.id}").text
    )


def test_a_receipt_that_cannot_be_built_stops_and_is_shown(register, atol, actors, client):
    class Broken:  # an adapter that chokes on the receipt itself (a bug, not the network)
        name = "broken"

        def send(self, operation, external_id, receipt):
            raise KeyError("items")

        def report(self, uuid):
            raise AssertionError("never asked")

    order = create_order(actors["manager"], client.id, "Баннер", rubles(1_000))
    add_payment(actors["manager"], order.id, rubles(1_000), method="cash")
    _run(Broken())
    check = FiscalCheck.get()
    assert (check.status, check.attempts, check.told) == ("failed", 1, True)
    assert "чек не собран: KeyError" in check.error
