"""Issue 28: a crew member collecting cash on site sees how much to collect for his own
crew's visit, whatever else is hidden from him (the debt is hidden from crews by default);
a payment over the remainder says the remainder to whoever may know it."""

from __future__ import annotations

from datetime import datetime

from core.access import SYSTEM
from core.base.clock import from_local, local_today
from core.base.money import rubles
from core.clients.clients import create_client
from core.money.models import Payment
from core.money.payments import add_payment
from core.orders import orders
from core.selfservice import booking


def _visit_today(actors):
    booking.save_settings(SYSTEM, {"weekdays": [1, 2, 3, 4, 5, 6, 7], "min_hours_before": 0})
    client = create_client(actors["manager"], "Орлова Анна", "+79120000004")
    today = local_today()
    slot = from_local(datetime(today.year, today.month, today.day, 9, 0))
    early = from_local(datetime(today.year, today.month, today.day, 0, 0))
    visit = booking.book_visit(actors["manager"], client.id, slot, "ул. Лесная, 12", now=early)
    orders.update_order(actors["manager"], visit.order_id, cost=rubles(9000))
    add_payment(actors["manager"], visit.order_id, rubles(2000), kind="advance", method="card")
    return visit


def test_crew_sees_what_to_collect_for_its_own_visit(join, staff, actors):
    visit = _visit_today(actors)
    crew = join("executor")  # in the visit's crew; cost, paid and debt hidden from crews
    crew.say("/visits")
    assert "получить 7 000,00 ₽" in crew.text
    crew.tap(f"order:{visit.order.number}")
    assert "Получить с клиента: 7 000,00 ₽" in crew.text
    assert "Стоимость" not in crew.text and "9 000" not in crew.text  # the rest stays hidden
    crew.tap(crew.button("Получил оплату"))
    assert "Осталось получить: 7 000,00 ₽" in crew.text
    crew.say("12000")
    assert "Оплата 12 000,00 ₽ больше остатка" in crew.text
    assert "осталось получить 7 000,00 ₽" in crew.text
    crew.say("7000")
    assert Payment.select().where(Payment.taken_by == staff["executor"].id).get().amount == rubles(
        7000
    )


def test_the_morning_list_says_how_much_to_collect(staff, actors):
    """The list the crew reads in the morning (the push, not only /visits) names the sum to
    collect at each visit of his own crew; the cost and what was paid stay hidden."""
    from core.access import actor_for_employee, can_see
    from core.conversations.models import Notification
    from core.selfservice import crew_visits

    visit = _visit_today(actors)
    assert not can_see(actor_for_employee(staff["executor"]), "debt")  # hidden from crews
    assert crew_visits.crew_digest(local_today()) >= 1
    digest = Notification.get(Notification.idempotency_key.startswith("visits-digest:")
                              & (Notification.employee == staff["executor"].id))  # fmt: skip
    line = next(x for x in digest.text.splitlines() if "ул. Лесная, 12" in x)
    assert line.endswith(f"заказ №{visit.order.number}, получить 7 000,00 ₽")
    assert "9 000" not in digest.text and "2 000" not in digest.text


def test_nobody_else_learns_the_remainder(join, staff, actors):
    visit = _visit_today(actors)
    stranger = join("executor2")  # not in the crew: the order is not his
    stranger.tap(f"order:{visit.order.number}")
    assert "7 000" not in stranger.text
    # His own order without a visit: the debt stays hidden, the refusal names no sum.
    client = create_client(actors["manager"], "Сидоров", "+79120000005")
    own = orders.create_order(actors["manager"], client.id, "Щиток", rubles(5000),
                              executor_id=staff["executor2"].id)  # fmt: skip
    stranger.tap(f"order:{own.number}")
    assert "Получить с клиента" not in stranger.text and "5 000" not in stranger.text
    stranger.tap(f"cash:{own.id}")
    assert "Осталось получить" not in stranger.text
    stranger.say("6000")
    assert "больше остатка по заказу" in stranger.text and "5 000" not in stranger.text


def test_balance_lists_a_fuel_receipt_once(join, staff):
    """«Бензин», not «Бензин — бензин»: the note said only the category (issue 28)."""
    from core.money.cash import issue_advance

    issue_advance(SYSTEM, staff["executor"].id, rubles(10_000))
    crew = join("executor")
    crew.photo(caption="бензин 1000")
    crew.say("баланс")
    assert "Бензин" in crew.text and "Бензин — бензин" not in crew.text
