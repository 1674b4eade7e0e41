"""Who answers for an order is one rule (core.orders.columns.who_answers): the order list's
«Ответственный» and whoever escalation and client files reach are the same person."""

from __future__ import annotations

import pytest

from core.base.money import rubles
from core.clients.clients import create_client
from core.conversations.delivery import responsible_employee
from core.orders.models import Stage
from core.orders.orders import create_order
from core.people.models import Employee


@pytest.fixture
def world_client(actors):
    return create_client(actors["manager"], "Сидоров Пётр", "+79120000088")


def test_the_stage_person_then_the_manager_then_a_director(actors, staff, world_client):
    order = create_order(actors["manager"], world_client.id, "Баннер", rubles(1000))
    assert responsible_employee(order) == staff["manager"]
    Stage.update(responsible=staff["manager2"].id).where(Stage.id == order.stage_id).execute()
    assert responsible_employee(order) == staff["manager2"]  # the stage names someone
    Employee.update(active=False).where(Employee.id == staff["manager2"].id).execute()
    assert responsible_employee(order) == staff["manager"]  # they left: the manager again
    Employee.update(active=False).where(Employee.id == staff["manager"].id).execute()
    assert responsible_employee(order) == staff["director"]
    assert responsible_employee(None) == staff["director"]
