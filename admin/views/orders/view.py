"""OrderView: the list, the card and the bulk actions put together; create and edit."""

from __future__ import annotations

from flask import flash, g, has_request_context, request, session, url_for
from flask_admin import expose
from flask_admin.babel import gettext as admin_gettext
from flask_admin.contrib.peewee.filters import DateBetweenFilter, FilterEqual
from flask_admin.helpers import get_form_data

from admin.auth import current_actor
from admin.base import BrigadirModelView, fail
from admin.forms import ClientLoader, EmployeeLoader
from admin.views.orders.bulk import OrderBulkMixin
from admin.views.orders.card import OrderCardMixin
from admin.views.orders.card_files import OrderFilesMixin
from admin.views.orders.card_lines import OrderLinesMixin
from admin.views.orders.columns import (
    EXPORT_FORMATTERS,
    LIST_FORMATTERS,
    custom_value,
    order_columns,
)
from admin.views.orders.common import (
    FIELD_LABELS,
    SOURCES,
    _crew_options,
    _employee_options,
    _stage_options,
)
from admin.views.orders.counter import OrderCounterMixin
from admin.views.orders.forms import _form_values, _new_order_values, _order_form_class
from admin.views.orders.listing import (
    DebtFilter,
    LocalDateBetween,
    OrderListMixin,
    YesNoFilter,
    _client,
    _description,
    _due,
    _number,
    _object_type_options,
    _person,
    _stage_inline,
)
from core.base.db import database
from core.base.errors import BrigadirError
from core.clients.models import Client
from core.orders import columns as core_columns
from core.orders import orders as core_orders
from core.orders.models import Order
from core.people.models import Crew


def _per_person(name: str) -> property:
    """A column list Flask-Admin reads as an attribute: in a request the person's own
    (core.orders.columns), outside one every column (what Flask-Admin sets up at start)."""

    def get(self):
        return order_columns() if has_request_context() else self.__dict__[name]

    def put(self, value):
        self.__dict__[name] = value

    return property(get, put)


class OrderView(
    OrderListMixin,
    OrderCardMixin,
    OrderFilesMixin,
    OrderLinesMixin,
    OrderCounterMixin,
    OrderBulkMixin,
    BrigadirModelView,
):
    roles = ("manager", "executor")
    guards_order_fields = True  # hidden fields leave the columns, exports, sorting and filters
    column_display_actions = False  # the number opens the card; the card has "Изменить"
    write_roles = ("manager",)
    list_template = "brigadir/order_list.html"
    edit_template = "brigadir/order_edit.html"
    create_template = "brigadir/order_create.html"
    # Every column there is (core.orders.columns); each request shows the ones chosen for the
    # person's role in Settings and allowed to them (see _list_columns below).
    column_list = tuple(core_columns.COLUMNS)
    column_labels = FIELD_LABELS
    column_sortable_list = ("number", "created_at", "due_date", "debt", "install_date")
    column_formatters = {
        "number": _number, "client": _client, "description": _description, "stage": _stage_inline,
        "manager": _person, "subcontractor": _person, "due_date": _due, **LIST_FORMATTERS,
    }  # fmt: skip
    column_formatters_export = {
        **EXPORT_FORMATTERS, "manager": _person, "subcontractor": _person,
    }  # fmt: skip
    # New filters go last: links and bookmarks carry filters by their index (flt0_5 = Долг).
    column_filters = (
        FilterEqual(Order.stage, "Этап", options=_stage_options),
        FilterEqual(Order.manager, "Менеджер", options=_employee_options()),
        FilterEqual(Order.executor, "Исполнитель", options=_employee_options(False)),
        FilterEqual(Order.subcontractor, "Подрядчик", options=_employee_options(True)),
        LocalDateBetween(Order.created_at, "Дата приёма"),
        DebtFilter(),
        FilterEqual(Order.crew, "Бригада", options=_crew_options),
        YesNoFilter(Order.documents_received, "Документы получены"),
        FilterEqual(Order.object_type, "Тип объекта", options=_object_type_options),
        DateBetweenFilter(Order.install_date, "Дата монтажа"),
        FilterEqual(Order.source, "Источник", options=[s for s in SOURCES if s[0]]),
    )

    # --- the chosen columns: list and export show the same per-person set
    _list_columns = _per_person("_all_list_columns")
    _export_columns = _per_person("_all_export_columns")

    def _get_list_value(self, context, model, name, column_formatters, column_type_formatters):
        if name.startswith("custom_"):  # the firm's own fields live in Order.custom
            return custom_value(model, name)
        return super()._get_list_value(
            context, model, name, column_formatters, column_type_formatters
        )

    form_ajax_refs = {
        "client": ClientLoader("client"),
        "executor": EmployeeLoader("executor"),
    }

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
        try:
            return core_orders.create_order(
                current_actor(), form.client.data.id, **_new_order_values(form)
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
        g.saved_message = f"Заказ №{model.number} сохранён."
        return True

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        """The stock page, saying which order was saved instead of "Запись была сохранена"."""
        response = super().edit_view()
        said = g.pop("saved_message", None)
        if said:
            stock = admin_gettext("Record was successfully saved.")
            session["_flashes"] = [
                (kind, said if text == stock else text)
                for kind, text in session.get("_flashes", [])
            ]
        return response

    def get_save_return_url(self, model, is_created=False):
        return url_for("order.card_view", id=model.id)
