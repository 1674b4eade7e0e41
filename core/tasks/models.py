"""To-dos for people."""

from __future__ import annotations

import peewee as pw

from core.base.clock import utcnow
from core.base.models import BaseModel
from core.clients.models import Client
from core.conversations.models import Notification
from core.orders.models import Order
from core.people.models import Employee


class Task(BaseModel):
    """A to-do for a person: "позвонить клиенту", a readiness check with a subcontractor..."""

    kind = pw.CharField(max_length=24, default="reminder")  # call_client|subcontract|reminder
    title = pw.CharField(max_length=300)
    order = pw.ForeignKeyField(Order, null=True, backref="todo", on_delete="CASCADE")
    client = pw.ForeignKeyField(Client, null=True, on_delete="CASCADE")
    assignee = pw.ForeignKeyField(Employee, null=True, backref="todo", on_delete="SET NULL")
    notification = pw.ForeignKeyField(Notification, null=True, on_delete="SET NULL")
    due_at = pw.DateTimeField(null=True)
    snoozed_until = pw.DateTimeField(null=True)
    done_at = pw.DateTimeField(null=True, index=True)
    done_by = pw.ForeignKeyField(Employee, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)


# Open tasks by person and due date: the task list and the dashboard read the few open ones
# from this partial index, however many done tasks pile up over the years.
Task.add_index(
    Task.index(Task.assignee, Task.due_at, name="task_open", where=Task.done_at.is_null())
)
