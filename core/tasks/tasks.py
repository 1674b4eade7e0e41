"""To-dos for people: "позвонить клиенту", readiness checks with a subcontractor, reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

import peewee as pw

from core.access import Actor, require_order, require_order_write, require_role
from core.base.clock import utcnow
from core.base.db import database
from core.base.errors import AccessDenied, NotFound, ValidationError
from core.orders.models import Order
from core.people.models import Employee
from core.tasks.models import Task

__all__ = [
    "complete_task",
    "create_task",
    "receive_subcontract",
    "snooze_task",
    "visible_tasks",
]


def visible_tasks(actor: Actor) -> pw.ModelSelect:
    """The director sees everyone's tasks; others only their own."""
    query = Task.select()
    if not actor.is_director:
        query = query.where(Task.assignee == actor.employee_id)
    return query


def _task(actor: Actor, task_id: int) -> Task:
    task = visible_tasks(actor).where(Task.id == task_id).first()
    if task is None:
        raise NotFound("Задача не найдена.")
    return task


def create_task(
    actor: Actor,
    title: str,
    *,
    assignee_id: int | None = None,
    kind: str = "reminder",
    order_id: int | None = None,
    client_id: int | None = None,
    due_at: datetime | None = None,
) -> Task:
    require_role(actor, "manager", "executor")
    title = (title or "").strip()
    if not title:
        raise ValidationError("Напишите, что нужно сделать.")
    if len(title) > 300:
        raise ValidationError("Задача слишком длинная (больше 300 символов).")
    assignee_id = assignee_id or actor.employee_id
    if assignee_id != actor.employee_id and not actor.is_staff_office:
        raise AccessDenied("Ставить задачи другим может директор или менеджер.")
    if Employee.get_or_none((Employee.id == assignee_id) & Employee.active) is None:
        raise ValidationError("Исполнитель задачи не найден или отключён.")
    return Task.create(
        kind=kind,
        title=title,
        assignee=assignee_id,
        order=order_id,
        client=client_id,
        due_at=due_at,
    )


def complete_task(actor: Actor, task_id: int) -> Task:
    task = _task(actor, task_id)
    if task.done_at is not None:
        raise ValidationError("Задача уже выполнена.")
    Task.update(done_at=utcnow(), done_by=actor.employee_id).where(Task.id == task.id).execute()
    return Task.get_by_id(task.id)


def snooze_task(actor: Actor, task_id: int, hours: int) -> Task:
    if not 1 <= hours <= 24 * 30:
        raise ValidationError("Отложить можно на срок от часа до 30 дней.")
    task = _task(actor, task_id)
    until = utcnow() + timedelta(hours=hours)
    Task.update(snoozed_until=until, due_at=until).where(Task.id == task.id).execute()
    return Task.get_by_id(task.id)


def receive_subcontract(actor: Actor, order_id: int) -> Order:
    """ "Перезаказ получен": the subcontracted item is in; its reminders stop (see
    core.conversations.reminders.remind_subcontracts) and open readiness checks on it are done."""
    require_role(actor, "manager", "executor")
    order = require_order(actor, order_id)
    require_order_write(actor, order)
    if not order.subcontractor_id:
        raise ValidationError(f"У заказа №{order.number} нет подрядчика: отмечать нечего.")
    if order.subcontract_received:
        raise ValidationError(f"Перезаказ по заказу №{order.number} уже отмечен как полученный.")
    with database.atomic():
        Order.update(subcontract_received=True, version=Order.version + 1).where(
            Order.id == order.id
        ).execute()
        Task.update(done_at=utcnow(), done_by=actor.employee_id).where(
            (Task.order == order.id) & (Task.kind == "subcontract") & Task.done_at.is_null()
        ).execute()
    return Order.get_by_id(order.id)
