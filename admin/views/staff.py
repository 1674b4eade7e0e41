"""Employees (director only): roles, crews, bot invites, bonuses and fines (pay: admin/views/pay.py)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.helpers import get_form_data
from markupsafe import Markup
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from admin.auth import current_actor, start_login
from admin.base import AdminForm, BrigadirModelView, fail
from admin.formatting import money_column, month_name, recent_months
from admin.forms import MoneyField, check_phone
from core.base.clock import local_today
from core.base.db import database
from core.base.errors import BrigadirError
from core.people import staff as core_staff
from core.people.models import ROLE_NAMES, Crew, Employee

__all__ = ["BonusView", "CrewView", "EmployeeView"]


class EmployeeForm(AdminForm):
    name = StringField("Имя", validators=[DataRequired("Укажите имя."), Length(max=200)])
    role = SelectField("Роль", choices=list(ROLE_NAMES.items()))
    position = StringField(
        "Должность",
        validators=[Length(max=100)],
        render_kw={"placeholder": "курьер, монтажник, дизайнер"},
    )
    crew = SelectField("Бригада", coerce=lambda v: int(v) if v else None, validate_choice=False)
    phone = StringField("Телефон", validators=[Optional(), check_phone])
    email = StringField("E-mail", validators=[Optional(), Length(max=200)])
    is_external = BooleanField("Подрядчик (перезаказ)")
    contacts = TextAreaField("Контакты подрядчика", render_kw={"rows": 2})
    login = StringField("Логин для входа в админку", validators=[Optional(), Length(max=100)])
    password = PasswordField("Новый пароль", validators=[Optional(), Length(max=200)])


def _invite(view, context, model, name):
    if not model.active or model.is_external:
        return ""
    token = context.resolve("csrf_token")()
    return Markup(
        f'<form method="post" action="{url_for("employee.invite_view")}" class="d-inline">'
        f'<input type="hidden" name="csrf_token" value="{token}"><input type="hidden" name="id" value="{model.id}">'
        f'<button class="btn btn-sm btn-outline-primary">Ссылка для бота</button></form>'
    )


class EmployeeView(BrigadirModelView):
    roles = ("director",)
    write_roles = ("director",)
    column_list = ("name", "role", "position", "crew", "is_external", "login", "active", "invite")
    column_labels = {"name": "Имя", "role": "Роль", "position": "Должность", "crew": "Бригада", "is_external": "Подрядчик",
                     "login": "Логин", "active": "Работает", "invite": ""}  # fmt: skip
    column_formatters = {"role": lambda v, c, m, n: ROLE_NAMES.get(m.role, m.role), "invite": _invite,
                         "crew": lambda v, c, m, n: m.crew.name if m.crew_id else ""}  # fmt: skip
    column_formatters_export = {"invite": lambda v, c, m, n: "", "role": lambda v, c, m, n: ROLE_NAMES.get(m.role, m.role),
                                "crew": lambda v, c, m, n: m.crew.name if m.crew_id else ""}  # fmt: skip
    list_template = "brigadir/employee_list.html"

    def default_sort(self):
        return [Employee.active.desc(), Employee.name]

    def _form(self, obj=None):
        form = EmployeeForm(get_form_data(), obj=obj)
        form.crew.choices = [("", "—")] + [
            (c.id, c.name) for c in Crew.select().order_by(Crew.name)
        ]
        if obj is not None and request.method == "GET":
            form.crew.data = obj.crew_id
        return form

    create_form = _form
    edit_form = _form

    def _data(self, form) -> dict:
        return {"position": form.position.data or "", "crew_id": form.crew.data, "phone": form.phone.data or None,
                "email": form.email.data or None, "is_external": form.is_external.data,
                "contacts": form.contacts.data or "", "login": form.login.data or None}  # fmt: skip

    def create_model(self, form):
        try:
            return core_staff.create_employee(current_actor(), form.name.data, form.role.data,
                                              password=form.password.data or None, **self._data(form))  # fmt: skip
        except BrigadirError as exc:
            fail(exc)
            return False

    def update_model(self, form, model):
        actor = current_actor()
        try:
            with database.atomic():
                core_staff.update_employee(
                    actor, model.id, name=form.name.data, role=form.role.data, **self._data(form)
                )
                if form.password.data:
                    core_staff.set_password(actor, model.id, form.password.data)
        except BrigadirError as exc:
            fail(exc)
            return False
        if form.password.data and model.id == actor.employee_id:
            start_login(Employee.get_by_id(model.id))  # other sessions end, this one goes on
        return True

    @expose("/invite/", methods=["POST"])
    def invite_view(self):
        try:
            invite = core_staff.create_invite(
                current_actor(), employee_id=int(request.form.get("id", "0"))
            )
        except (BrigadirError, ValueError) as exc:
            fail(exc) if isinstance(exc, BrigadirError) else abort(404)
            return redirect(url_for("employee.index_view"))
        bot = current_app.config["BRIGADIR_CONFIG"].telegram.bot_username
        link = f"https://t.me/{bot}?start={invite.code}" if bot else f"/start {invite.code}"
        flash(f"Ссылка для бота (действует 7 дней, одноразовая): {link}", "success")
        return redirect(url_for("employee.index_view"))

    @expose("/payroll/")
    def payroll_view(self):
        """The old monthly summary's address: the pay sheet (Зарплата) replaced it."""
        return redirect(url_for("pay.index", period=request.args.get("period") or None))


def _months_with(period: str) -> list[tuple[str, str]]:
    """The recent months to choose from, and `period` among them even if it is older."""
    months = recent_months(local_today())
    if period and period not in dict(months):
        months.append((period, month_name(period)))
    return months


class BonusForm(AdminForm):
    employee = SelectField("Сотрудник", coerce=int, validate_choice=False)
    kind = SelectField("Вид", choices=[("bonus", "Премия"), ("fine", "Штраф")])
    amount = MoneyField("Сумма, ₽", allow_zero=False)
    reason = StringField("Причина", validators=[DataRequired("Укажите причину."), Length(max=1000)])
    period = SelectField("Месяц", validate_choice=False)  # the browser's own month picker


class BonusView(BrigadirModelView):
    roles = ("director",)
    write_roles = ("director",)
    can_edit = False
    column_list = ("employee", "kind", "amount", "reason", "period", "created_at")
    column_labels = {
        "employee": "Сотрудник",
        "kind": "Вид",
        "amount": "Сумма",
        "reason": "Причина",
        "period": "Месяц",
        "created_at": "Записано",
    }
    column_formatters = {"employee": lambda v, c, m, n: m.employee.name, "amount": money_column,
                         "kind": lambda v, c, m, n: "Премия" if m.kind == "bonus" else "Штраф",
                         "period": lambda v, c, m, n: month_name(m.period)}  # fmt: skip
    column_formatters_export = {"employee": lambda v, c, m, n: m.employee.name, "amount": lambda v, c, m, n: m.amount / 100,
                                "kind": lambda v, c, m, n: "Премия" if m.kind == "bonus" else "Штраф"}  # fmt: skip

    def create_form(self, obj=None):
        form = BonusForm(get_form_data(), obj=obj)
        form.employee.choices = [
            (e.id, e.name) for e in Employee.select().where(Employee.active).order_by(Employee.name)
        ]
        if not form.period.data:
            form.period.data = local_today().strftime("%Y-%m")
        form.period.choices = _months_with(form.period.data)
        return form

    def create_model(self, form):
        try:
            return core_staff.add_bonus(current_actor(), form.employee.data, form.kind.data, form.amount.data,
                                        form.reason.data, form.period.data.strip())  # fmt: skip
        except BrigadirError as exc:
            fail(exc)
            return False


class CrewForm(AdminForm):
    name = StringField(
        "Название бригады", validators=[DataRequired("Укажите название."), Length(max=100)]
    )


class CrewView(BrigadirModelView):
    roles = ("director",)
    write_roles = ("director",)
    can_edit = False
    column_list = ("name", "members", "active")
    column_labels = {"name": "Бригада", "members": "Состав", "active": "Работает"}
    column_formatters = {
        "members": lambda v, c, m, n: ", ".join(
            e.name for e in m.members.where(Employee.active).order_by(Employee.name)
        )
    }
    column_formatters_export = column_formatters

    def default_sort(self):
        return [Crew.name]

    def create_form(self, obj=None):
        return CrewForm(get_form_data(), obj=obj)

    def create_model(self, form):
        try:
            return core_staff.create_crew(current_actor(), form.name.data)
        except BrigadirError as exc:
            fail(exc)
            return False
