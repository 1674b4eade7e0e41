"""Pipeline stages in Settings (director): add, rename, reorder, remove (moving the stage's
orders to another stage), the responsible role and person. The rules live in core.orders.pipelines."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.helpers import get_form_data
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from admin.auth import current_actor
from admin.base import AdminForm, BrigadirModelView, fail
from core.base.errors import BrigadirError
from core.conversations.models import Template
from core.orders import pipelines
from core.orders.models import Pipeline, Stage
from core.people.models import ROLE_NAMES, Employee

__all__ = ["StageView"]


def _person(value: str) -> int | None:
    return int(value) if value else None


class StageForm(AdminForm):
    name = StringField("Название", validators=[DataRequired("Укажите название."), Length(max=100)])
    position = IntegerField(
        "Порядок", validators=[InputRequired("Укажите порядок."), NumberRange(1, 50, "От 1 до 50.")]
    )
    responsible_role = SelectField(
        "Ответственная роль", choices=[("", "—")] + list(ROLE_NAMES.items())
    )
    responsible = SelectField("Ответственный сотрудник", coerce=_person, validate_choice=False)
    notify_client = BooleanField("Уведомлять клиента")
    template_code = SelectField("Шаблон сообщения", validate_choice=False)
    is_archive = BooleanField("Архивный этап")


class NewStageForm(AdminForm):
    pipeline = SelectField("Процесс", coerce=int, validate_choice=False)
    name = StringField("Название", validators=[DataRequired("Укажите название."), Length(max=100)])
    position = IntegerField(
        "Место (пусто — в конец)",
        validators=[Optional(), NumberRange(1, 50, "От 1 до 50.")],
    )
    responsible_role = SelectField(
        "Ответственная роль", choices=[("", "—")] + list(ROLE_NAMES.items())
    )
    responsible = SelectField("Ответственный сотрудник", coerce=_person, validate_choice=False)
    is_archive = BooleanField("Архивный этап")


def _people() -> list[tuple[str, str]]:
    staff = Employee.select().where(Employee.active & ~Employee.is_external).order_by(Employee.name)
    return [("", "—")] + [(str(e.id), e.name) for e in staff]


def _actions(view, context, model, name) -> Markup:
    """Up, down and remove, each a small POST form (remove opens its confirmation page)."""
    token = escape(generate_csrf())
    shift = url_for("stage.shift_view")
    buttons = "".join(
        f'<form method="post" action="{shift}" class="d-inline">'
        f'<input type="hidden" name="csrf_token" value="{token}">'
        f'<input type="hidden" name="id" value="{model.id}"><input type="hidden" name="step" value="{step}">'
        f'<button class="btn btn-link btn-sm p-0 mr-2" title="{title}" aria-label="{title}">{arrow}</button></form>'
        for step, arrow, title in ((-1, "↑", "Выше"), (1, "↓", "Ниже"))
    )
    remove = url_for("stage.remove_view", id=model.id)
    return Markup(
        f'<span class="text-nowrap">{buttons}<a class="text-danger small" href="{remove}">удалить</a></span>'
    )


def _message(view, context, model, name) -> str:
    """The template's name people gave it, not its code."""
    if not model.notify_client:
        return "нет"
    found = Template.select(Template.name).where(Template.code == model.template_code).first()
    return (found.name if found and found.name else model.template_code) or "да"


def _responsible(view, context, model, name) -> str:
    """The person, else the role that answers for the stage."""
    if model.responsible_id:
        return model.responsible.name
    role = ROLE_NAMES.get(model.responsible_role or "")
    return f"{role.lower()} (роль)" if role else "—"


class StageView(BrigadirModelView):
    roles = ("director",)
    write_roles = ("director",)
    can_export = False
    column_list = ("pipeline", "position", "name", "responsible", "notify_client", "is_archive", "order_count",
                   "actions")  # fmt: skip
    column_labels = {"pipeline": "Процесс", "position": "№", "name": "Этап", "responsible": "Ответственный",
                     "notify_client": "Сообщение клиенту", "is_archive": "Архив", "order_count": "Заказов",
                     "actions": ""}  # fmt: skip
    column_formatters = {
        "pipeline": lambda v, c, m, n: m.pipeline.name,
        "responsible": _responsible,
        "notify_client": _message,
        "actions": _actions,
    }
    column_sortable_list = ()

    def default_sort(self):
        return [Stage.pipeline, Stage.position]

    def edit_form(self, obj=None):
        form = StageForm(get_form_data(), obj=obj)
        names: dict[str, str] = {}  # a code's name people gave it (one per code, any channel)
        for code, name in (
            Template.select(Template.code, Template.name)
            .order_by(Template.code, Template.channel)
            .tuples()
        ):
            if name and names.get(code, code) == code:
                names[code] = name
            names.setdefault(code, code)
        form.template_code.choices = [("", "—")] + sorted(names.items(), key=lambda c: c[1])
        form.responsible.choices = _people()
        if obj is not None and not get_form_data():
            form.responsible.data = obj.responsible_id
        return form

    def create_form(self, obj=None):
        form = NewStageForm(get_form_data(), obj=None)
        form.pipeline.choices = [(p.id, p.name) for p in Pipeline.select().order_by(Pipeline.id)]
        form.responsible.choices = _people()
        return form

    def create_model(self, form):
        try:
            return pipelines.add_stage(
                current_actor(), form.pipeline.data, form.name.data, position=form.position.data,
                is_archive=form.is_archive.data, responsible=form.responsible.data,
                responsible_role=form.responsible_role.data or None,
            )  # fmt: skip
        except BrigadirError as exc:
            fail(exc)
            return False

    def update_model(self, form, model):
        try:
            pipelines.update_stage(current_actor(), model.id, **{k: form[k].data for k in (
                "name", "position", "responsible_role", "responsible", "notify_client", "template_code",
                "is_archive")})  # fmt: skip
        except BrigadirError as exc:
            fail(exc)
            return False
        return True

    @expose("/shift/", methods=["POST"])
    def shift_view(self):
        try:
            stage_id, step = int(request.form.get("id", "")), int(request.form.get("step", ""))
        except ValueError:
            abort(400)
        try:
            pipelines.shift_stage(current_actor(), stage_id, step)
        except BrigadirError as exc:
            fail(exc)
        return redirect(url_for("stage.index_view"))

    @expose("/remove/<int:id>", methods=["GET", "POST"])
    def remove_view(self, id: int):
        stage = Stage.get_or_none(Stage.id == id)
        if stage is None:
            abort(404)
        others = [s for s in pipelines.stages_of(stage.pipeline_id) if s.id != stage.id]
        if request.method == "POST":
            target = request.form.get("move_to", "")
            try:
                moved = pipelines.remove_stage(
                    current_actor(), stage.id, move_to=int(target) if target.isdigit() else None
                )
            except BrigadirError as exc:
                fail(exc)
                return redirect(url_for("stage.remove_view", id=stage.id))
            note = f" Заказов перенесено: {moved}." if moved else ""
            flash(f"Этап «{stage.name}» удалён.{note}", "success")
            return redirect(url_for("stage.index_view"))
        return self.render("brigadir/stage_remove.html", stage=stage, others=others)
