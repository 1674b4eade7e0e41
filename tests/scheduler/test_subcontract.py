"""Subcontract reminders stop when the item is in: "Перезаказ получен" on the admin card and
in the bot, and no reminders for an order already past that point (ready, issued)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.base.clock import local_today
from core.base.errors import ValidationError
from core.conversations import reminders
from core.conversations.models import Notification
from core.orders import orders, pipelines
from core.orders.models import Order
from core.tasks import tasks
from core.tasks.models import Task
from tests.admin.conftest import app, as_role, store, world  # noqa: F401 - fixtures
from tests.bots.conftest import deps, join  # noqa: F401 - fixtures


def _due_tomorrow(order):
    Order.update(due_date=local_today() + timedelta(days=1)).where(Order.id == order.id).execute()
    Notification.delete().execute()


def _reminded(day_offset=0):
    return reminders.remind_subcontracts(local_today() + timedelta(days=day_offset))


def test_the_admin_card_button_stops_the_reminders(as_role, world):  # noqa: F811
    sub = world["sub"]
    _due_tomorrow(sub)
    assert _reminded() == 2  # the director and the accepting manager
    s = as_role("manager")
    html = s.get(f"/admin/order/card/?id={sub.id}").get_data(as_text=True)
    assert "Перезаказ получен" in html and "ждём от подрядчика" in html
    Task.create(kind="subcontract", title="Узнать у подрядчика", order=sub.id)

    resp = s.post("/admin/order/subcontract/", {"id": sub.id})

    assert resp.status_code == 302
    assert Order.get_by_id(sub.id).subcontract_received
    assert Task.get(Task.order == sub.id).done_at is not None  # the readiness check is done
    assert _reminded(1) == 0  # the next day: nothing
    html = s.get(f"/admin/order/card/?id={sub.id}", follow_redirects=True).get_data(as_text=True)
    assert "ждём от подрядчика" not in html and "Перезаказ получен" not in html
    again = s.post("/admin/order/subcontract/", {"id": sub.id}, follow_redirects=True)
    assert "уже отмечен как полученный" in again.get_data(as_text=True)


def test_an_order_without_a_subcontractor_has_no_button_and_is_refused(as_role, world):  # noqa: F811
    s = as_role("manager")
    own = world["own"]
    assert "Перезаказ получен" not in s.get(f"/admin/order/card/?id={own.id}").get_data(
        as_text=True
    )
    page = s.post("/admin/order/subcontract/", {"id": own.id}, follow_redirects=True)
    assert "нет подрядчика" in page.get_data(as_text=True)
    assert not Order.get_by_id(own.id).subcontract_received
    # an executor who cannot see the order gets nothing to click and no change
    assert as_role("executor").post("/admin/order/subcontract/", {"id": world["sub"].id}).status_code == 404  # fmt: skip


def test_the_bot_button_stops_the_reminders(join, world):  # noqa: F811
    sub = world["sub"]
    _due_tomorrow(sub)
    chat = join("manager")
    chat.tap(f"order:{sub.number}")
    chat.tap(chat.button("Перезаказ получен"))

    assert "Перезаказ получен" in chat.text
    assert Order.get_by_id(sub.id).subcontract_received
    assert _reminded() == 0
    assert "Перезаказ получен" not in [label for label, _ in chat.buttons()]


def test_no_reminders_for_an_order_past_the_point_where_it_is_ready(actors, world):  # noqa: F811
    sub = world["sub"]
    _due_tomorrow(sub)
    done = next(s for s in pipelines.stages_of(sub.pipeline_id) if s.code == "done")
    orders.move_order(actors["manager"], sub.id, done.id, "")
    Notification.delete().execute()
    assert _reminded() == 0
    with pytest.raises(ValidationError):
        tasks.receive_subcontract(actors["manager"], world["own"].id)
