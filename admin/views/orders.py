"""Orders: tabs by stage, search, filters, inline stage change, bulk actions, the card.

Every change goes through core.orders / core.payments / core.threads; a BrigadirError
becomes a Russian flash message with nothing written."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import peewee as pw
from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.peewee.filters import BasePeeweeFilter, DateBetweenFilter, FilterEqual
from flask_admin.helpers import get_form_data
from flask_admin.model.fields import AjaxSelectField
from markupsafe import Markup, escape
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from admin.auth import current_actor
from admin.base import AdminForm, BrigadirModelView, fail, sees
from admin.formatting import money_column
from admin.forms import ClientLoader, EmployeeLoader, LocalDateTimeField, MoneyField, RuDateField
from core import bulk, expenses, pipelines, runtime, search, settings, shares, threads
from core import orders as core_orders
from core import payments as core_payments
from core.access import can_see, hidden_fields, order_query, require_order
from core.attachments import files_of, order_folder_key
from core.clock import format_datetime, from_local
from core.db import database
from core.documents import issue
from core.errors import BrigadirError, NotFound
from core.models import (
    Client,
    ClientWord,
    Crew,
    Document,
    Employee,
    Notification,
    Order,
    Payment,
    Pipeline,
    Stage,
    StageMove,
)
from core.money import format_money
from core.sources import SOURCE_NAMES
from storage.errors import StorageError

__all__ = ["OrderView"]

SOURCES = [("", "—"), *SOURCE_NAMES.items()]  # one list with the dashboard (core.sources)
FIELD_LABELS = {
    "number": "№", "client": "Клиент", "description": "Описание", "cost": "Стоимость",
    "paid": "Оплачено", "debt": "Долг", "manager": "Менеджер", "executor": "Исполнитель",
    "crew": "Бригада", "subcontractor": "Подрядчик", "due_date": "Срок", "visit_at": "Выезд",
    "install_date": "Дата монтажа", "object_address": "Адрес объекта", "object_type": "Тип объекта",
    "object_note": "Особенности объекта", "documents_received": "Документы получены",
    "source": "Источник", "folder": "Папка с файлами", "preview": "Превью", "stage": "Этап",
    "created_at": "Принят", "unread": "Новые сообщения", "subcontract_received": "Перезаказ получен",
    "client_phone": "Телефон клиента",
}  # fmt: skip


# ---------------------------------------------------------------- small per-request caches
def _stages() -> dict[int, Stage]:
    if "stages" not in g:
        g.stages = {s.id: s for s in Stage.select().order_by(Stage.pipeline, Stage.position)}
    return g.stages


def _names() -> dict[int, str]:
    if "employee_names" not in g:
        g.employee_names = dict(Employee.select(Employee.id, Employee.name).tuples())
    return g.employee_names


def _employee_options(external: bool | None = None):
    def options():
        query = Employee.select(Employee.id, Employee.name).where(Employee.active)
        if external is not None:
            query = query.where(Employee.is_external == external)
        return [(str(i), n) for i, n in query.order_by(Employee.name).tuples()]

    return options


def _stage_options():
    pipes = dict(Pipeline.select(Pipeline.id, Pipeline.name).tuples())
    multi = len({s.pipeline_id for s in Stage.select(Stage.pipeline)}) > 1
    return [
        (str(s.id), f"{pipes.get(s.pipeline_id, '')}: {s.name}" if multi else s.name)
        for s in Stage.select().order_by(Stage.pipeline, Stage.position)
    ]


class LocalDateBetween(DateBetweenFilter):
    """Days as the firm sees them: local dates to a [start, next day) range of stored UTC."""

    def apply(self, query, value):
        start, end = value
        if end < start:
            start, end = end, start
        lo = from_local(datetime.combine(start, datetime.min.time()))
        hi = from_local(datetime.combine(end + timedelta(days=1), datetime.min.time()))
        return query.where((self.column >= lo) & (self.column < hi))


class DebtFilter(BasePeeweeFilter):
    """ "Есть долг" / "Без долга" — backed by the (debt, id) index."""

    def __init__(self):
        super().__init__(Order.debt, "Долг", options=[("1", "есть долг"), ("0", "без долга")])

    def apply(self, query, value):
        return query.where(Order.debt > 0) if value == "1" else query.where(Order.debt == 0)

    def operation(self):
        return "—"


# ---------------------------------------------------------------- list columns
def _prefix(endpoint: str, **kw) -> str:
    """A URL built once per request; rows append their id (url_for per cell is the slow part
    of a 50-row page)."""
    key = f"url:{endpoint}"
    if key not in g:
        g.setdefault(key, url_for(endpoint, **kw))
    return g.get(key)


def _number(view, context, model, name):
    url = _prefix("order.card_view") + f"?id={model.id}"
    mark = (
        f' <span class="unread-mark" title="Новые сообщения клиента">{model.unread}</span>'
        if model.unread
        else ""
    )
    return Markup(f'<a href="{url}" class="font-weight-bold">№{model.number}</a>{mark}')


def _client(view, context, model, name):
    url = _prefix("client.card_view") + f"?id={model.client_id}"
    return Markup(f'<a href="{url}">{escape(model.client.name)}</a>')


def _description(view, context, model, name):
    text = model.description if len(model.description) <= 80 else model.description[:77] + "…"
    return text


def _person(view, context, model, name):
    person_id = getattr(model, f"{name}_id")
    return _names().get(person_id, "") if person_id else ""


def _stage_options_html(pipeline_id: int) -> list[tuple[int, str]]:
    key = f"stage_opts:{pipeline_id}"
    if key not in g:
        g.setdefault(
            key,
            [
                (s.id, str(escape(s.name)))
                for s in _stages().values()
                if s.pipeline_id == pipeline_id
            ],
        )
    return g.get(key)


def _stage_inline(view, context, model, name):
    """The stage as a small form: pick another and it moves through core.orders.move_order."""
    actor = current_actor()
    if not actor.is_staff_office:
        stage = _stages().get(model.stage_id)
        return stage.name if stage else ""
    options = "".join(
        f'<option value="{sid}"{" selected" if sid == model.stage_id else ""}>{label}</option>'
        for sid, label in _stage_options_html(model.pipeline_id)
    )
    if "inline_move_head" not in g:
        token = context.resolve("csrf_token")()
        g.inline_move_head = (
            f'<form method="post" action="{url_for("order.move_view")}" class="inline-move form-inline">'
            f'<input type="hidden" name="csrf_token" value="{token}">'
            f'<input type="hidden" name="next" value="{escape(request.full_path)}">'
        )
    return Markup(
        f'{g.inline_move_head}<input type="hidden" name="id" value="{model.id}">'
        f'<select name="stage" class="form-control form-control-sm" aria-label="Этап заказа №{model.number}"'
        f' onchange="this.form.submit()">{options}</select></form>'
    )


def _rubles_export(view, context, model, name):
    return round(int(getattr(model, name) or 0) / 100, 2)


# ---------------------------------------------------------------- the card's forms
class MoveForm(AdminForm):
    stage = SelectField("Этап", validators=[InputRequired()], coerce=int, validate_choice=False)
    comment = StringField("Комментарий", validators=[Optional(), Length(max=2000)])


class PaymentForm(AdminForm):
    amount = MoneyField("Сумма", allow_zero=False)
    kind = SelectField("Вид", choices=list(core_payments.KINDS.items()))
    method = SelectField("Способ", choices=list(core_payments.METHODS.items()))


class ReplyForm(AdminForm):
    text = TextAreaField(
        "Сообщение клиенту", validators=[DataRequired("Напишите сообщение."), Length(max=4000)]
    )


def _order_form_class(view, *, creating: bool):
    """The order form for this person: hidden fields per settings are left out."""
    actor = current_actor()
    hidden = hidden_fields(actor)
    object_types = settings.get("object_types") or []
    fields: dict[str, object] = {}
    if creating:
        fields["client"] = AjaxSelectField(view._form_ajax_refs["client"], "Клиент",
                                           validators=[DataRequired("Выберите клиента.")])  # fmt: skip
    fields["description"] = TextAreaField("Описание", validators=[DataRequired("Опишите заказ."), Length(max=5000)],
                                          render_kw={"rows": 3})  # fmt: skip
    fields["cost"] = MoneyField("Стоимость, ₽")
    if creating:
        fields["advance"] = MoneyField("Аванс, ₽")
        fields["advance_method"] = SelectField(
            "Способ оплаты аванса", choices=list(core_payments.METHODS.items())
        )
    fields["executor"] = AjaxSelectField(
        view._form_ajax_refs["executor"], "Исполнитель (или подрядчик)", allow_blank=True
    )
    fields["crew"] = SelectField(
        "Бригада", coerce=lambda v: int(v) if v else None, validate_choice=False
    )
    fields["due_date"] = RuDateField("Срок готовности", validators=[Optional()])
    fields["visit_at"] = LocalDateTimeField("Выезд / осмотр", validators=[Optional()])
    fields["install_date"] = RuDateField("Дата монтажа", validators=[Optional()])
    fields["object_address"] = StringField("Адрес объекта", validators=[Length(max=500)])
    fields["object_type"] = StringField("Тип объекта", validators=[Length(max=100)],
                                        render_kw={"list": "object-types", "data-types": "|".join(object_types)})  # fmt: skip
    fields["object_note"] = TextAreaField("Особенности объекта", render_kw={"rows": 2})
    fields["documents_received"] = BooleanField("Все документы от клиента получены")
    fields["source"] = SelectField("Откуда пришёл", choices=SOURCES)
    fields["folder"] = StringField("Папка с файлами", validators=[Length(max=500)])
    for spec in settings.get("custom_fields") or []:
        fields[f"custom_{spec['key']}"] = StringField(
            spec.get("label") or spec["key"], validators=[Length(max=500)]
        )
    if not creating:
        fields["version"] = HiddenField()
    reveals = {"advance": "paid", "advance_method": "paid"}
    for name in list(fields):
        if not can_see(actor, reveals.get(name, name), hidden=hidden):
            del fields[name]
    return type("OrderForm", (AdminForm,), fields)


def _form_values(form) -> dict:
    """Form data as keyword arguments for core.orders."""
    names = ("description", "cost", "due_date", "install_date", "object_address", "object_type",
             "object_note", "documents_received", "source", "folder")  # fmt: skip
    data = {n: getattr(form, n).data for n in names if hasattr(form, n)}
    if hasattr(form, "visit_at"):
        data["visit_at"] = form.visit_at.data  # already UTC (LocalDateTimeField)
    custom = {
        k.removeprefix("custom_"): f.data
        for k, f in form._fields.items()
        if k.startswith("custom_") and f.data
    }
    if any(k.startswith("custom_") for k in form._fields):
        data["custom"] = custom
    for key in ("object_address", "object_type", "object_note", "folder", "source"):
        if key in data:
            data[key] = (data[key] or "").strip()
    return data


# ---------------------------------------------------------------- the view
class OrderView(BrigadirModelView):
    roles = ("manager", "executor")
    guards_order_fields = True  # hidden fields leave the columns, exports, sorting and filters
    column_display_actions = False  # the number opens the card; the card has "Изменить"
    write_roles = ("manager",)
    list_template = "brigadir/order_list.html"
    edit_template = "brigadir/order_edit.html"
    create_template = "brigadir/order_create.html"
    column_list = ("number", "created_at", "client", "description", "stage", "cost", "paid", "debt",
                   "manager", "executor", "due_date")  # fmt: skip
    column_labels = FIELD_LABELS
    column_sortable_list = ("number", "created_at", "due_date", "debt")
    column_formatters = {
        "number": _number, "client": _client, "description": _description, "stage": _stage_inline,
        "cost": money_column, "paid": money_column, "debt": money_column,
        "manager": _person, "executor": _person,
    }  # fmt: skip
    column_formatters_export = {
        "number": lambda v, c, m, n: m.number, "client": lambda v, c, m, n: m.client.name,
        "description": lambda v, c, m, n: m.description,
        "stage": lambda v, c, m, n: _stages()[m.stage_id].name,
        "cost": _rubles_export, "paid": _rubles_export, "debt": _rubles_export,
        "manager": _person, "executor": _person,
    }  # fmt: skip
    column_filters = (
        FilterEqual(Order.stage, "Этап", options=_stage_options),
        FilterEqual(Order.manager, "Менеджер", options=_employee_options()),
        FilterEqual(Order.executor, "Исполнитель", options=_employee_options(False)),
        FilterEqual(Order.subcontractor, "Подрядчик", options=_employee_options(True)),
        LocalDateBetween(Order.created_at, "Дата приёма"),
        DebtFilter(),
    )
    form_ajax_refs = {
        "client": ClientLoader("client"),
        "executor": EmployeeLoader("executor"),
    }

    def search_placeholder(self) -> str:
        return "№ заказа, клиент или телефон"

    # --- tabs
    def _tab(self) -> str:
        tab = request.args.get("tab", "")
        return tab if re.fullmatch(r"|all|archive|sub|\d{1,9}", tab) else ""

    def base_query(self) -> pw.ModelSelect:
        return order_query(current_actor(), Order.select(Order, Client).join(Client).switch(Order))

    def get_query(self) -> pw.ModelSelect:
        query = self.base_query()
        tab = self._tab()
        if tab == "":
            query = query.where(~Order.is_archived)
        elif tab == "archive":
            query = query.where(Order.is_archived)
        elif tab == "sub":
            query = query.where(Order.subcontractor.is_null(False) & ~Order.is_archived)
        elif tab.isdigit():
            query = query.where(Order.stage == int(tab))
        return query

    def apply_search(self, query, search_text):
        """№ (exact), phone digits, or first letters of the client's words."""
        text = search_text.strip().lstrip("№#")
        digits = re.sub(r"\D", "", text)
        conditions = []
        if text.isdigit() and len(text) <= 9:
            conditions.append(Order.number == int(text))
        if digits and len(digits) >= 3 and not re.search(r"[^\d\s()+\-]", text):
            if len(digits) == 11 and digits[0] in "78":
                digits = digits[1:]
            terms = [digits]
        else:
            terms = search.words(text)[:5]
        if terms:
            matching = None
            for term in terms:
                lo, hi = search.prefix_range(term)
                ids = ClientWord.select(ClientWord.client).where(
                    (ClientWord.word >= lo) & (ClientWord.word < hi)
                )
                matching = ids if matching is None else matching.intersect(ids)
            client_ids = [
                cid
                # The 100 most recent matching clients: more letters narrow further, and the
                # orders to sort stay a few thousand at most.
                for (cid,) in Client.select(Client.id)
                .where(Client.id.in_(matching))
                .order_by(Client.last_order_at.desc(nulls="LAST"))
                .limit(100)
                .tuples()
            ]
            if client_ids:
                conditions.append(Order.client.in_(client_ids))
        if not conditions:
            return query.where(Order.id < 0)
        clause = conditions[0]
        for extra in conditions[1:]:
            clause |= extra
        return query.where(clause)

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        # With a date range, newest-first by created_at walks that range in the index instead
        # of scanning ids for rows inside it.
        g.searching = bool(search)
        g.by_created = sort_column is None and any(
            self._filters[idx].column is Order.created_at for idx, _n, _v in filters or ()
        )
        return super().get_list(page, sort_column, sort_desc, search, filters, execute, page_size)

    def default_sort(self):
        if g.get("by_created"):
            return [Order.created_at.desc(), Order.id.desc()]
        if g.get("searching"):
            # "id + 0": sort the matched clients' few orders instead of walking the primary
            # key backwards until fifty of them turn up.
            return [(Order.id + 0).desc()]
        return [Order.id.desc()]

    def exact_count(self, query):
        """Tabs of the director and managers are counted by Stage.order_count."""
        actor = current_actor()
        tab = self._tab()
        if not actor.is_staff_office or tab in ("sub",):
            return None
        stages = list(_stages().values())
        if tab.isdigit():
            stage = _stages().get(int(tab))
            return stage.order_count if stage else 0
        if tab == "all":
            return sum(s.order_count for s in stages)
        if tab == "archive":
            return sum(s.order_count for s in stages if s.is_archive)
        return sum(s.order_count for s in stages if not s.is_archive)

    def tabs(self) -> list[dict]:
        actor = current_actor()
        code = runtime.config().app.pipeline
        pipe = Pipeline.get_or_none(Pipeline.code == code)
        stages = [
            s
            for s in _stages().values()
            if pipe is None or s.pipeline_id == pipe.id or s.order_count
        ]
        counts = actor.is_staff_office
        tabs = [
            {
                "key": "",
                "name": "Все текущие",
                "count": sum(s.order_count for s in stages if not s.is_archive) if counts else None,
            }
        ]
        for s in stages:
            if not s.is_archive:
                tabs.append(
                    {"key": str(s.id), "name": s.name, "count": s.order_count if counts else None}
                )
        tabs.append({"key": "sub", "name": "Перезаказ", "count": None})
        tabs.append(
            {
                "key": "archive",
                "name": "Архив",
                "count": sum(s.order_count for s in stages if s.is_archive) if counts else None,
            }
        )
        return tabs

    def current_tab(self) -> str:
        return self._tab()

    # --- forms
    def create_form(self, obj=None):
        form = _order_form_class(self, creating=True)(get_form_data(), obj=obj)
        self._fill_choices(form)
        raw = request.args.get("client", "")
        if request.method == "GET" and raw.isdigit():
            # "Новый заказ" from a client's card: the client is already chosen.
            form.client.data = Client.get_or_none(Client.id == int(raw))
        return form

    def edit_form(self, obj=None):
        form = _order_form_class(self, creating=False)(get_form_data(), obj=obj)
        if obj is not None and request.method == "GET":
            form.version.data = obj.version
            if hasattr(form, "executor"):
                form.executor.data = obj.subcontractor if obj.subcontractor_id else obj.executor
            for key, value in (obj.custom or {}).items():
                if f"custom_{key}" in form._fields:
                    form[f"custom_{key}"].data = value
            if hasattr(form, "crew"):
                form.crew.data = obj.crew_id
        self._fill_choices(form)
        return form

    def _fill_choices(self, form):
        if hasattr(form, "crew"):
            form.crew.choices = [("", "—")] + [
                (c.id, c.name) for c in Crew.select().where(Crew.active).order_by(Crew.name)
            ]

    def create_model(self, form):
        self._fill_choices(form)
        actor = current_actor()
        executor = form.executor.data if hasattr(form, "executor") else None
        try:
            return core_orders.create_order(
                actor,
                form.client.data.id,
                advance=form.advance.data or 0 if hasattr(form, "advance") else 0,
                advance_method=form.advance_method.data
                if hasattr(form, "advance_method")
                else "cash",
                executor_id=executor.id if executor else None,
                crew_id=form.crew.data if hasattr(form, "crew") else None,
                **_form_values(form),
            )
        except BrigadirError as exc:
            fail(exc)
            return False

    def update_model(self, form, model):
        actor = current_actor()
        try:
            version = int(form.version.data)
        except (TypeError, ValueError):
            flash("Форма устарела: откройте заказ заново.", "error")
            return False
        try:
            with database.atomic():
                fresh = core_orders.update_order(
                    actor, model.id, expected_version=version, **_form_values(form)
                )
                executor = form.executor.data if hasattr(form, "executor") else None
                new_exec = executor.id if executor else None
                old_exec = fresh.subcontractor_id or fresh.executor_id
                new_crew = form.crew.data if hasattr(form, "crew") else fresh.crew_id
                if (new_exec, new_crew) != (old_exec, fresh.crew_id):
                    core_orders.assign_order(
                        actor, model.id, executor_id=new_exec, crew_id=new_crew
                    )
        except BrigadirError as exc:
            fail(exc)
            return False
        return True

    def get_save_return_url(self, model, is_created=False):
        return url_for("order.card_view", id=model.id)

    # --- the card
    def card_context(self, order: Order) -> dict:
        actor = current_actor()
        hidden = hidden_fields(actor)
        view = core_orders.order_view(actor, order)
        moves = list(
            StageMove.select()
            .where(StageMove.order == order.id)
            .order_by(StageMove.at, StageMove.id)
        )
        payments = list(Payment.select().where(Payment.order == order.id).order_by(Payment.at))
        thread = threads.thread_of(actor, order.id)
        attachments = files_of(actor, order.id, kinds=None)  # a letter's files follow its mailbox
        documents = list(
            Document.select().where(Document.order == order.id).order_by(Document.created_at)
        )
        outbox = list(
            Notification.select()
            .where(Notification.order == order.id)
            .order_by(Notification.id.desc())
            .limit(20)
        )
        move_form = MoveForm(formdata=None)
        move_form.stage.choices = [(s.id, s.name) for s in pipelines.stages_of(order.pipeline_id)]
        move_form.stage.data = (
            next_id.id if (next_id := pipelines.next_stage(order.stage)) else order.stage_id
        )
        return {
            "order": order, "fields": view, "hidden": hidden, "labels": FIELD_LABELS, "moves": moves,
            "payments": payments, "thread": thread, "attachments": attachments, "documents": documents,
            "outbox": outbox, "move_form": move_form, "payment_form": PaymentForm(formdata=None),
            "reply_form": ReplyForm(formdata=None), "names": _names(), "stages": _stages(),
            "kinds": core_payments.KINDS, "methods": core_payments.METHODS,
            "can_edit_order": actor.is_staff_office, "money": format_money, "fmt_dt": format_datetime,
            **_folder_context(actor, order, hidden),
            "doc_kinds": issue.kinds_for(order), "doc_names": issue.KINDS,
            "materials": expenses.order_money(actor, order.id),
        }  # fmt: skip

    @expose("/card/")
    def card_view(self):
        order = self._order_or_404(request.args.get("id"))
        return self.render("brigadir/order_card.html", **self.card_context(order))

    def _order_or_404(self, raw) -> Order:
        try:
            return require_order(current_actor(), int(raw))
        except (TypeError, ValueError, NotFound):
            abort(404)

    def _back(self, order_id: int | None = None):
        target = request.form.get("next", "")
        if target.startswith("/admin/") and not target.startswith("//"):
            return redirect(target)
        if order_id:
            return redirect(url_for("order.card_view", id=order_id))
        return redirect(url_for("order.index_view"))

    @expose("/move/", methods=["POST"])
    def move_view(self):
        order = self._order_or_404(request.form.get("id"))
        form = MoveForm()
        form.stage.choices = [(s.id, s.name) for s in pipelines.stages_of(order.pipeline_id)]
        if not form.validate():
            flash("Выберите этап.", "error")
            return self._back(order.id)
        try:
            move = core_orders.move_order(
                current_actor(), order.id, form.stage.data, form.comment.data or ""
            )
            flash(
                f"Заказ №{order.number}: «{move.from_stage.name}» → «{move.to_stage.name}».",
                "success",
            )
        except BrigadirError as exc:
            fail(exc)
        return self._back(order.id)

    @expose("/pay/", methods=["POST"])
    def pay_view(self):
        order = self._order_or_404(request.form.get("id"))
        form = PaymentForm()
        if not form.validate():
            for errors in form.errors.values():
                for error in errors:
                    flash(str(error), "error")
            return self._back(order.id)
        try:
            core_payments.add_payment(
                current_actor(),
                order.id,
                form.amount.data,
                kind=form.kind.data,
                method=form.method.data,
            )
            fresh = Order.get_by_id(order.id)
            rest = f" Остаток: {format_money(fresh.debt)}." if sees("debt") else ""
            flash(f"Оплата {format_money(form.amount.data)} записана.{rest}", "success")
        except BrigadirError as exc:
            fail(exc)
        return self._back(order.id)

    @expose("/reply/", methods=["POST"])
    def reply_view(self):
        order = self._order_or_404(request.form.get("id"))
        form = ReplyForm()
        if not form.validate():
            flash("Напишите сообщение (до 4000 символов).", "error")
            return self._back(order.id)
        try:
            with database.atomic():
                threads.ask_client(current_actor(), order.id, form.text.data)
                threads.mark_read(current_actor(), order.id)
            flash("Сообщение поставлено в очередь на отправку клиенту.", "success")
        except BrigadirError as exc:
            fail(exc)
        return self._back(order.id)

    @expose("/document/", methods=["POST"])
    def document_view(self):
        """Issue a paper for the order: numbered, rendered, stored, listed on the card."""
        order = self._order_or_404(request.form.get("id"))
        kind = request.form.get("kind", "")
        if kind not in issue.kinds_for(order):
            flash("Выберите документ из списка.", "error")
            return self._back(order.id)
        try:
            document = issue.issue_document(
                current_actor(),
                kind,
                order.id,
                current_app.config["BRIGADIR_FILE_STORE"],
            )
            flash(f"{issue.KINDS[kind]} № {document.number} выписан.", "success")
        except BrigadirError as exc:
            fail(exc)
        return self._back(order.id)

    @expose("/document/send/", methods=["POST"])
    def document_send_view(self):
        order = self._order_or_404(request.form.get("id"))
        try:
            document_id = int(request.form.get("document", ""))
        except ValueError:
            abort(404)
        if (
            not Document.select()
            .where((Document.id == document_id) & (Document.order == order.id))
            .exists()
        ):
            abort(404)
        try:
            issue.send_document(current_actor(), document_id)
            flash("Документ поставлен в очередь на отправку клиенту.", "success")
        except BrigadirError as exc:
            fail(exc)
        return self._back(order.id)

    @expose("/share/", methods=["POST"])
    def share_view(self):
        """A public link to the order's folder: only on this button, logged, revocable."""
        order = self._order_or_404(request.form.get("id"))
        store = current_app.config["BRIGADIR_FILE_STORE"]
        try:
            if request.form.get("close"):
                shares.unshare_folder(current_actor(), order.id, store)
                flash("Доступ по ссылке к папке заказа закрыт.", "success")
            else:
                share = shares.share_folder(current_actor(), order.id, store)
                flash(f"Ссылка на папку заказа открыта: {share.url}", "success")
        except BrigadirError as exc:
            fail(exc)
        except StorageError as exc:
            flash(exc.message, "error")
        return self._back(order.id)

    @expose("/read/", methods=["POST"])
    def read_view(self):
        order = self._order_or_404(request.form.get("id"))
        threads.mark_read(current_actor(), order.id)
        return self._back(order.id)

    # --- bulk actions: the toolbar's selects ride along with Flask-Admin's action form
    def _bulk(self, ids, apply, done: str):
        actor = current_actor()
        ok, errors = 0, []
        for raw in ids:
            try:
                with database.atomic():
                    apply(actor, int(raw))
                ok += 1
            except BrigadirError as exc:
                errors.append(str(exc))
            except (TypeError, ValueError):
                errors.append("Неверный номер записи.")
        if ok:
            flash(f"{done}: {ok}.", "success")
        for error in errors[:5]:
            flash(error, "error")

    def is_action_allowed(self, name):
        return current_actor().is_staff_office and super().is_action_allowed(name)

    @action("move", "Перевести на этап", "Перевести выбранные заказы на выбранный этап?")
    def action_move(self, ids):
        stage = request.form.get("bulk_stage", "")
        if not stage.isdigit():
            flash("Выберите этап в панели над списком.", "error")
            return
        self._bulk(
            ids,
            lambda actor, oid: core_orders.move_order(actor, oid, int(stage), "Массовый перевод"),
            "Переведено заказов",
        )

    @action("assign", "Назначить исполнителя", "Назначить выбранным заказам исполнителя?")
    def action_assign(self, ids):
        who = request.form.get("bulk_executor", "")
        crew = request.form.get("bulk_crew", "")
        if not who.isdigit() and not crew.isdigit():
            flash("Выберите исполнителя или бригаду в панели над списком.", "error")
            return
        self._bulk(
            ids,
            lambda actor, oid: core_orders.assign_order(
                actor,
                oid,
                executor_id=int(who) if who.isdigit() else None,
                crew_id=int(crew) if crew.isdigit() else None,
            ),  # fmt: skip
            "Назначено заказов",
        )

    @action("message", "Написать клиентам", "Отправить сообщение клиентам выбранных заказов?")
    def action_message(self, ids):
        """A mailing to the clients of the picked orders (core.bulk: opt-out respected,
        its own subject, not filed as a question on an order)."""
        text = (request.form.get("bulk_text") or "").strip()
        if not text:
            flash("Напишите текст сообщения в панели над списком.", "error")
            return
        try:
            picked = [int(raw) for raw in ids]
            report = bulk.bulk_message(current_actor(), text, order_ids=picked)
        except (TypeError, ValueError):
            flash("Неверный номер записи.", "error")
        except BrigadirError as exc:
            fail(exc)
        else:
            flash(report.summary(), "success" if report.queued else "warning")

    def bulk_choices(self) -> dict:
        return {
            "stages": _stage_options(),
            "executors": _employee_options()(),
            "crews": [
                (str(c.id), c.name) for c in Crew.select().where(Crew.active).order_by(Crew.name)
            ],
        }

    def object_types(self) -> list[str]:
        return settings.get("object_types") or []


def _folder_context(actor, order: Order, hidden) -> dict:
    """The order's folder as the card shows it: its path and the stored link, if a person made
    one. Read from the database only: no call to the file store while a page is drawn."""
    if "folder" in hidden:
        return {"folder_path": "", "folder_share": None, "share_history": []}
    store = current_app.config.get("BRIGADIR_FILE_STORE")
    path = order.folder or (order_folder_key(order, store) if store is not None else "")
    history = shares.share_history(order.id)
    return {
        "folder_path": path,
        "folder_share": next((s for s in history if s.revoked_at is None), None),
        "share_history": history if actor.is_staff_office else [],
        # local folders have no public links: no button that could only fail
        "can_share": actor.is_staff_office and getattr(store, "can_share", False),
    }
