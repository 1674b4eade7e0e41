"""Issue 25 item 1: an order's positions. The counter writes none (one line from the
description and cost); the card's positions set the cost; VAT rates come from the firm's
settings; totals and VAT in kopecks by one rounding rule; bad input writes nothing."""

from decimal import Decimal

import pytest

from core.base import settings
from core.base.errors import ValidationError
from core.clients.clients import create_client
from core.clients.models import Client
from core.money import taxes
from core.orders import lines, positions
from core.orders.models import Order, OrderLine
from core.orders.orders import create_order, update_order


@pytest.fixture
def order(db, actors):
    client = create_client(actors["manager"], "Смирнова Ольга", "+79165554433")
    return create_order(actors["manager"], client.id, "Баннер 2×1 м", 1_250_000, advance=200_000)


def test_a_counter_order_has_one_line_and_no_rows(order):
    assert OrderLine.select().count() == 0
    (line,) = lines.lines_of(order)
    assert (line.name, line.quantity, line.unit, line.okei, line.price, line.vat_rate) == (
        "Баннер 2×1 м", Decimal(1), "усл. ед", "876", 1_250_000, None,
    )  # fmt: skip


def test_positions_set_the_cost_debt_and_client_totals(order, actors):
    settings.put("vat.tax_system", "osn")
    settings.put("vat.rates", ["22", "10", "none"])
    settings.put("company.vat_rate", 22)
    rows = [
        {"name": "Баннер", "quantity": "2,5", "unit": "м²", "price": "333,33", "vat": "22", "subject": "goods"},
        {"name": "Дизайн", "quantity": "1", "unit": "усл.", "price": "1 000", "vat": "none"},
        {"name": "Брошюры", "quantity": "3", "unit": "шт.", "price": "33,33", "vat": "10"},
    ]  # fmt: skip
    Order.update(paid=0, debt=Order.cost).where(Order.id == order.id).execute()
    fresh = positions.set_lines(actors["manager"], order.id, rows)
    got = lines.lines_of(fresh)
    assert [(x.unit, x.okei, x.amount, x.vat) for x in got] == [
        ("м2", "055", 83333, 15027), ("усл. ед", "876", 100000, None), ("шт", "796", 9999, 909),
    ]  # fmt: skip
    # 2,5 × 333,33 = 833,325 → 833,33, VAT 22/122 → 150,27; 3 × 33,33 = 99,99, VAT 9,09
    assert lines.totals(got) == (193332, 15936)
    assert (fresh.cost, fresh.debt) == (193332, 193332)


def test_the_cost_follows_the_positions_and_refuses_a_hand_edit(order, actors):
    rows = [{"name": "Баннер", "quantity": "2", "unit": "шт", "price": "7 000"}]
    fresh = positions.set_lines(actors["manager"], order.id, rows)
    assert (fresh.cost, fresh.paid, fresh.debt) == (1_400_000, 200_000, 1_200_000)
    client = Client.get_by_id(order.client_id)
    assert (client.orders_total, client.debt) == (1_400_000, 1_200_000)
    with pytest.raises(ValidationError, match="Стоимость заказа — сумма его позиций"):
        update_order(actors["manager"], order.id, cost=1_000_000)
    update_order(actors["manager"], order.id, description="Баннер и люверсы")  # other fields free
    back = positions.set_lines(actors["manager"], order.id, [])  # no rows: one line again
    assert OrderLine.select().count() == 0 and back.cost == 1_400_000
    assert lines.lines_of(back)[0].name == "Баннер и люверсы"


@pytest.mark.parametrize(
    "row, message",
    [
        ({"name": "", "quantity": "1", "unit": "шт", "price": "1"}, "Позиция 2: впишите наименование"),
        ({"name": "x", "quantity": "0", "unit": "шт", "price": "1"}, "количество должно быть больше нуля"),
        ({"name": "x", "quantity": "1,2345", "unit": "шт", "price": "1"}, "до трёх знаков"),
        ({"name": "x", "quantity": "1", "unit": "бочка", "price": "1"}, "нет в справочнике"),
        ({"name": "x", "quantity": "1", "unit": "шт", "price": "сто"}, "Не понимаю сумму"),
        ({"name": "x", "quantity": "1", "unit": "шт", "price": "1", "vat": "18"}, "Ставки НДС 18 % нет в законе"),
        ({"name": "x", "quantity": "1", "unit": "шт", "price": "1", "vat": "22"}, "не выбрана в настройках"),
    ],
)  # fmt: skip
def test_bad_positions_write_nothing(order, actors, row, message):
    before = (Order.get_by_id(order.id).cost, OrderLine.select().count())
    with pytest.raises(ValidationError, match=message):
        positions.set_lines(
            actors["manager"],
            order.id,
            [{"name": "ok", "quantity": "1", "unit": "шт", "price": "5"}, row],
        )
    assert (Order.get_by_id(order.id).cost, OrderLine.select().count()) == before


def test_positions_below_what_is_paid_are_refused(order, actors):
    with pytest.raises(ValidationError, match="меньше уже оплаченного"):
        positions.set_lines(
            actors["manager"],
            order.id,
            [{"name": "x", "quantity": "1", "unit": "шт", "price": "100"}],
        )
    assert OrderLine.select().count() == 0


def test_a_unit_outside_the_catalogue_needs_its_okei_code(order, actors):
    row = {"name": "Рулон", "quantity": "2", "unit": "рулон", "okei": "736", "price": "1 000"}
    fresh = positions.set_lines(actors["manager"], order.id, [row])
    assert [(x.unit, x.okei) for x in lines.lines_of(fresh)] == [("рулон", "736")]


def test_the_regime_comes_from_settings_not_code(db):
    assert taxes.regime().rates == (None,) and not taxes.regime().pays_vat
    settings.put("vat.rates", ["22", "none"])
    settings.put("company.vat_rate", 22)
    settings.put("vat.no_vat_reason", "Без НДС (ПСН)")
    regime = taxes.regime()
    assert (regime.default, regime.rates, regime.pays_vat) == (22, (22, None), True)
    assert regime.no_vat_text() == "Без НДС (ПСН)"
    with pytest.raises(ValidationError):
        regime.check(10)
