"""Tasks: "позвонить клиенту" and other reminders, with done and snooze."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.helpers import get_form_data
from markupsafe import Markup, escape
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from admin.auth import current_actor
from admin.base import AdminForm, BrigadirModelView, fail, sees
from admin.forms import LocalDateTimeField
from core.base.errors import BrigadirError
from core.base.phones import display_phone
from core.people.models import Employee
from core.tasks import tasks as core_tasks
from core.tasks.models import Task

__all__ = ["TaskView"]


class TaskForm(AdminForm):
    title = StringField(
        "Что сделать", validators=[DataRequired("Напишите, что нужно сделать."), Length(max=300)]
    )
    assignee = SelectField("Кому", coerce=int, validate_choice=False)
    due_at = LocalDateTimeField("Когда", validators=[Optional()])


def _actions(view, context, model, name):
    if model.done_at:
        return Markup('<span class="text-success">выполнено</span>')
    token = context.resolve("csrf_token")()
    base = f'<input type="hidden" name="csrf_token" value="{token}"><input type="hidden" name="id" value="{model.id}">'
    return Markup(
        f'<form method="post" action="{url_for("task.done_view")}" class="d-inline">{base}'
        f'<button class="btn btn-sm btn-success">Готово</button></form> '
        f'<form method="post" action="{url_for("task.snooze_view")}" class="d-inline">{base}'
        f'<input type="hidden" name="hours" value="24"><button class="btn btn-sm btn-outline-secondary">Завтра</button></form>'
    )


def _link(view, context, model, name):
    if model.order_id:
        return Markup(f'<a href="{url_for("order.card_view", id=model.order_id)}">заказ</a>')
    return ""


def _client_phone(model) -> str:
    """The number to call: the task's client, else its order's; "" where the person may not
    see clients' phones (hidden fields, core.access)."""
    if not sees("client_phone"):
        return ""
    client = model.client if model.client_id else (model.order.client if model.order_id else None)
    return client.phone if client is not None and client.phone else ""


def _phone(view, context, model, name):
    phone = _client_phone(model)
    if not phone:
        return ""
    return Markup(
        f'<a href="tel:{escape(phone)}" class="text-nowrap">{escape(display_phone(phone))}</a>'
    )


class TaskView(BrigadirModelView):
    roles = ("manager", "executor")
    write_roles = ("manager", "executor")
    can_edit = False
    column_list = ("title", "phone", "assignee", "due_at", "order", "done_at", "state")
    column_labels = {
        "title": "Задача",
        "phone": "Телефон",
        "assignee": "Кому",
        "due_at": "Срок",
        "order": "Заказ",
        "done_at": "Выполнено",
        "state": "",
    }
    column_formatters = {"state": _actions, "order": _link, "phone": _phone,
                         "assignee": lambda v, c, m, n: m.assignee.name if m.assignee_id else ""}  # fmt: skip
    column_formatters_export = {"state": lambda v, c, m, n: "", "order": lambda v, c, m, n: m.order_id or "",
                                "phone": lambda v, c, m, n: display_phone(_client_phone(m)),
                                "assignee": lambda v, c, m, n: m.assignee.name if m.assignee_id else ""}  # fmt: skip
    column_sortable_list = ("due_at",)

    def base_query(self):
        query = core_tasks.visible_tasks(current_actor())
        if request.args.get("done") != "1" and request.endpoint == "task.index_view":
            query = query.where(Task.done_at.is_null())
        return query

    def default_sort(self):
        return [Task.due_at.asc(nulls="LAST"), Task.id.desc()]

    def create_form(self, obj=None):
        form = TaskForm(get_form_data(), obj=obj)
        actor = current_actor()
        people = (
            Employee.select().where(Employee.active & ~Employee.is_external).order_by(Employee.name)
        )
        if not actor.is_staff_office:
            people = people.where(Employee.id == actor.employee_id)
        form.assignee.choices = [(e.id, e.name) for e in people]
        if form.assignee.data is None:
            form.assignee.data = actor.employee_id
        return form

    def create_model(self, form):
        try:
            return core_tasks.create_task(
                current_actor(), form.title.data, assignee_id=form.assignee.data,
                due_at=form.due_at.data,
            )  # fmt: skip
        except BrigadirError as exc:
            fail(exc)
            return False

    def _id(self) -> int:
        try:
            return int(request.form.get("id", ""))
        except ValueError:
            return -1

    @expose("/done/", methods=["POST"])
    def done_view(self):
        try:
            task = core_tasks.complete_task(current_actor(), self._id())
            flash(f"Готово: {escape(task.title)}", "success")
        except BrigadirError as exc:
            fail(exc)
        return redirect(url_for("task.index_view"))

    @expose("/snooze/", methods=["POST"])
    def snooze_view(self):
        try:
            core_tasks.snooze_task(
                current_actor(), self._id(), int(request.form.get("hours", "24") or 24)
            )
            flash("Задача отложена.", "success")
        except (BrigadirError, ValueError) as exc:
            fail(exc) if isinstance(exc, BrigadirError) else flash("Неверный срок.", "error")
        return redirect(url_for("task.index_view"))
