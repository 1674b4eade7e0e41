"""The customers' own stories, as tests."""

from __future__ import annotations

import pytest

from core.base.errors import AccessDenied, NotFound, ValidationError
from core.base.money import format_money, rubles
from core.clients import clients
from core.clients.models import Client
from core.conversations import threads
from core.conversations.models import Notification
from core.money import cash, payments
from core.orders import orders
from core.orders.models import Order, Stage, StageMove


def test_issued_10000_fuel_1000_materials_5000_leaves_4000_with_the_employee(actors, staff):
    director, ivan = actors["director"], actors["executor"]
    cash.issue_advance(director, staff["executor"].id, rubles(10_000))
    cash.log_expense(ivan, rubles(1_000), "Бензин", "моя заправка")
    cash.log_expense(ivan, rubles(5_000), "Материалы", "кабель")

    summary = cash.employee_summary(director, staff["executor"].id)

    assert (summary.issued, summary.spent, summary.balance) == (
        rubles(10_000),
        rubles(6_000),
        rubles(4_000),
    )
    assert format_money(summary.balance) == "4 000,00 ₽"


def test_counter_order_for_a_new_client_is_found_later_by_three_letters(actors):
    manager = actors["manager"]
    client = clients.create_client(manager, "Иванова Ёлка Петровна", "8 (912) 345-67-89")
    orders.create_order(manager, client.id, "Визитки 500 шт", rubles(1_500))
    clients.create_client(manager, "Петров Сидор", "+7 912 000-00-01")

    assert [c.id for c in clients.find_clients(manager, "ива")] == [client.id]
    assert [c.id for c in clients.find_clients(manager, "ИВА")] == [client.id]
    assert [c.id for c in clients.find_clients(manager, "елк")] == [client.id]  # ё = е
    assert [c.id for c in clients.find_clients(manager, "ива пет")] == [client.id]
    assert [c.id for c in clients.find_clients(manager, "912345")] == [client.id]
    assert [c.id for c in clients.find_clients(manager, "+7 912 3456789")] == [client.id]


def test_same_phone_in_another_format_is_the_same_client(actors):
    manager = actors["manager"]
    clients.create_client(manager, "Иванов", "8 (912) 345-67-89")
    with pytest.raises(Exception, match="уже есть: Иванов"):
        clients.create_client(manager, "Иванов И.", "+7 912 3456789")
    assert Client.select().count() == 1


def test_partial_payment_leaves_a_debt_on_order_and_client(actors):
    manager = actors["manager"]
    client = clients.create_client(manager, "Сидоров", "+79120000002")
    order = orders.create_order(
        manager, client.id, "Подключение дома", rubles(30_000), pipeline="installation"
    )
    payments.add_payment(manager, order.id, rubles(12_500), kind="advance")

    order = Order.get_by_id(order.id)
    client = Client.get_by_id(client.id)
    assert (order.paid, order.debt) == (rubles(12_500), rubles(17_500))
    assert (client.orders_count, client.orders_total, client.debt) == (
        1,
        rubles(30_000),
        rubles(17_500),
    )


def test_an_executor_cannot_read_a_colleagues_order(actors, staff):
    manager = actors["manager"]
    client = clients.create_client(manager, "Кузнецов", "+79120000003")
    theirs = orders.create_order(
        manager, client.id, "Баннер 3×6", rubles(9_000), executor_id=staff["executor2"].id
    )

    with pytest.raises(NotFound, match="не найден"):
        orders.move_to_next(actors["executor"], theirs.id)
    with pytest.raises(NotFound):
        threads.thread_of(actors["executor"], theirs.id)
    assert orders.orders_of(actors["executor"]) == []
    assert [o.id for o in orders.orders_of(actors["executor2"])] == [theirs.id]


def test_a_stage_move_writes_history_and_one_outbox_row(actors, staff):
    manager = actors["manager"]
    client = clients.create_client(manager, "Смирнова", "+79120000004")
    order = orders.create_order(
        manager, client.id, "Листовки", rubles(2_000), executor_id=staff["executor2"].id
    )
    before = Notification.select().where(Notification.audience == "client").count()

    orders.move_to_next(actors["executor2"], order.id, "начал печать")  # в работе: no message
    orders.move_to_next(actors["executor2"], order.id)  # выполнен: client is told

    history = list(StageMove.select().where(StageMove.order == order.id).order_by(StageMove.id))
    assert [(m.from_stage and m.from_stage.name, m.to_stage.name) for m in history] == [
        (None, "Принят"), ("Принят", "В работе"), ("В работе", "Выполнен"),
    ]  # fmt: skip
    assert history[1].comment == "начал печать" and history[1].employee_id == staff["executor2"].id
    new = list(
        Notification.select().where(Notification.audience == "client").order_by(Notification.id)
    )[before:]
    assert len(new) == 1 and "готов" in new[0].text and "2 000,00 ₽" in new[0].text
    for stage in Stage.select():  # the tab counters follow the moves
        assert stage.order_count == Order.select().where(Order.stage == stage).count(), stage.name


def test_a_rolled_back_move_writes_neither_history_nor_outbox(actors, monkeypatch):
    manager = actors["manager"]
    client = clients.create_client(manager, "Волков", "+79120000005")
    order = orders.create_order(manager, client.id, "Наклейки", rubles(700))
    orders.move_to_next(manager, order.id)
    moves, notes = StageMove.select().count(), Notification.select().count()

    def broken(*args, **kwargs):
        raise RuntimeError("диск отвалился")

    monkeypatch.setattr("core.conversations.outbox.notify_order_client", broken)
    with pytest.raises(RuntimeError):
        orders.move_to_next(manager, order.id)  # "выполнен" notifies -> fails inside the txn

    assert (StageMove.select().count(), Notification.select().count()) == (moves, notes)
    assert Order.get_by_id(order.id).stage.name == "В работе"


def test_skipping_a_stage_is_only_for_the_office_and_is_recorded(actors, staff):
    manager = actors["manager"]
    client = clients.create_client(manager, "Орлов", "+79120000006")
    order = orders.create_order(
        manager,
        client.id,
        "Монтаж",
        rubles(5_000),
        executor_id=staff["executor"].id,
        pipeline="installation",
    )
    with pytest.raises(AccessDenied, match="Перескакивать может только менеджер"):
        orders.move_order(actors["executor"], order.id, "grid")
    move = orders.move_order(manager, order.id, "grid", "документы уже были")
    assert move.out_of_order is True


@pytest.mark.parametrize("amount", [-100, 0, 10**13])
def test_absurd_sums_are_refused_and_nothing_is_written(actors, amount):
    manager = actors["manager"]
    client = clients.create_client(manager, "Лебедев", "+79120000007")
    order = orders.create_order(manager, client.id, "Вывеска", rubles(10_000))
    with pytest.raises(ValidationError):
        payments.add_payment(manager, order.id, amount)
    assert Order.get_by_id(order.id).paid == 0


def test_cost_below_what_was_paid_is_refused(actors):
    manager = actors["manager"]
    client = clients.create_client(manager, "Зайцев", "+79120000008")
    order = orders.create_order(
        manager, client.id, "Табличка", rubles(3_000), advance=rubles(2_000)
    )
    with pytest.raises(ValidationError, match="меньше уже оплаченного: 2 000,00 ₽"):
        orders.update_order(manager, order.id, cost=rubles(1_000))
    assert Order.get_by_id(order.id).cost == rubles(3_000)


def test_a_malformed_phone_gets_a_russian_message(actors):
    with pytest.raises(ValidationError, match="телефон"):
        clients.create_client(actors["manager"], "Без телефона", "12")
    assert Client.select().count() == 0


def test_an_unknown_employee_cannot_be_assigned(actors):
    manager = actors["manager"]
    client = clients.create_client(manager, "Фёдоров", "+79120000009")
    with pytest.raises(ValidationError, match="не найден"):
        orders.create_order(manager, client.id, "Печать", rubles(100), executor_id=9999)
    assert Order.select().count() == 0


@pytest.mark.parametrize(
    ("caption", "amount", "category"),
    [
        ("бензин 1000", rubles(1_000), "Бензин"),
        ("материалы 5000 кабель", rubles(5_000), "Материалы"),
        ("моя заправка, потратил 1000 рублей", rubles(1_000), "Бензин"),
        ("купил материалы 5 000 р.", rubles(5_000), "Материалы"),
        ("заправка аи-95 1000", rubles(1_000), "Бензин"),
        ("что-то купил", None, None),
        ("-1000 бензин", None, "Бензин"),
    ],
)
def test_crews_captions_become_expenses(db, caption, amount, category):
    parsed = cash.parse_expense_text(caption)
    assert (parsed.amount, parsed.category) == (amount, category)


def test_nobody_hands_over_more_than_they_hold(actors, staff):
    cash.issue_advance(actors["director"], staff["executor"].id, rubles(1_000))
    with pytest.raises(ValidationError, match="На руках только 1 000,00 ₽"):
        cash.hand_over(actors["executor"], rubles(2_000))
    cash.hand_over(actors["executor"], rubles(1_000))
    assert cash.employee_summary(actors["director"], staff["executor"].id).balance == 0
