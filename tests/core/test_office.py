"""The director's side of core: statistics, payroll, bonuses and fines, merging clients."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.access import actor_for_employee
from core.base.clock import utcnow
from core.base.errors import AccessDenied, ValidationError
from core.base.money import rubles
from core.clients import clients
from core.clients.models import Client
from core.conversations.models import Message
from core.money import payments
from core.orders import orders, stats
from core.orders.models import Order
from core.people import staff as team
from core.people.models import Employee


def _two_managers_orders(actors):
    maria, oleg = actors["manager"], actors["manager2"]
    a = clients.create_client(maria, "Алексеев", "+79120000101")
    b = clients.create_client(oleg, "Борисов", "+79120000102")
    o1 = orders.create_order(maria, a.id, "Баннер", rubles(10_000), advance=rubles(4_000))
    orders.create_order(maria, a.id, "Визитки", rubles(2_000))
    o3 = orders.create_order(oleg, b.id, "Вывеска", rubles(30_000))
    payments.add_payment(oleg, o3.id, rubles(30_000), kind="final", method="transfer")
    return o1


def test_statistics_per_manager_and_period(actors, staff):
    _two_managers_orders(actors)
    start, end = utcnow() - timedelta(days=1), utcnow() + timedelta(days=1)

    rows = {r.manager: r for r in stats.manager_stats(actors["director"], start, end)}

    maria = rows["Мария Менеджерова"]
    assert (maria.orders, maria.revenue, maria.paid, maria.debt, maria.average) == (
        2, rubles(12_000), rubles(4_000), rubles(8_000), rubles(6_000),
    )  # fmt: skip
    oleg = rows["Олег Продажин"]
    assert (oleg.orders, oleg.revenue, oleg.paid, oleg.debt) == (
        1,
        rubles(30_000),
        rubles(30_000),
        0,
    )
    # A manager sees only their own line; an executor nothing.
    assert [r.manager for r in stats.manager_stats(actors["manager"], start, end)] == [
        "Мария Менеджерова"
    ]
    with pytest.raises(AccessDenied):
        stats.manager_stats(actors["executor"], start, end)
    assert stats.manager_stats(actors["director"], end, end + timedelta(days=1)) == []


def test_bonuses_fines_and_payroll_are_the_directors(actors, staff):
    ivan = staff["executor"].id
    team.add_bonus(
        actors["director"], ivan, "bonus", rubles(3_000), "Сдал объект раньше срока", "2026-11"
    )
    team.add_bonus(actors["director"], ivan, "fine", rubles(500), "Опоздал на объект", "2026-11")
    with pytest.raises(AccessDenied):
        team.add_bonus(
            actors["manager"], ivan, "bonus", rubles(100), "за красивые глаза", "2026-11"
        )
    with pytest.raises(ValidationError, match="ГГГГ-ММ"):
        team.add_bonus(actors["director"], ivan, "bonus", rubles(100), "премия", "ноябрь")
    with pytest.raises(ValidationError, match="причину"):
        team.add_bonus(actors["director"], ivan, "fine", rubles(100), "  ", "2026-11")

    from core.pay import payroll

    rows = {r.employee_id: r for r in payroll.sheet(actors["director"], "2026-11").lines}
    assert (rows[ivan].bonuses, rows[ivan].fines) == (rubles(3_000), rubles(500))
    assert [r.employee_id for r in payroll.sheet(actors["manager"], "2026-11").lines] == [
        staff["manager"].id
    ]
    with pytest.raises(AccessDenied):
        team.bonuses_of(actors["executor2"], ivan)  # a colleague's money is not theirs to see
    assert len(team.bonuses_of(actors["executor"], ivan)) == 2


def test_merging_a_duplicate_client_moves_orders_and_keeps_figures(actors):
    manager = actors["manager"]
    keep = clients.create_client(manager, "Иванов Иван", "+79120000201")
    dup = clients.create_client(manager, "Иванов И.", "+79120000202", email="ivanov@example.ru")
    orders.create_order(manager, keep.id, "Баннер", rubles(1_000))
    moved = orders.create_order(manager, dup.id, "Визитки", rubles(2_000), advance=rubles(500))
    Message.create(order=moved, client=dup, direction="in", channel="email", text="Когда готово?")

    merged = clients.merge_clients(manager, keep.id, dup.id)

    assert Client.get_or_none(Client.id == dup.id) is None
    assert Order.get_by_id(moved.id).client_id == keep.id
    assert Message.select().where(Message.client == keep.id).count() == 1
    assert (merged.orders_count, merged.orders_total, merged.debt) == (
        2,
        rubles(3_000),
        rubles(2_500),
    )
    assert (merged.email, merged.phone2) == ("ivanov@example.ru", "+79120000202")
    assert [c.id for c in clients.find_clients(manager, "9120000202")] == [keep.id]
    with pytest.raises(ValidationError):
        clients.merge_clients(manager, keep.id, keep.id)


def test_a_deactivated_employee_can_no_longer_act(actors, staff):
    team.deactivate_employee(actors["director"], staff["executor"].id)
    with pytest.raises(AccessDenied, match="отключена"):
        actor_for_employee(Employee.get_by_id(staff["executor"].id))
    with pytest.raises(ValidationError, match="не найден или отключён"):
        orders.create_order(actors["manager"], clients.create_client(actors["manager"], "Ким", "+79120000301").id,
                            "Монтаж", rubles(100), executor_id=staff["executor"].id)  # fmt: skip
