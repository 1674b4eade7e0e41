"""Date-time fields round-trip in the firm's zone: what a form shows is what it saves."""

from __future__ import annotations

from datetime import date, datetime

from core.orders.models import Order
from core.tasks.models import Task
from tests.htmlforms import form_with

STABLE = ("visit_at", "due_date", "install_date", "cost", "paid", "description", "executor",
          "crew", "object_address", "object_type", "object_note", "documents_received", "source",
          "folder", "custom", "stage")  # fmt: skip


def _snapshot(order_id: int) -> dict:
    order = Order.get_by_id(order_id)
    return {name: getattr(order, name if name not in ("executor", "crew", "stage") else f"{name}_id")
            for name in STABLE}  # fmt: skip


def test_saving_the_order_form_three_times_changes_nothing(as_role, world):
    order = world["mine"]
    Order.update(visit_at=datetime(2026, 12, 1, 7, 30), due_date=date(2026, 12, 3),
                 install_date=date(2026, 12, 2), object_address="ул. Ленина, 1",
                 object_note="Собака во дворе").where(Order.id == order.id).execute()  # fmt: skip
    before = _snapshot(order.id)
    s = as_role("manager")
    url = f"/admin/order/edit/?id={order.id}"
    for attempt in range(3):
        page = s.get(url).get_data(as_text=True)
        form = form_with(page, "visit_at")
        # 07:30 UTC is 10:30 in Moscow: the person sees and sends back local time
        assert form["visit_at"] == "2026-12-01T10:30", attempt
        resp = s.post(url, form)
        assert resp.status_code == 302, resp.get_data(as_text=True)[-1500:]
        assert _snapshot(order.id) == before, attempt
    card = s.get(f"/admin/order/card/?id={order.id}").get_data(as_text=True)
    assert "01.12.2026 10:30" in card


def test_a_typed_visit_time_is_local(as_role, world):
    s = as_role("manager")
    url = f"/admin/order/edit/?id={world['own'].id}"
    form = form_with(s.get(url).get_data(as_text=True), "visit_at")
    form["visit_at"] = "2026-12-05T09:00"
    assert s.post(url, form).status_code == 302
    assert Order.get_by_id(world["own"].id).visit_at == datetime(2026, 12, 5, 6, 0)
    form = form_with(s.get(url).get_data(as_text=True), "visit_at")
    assert form["visit_at"] == "2026-12-05T09:00"
    form["visit_at"] = "2026-13-40T99:00"
    resp = s.post(url, form)
    assert resp.status_code == 200 and "Время указано неверно" in resp.get_data(as_text=True)
    assert Order.get_by_id(world["own"].id).visit_at == datetime(2026, 12, 5, 6, 0)


def test_task_time_is_local(as_role, world, staff):
    s = as_role("manager")
    form = form_with(s.get("/admin/task/new/").get_data(as_text=True), "due_at")
    form.update(title="Позвонить Иванову", due_at="2026-12-01T10:00")
    assert s.post("/admin/task/new/", form).status_code == 302
    task = Task.get(Task.title == "Позвонить Иванову")
    assert task.due_at == datetime(2026, 12, 1, 7, 0)
    assert "01.12.2026 10:00" in s.get("/admin/task/").get_data(as_text=True)
