"""Clients: sorted by last order with count, total and debt (denormalized columns), found
by the first letters of any word or by phone digits, a card with everything, merging."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.helpers import get_form_data
from markupsafe import Markup, escape
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from admin.auth import current_actor
from admin.base import AdminForm, BrigadirModelView, back_url, fail
from admin.formatting import money_column
from admin.forms import ClientLoader, check_phone
from core.access import visible_orders
from core.base.errors import BrigadirError, NotFound
from core.base.money import format_money
from core.base.phones import display_phone
from core.clients import clients as core_clients
from core.clients import leads, search
from core.clients.clients import payments_of
from core.clients.models import Client
from core.conversations import threads
from core.documents import register
from core.documents.issue import KINDS
from core.orders.models import Order, Stage

__all__ = ["ClientView"]

_FIELDS = core_clients.EDITABLE_FIELDS


# what «Заполнить по ИНН» puts where (admin/static/requisites.js)
FILL_BY_INN = {
    "name": "#name",
    "kpp": "#kpp",
    "ogrn": "#ogrn",
    "address": "#address",
    "director_post": "#signer_post",
    "director": "#signer_name",
    "kind": "#kind",
}


class ClientForm(AdminForm):
    name = StringField(
        "Имя или название", validators=[DataRequired("Укажите имя клиента."), Length(max=300)]
    )
    kind = SelectField("Тип", choices=[("person", "Физлицо"), ("company", "Организация")])
    phone = StringField(
        "Телефон",
        validators=[Optional(), check_phone],
        render_kw={"placeholder": "+7 912 345-67-89"},
    )
    phone2 = StringField("Второй телефон", validators=[Optional(), check_phone])
    email = StringField("E-mail", validators=[Optional(), Length(max=200)])
    address = StringField("Адрес", validators=[Length(max=500)])
    inn = StringField(
        "ИНН", validators=[Optional(), Length(max=14)],
        render_kw={"data-fill": json.dumps(FILL_BY_INN), "inputmode": "numeric"},
    )  # fmt: skip
    kpp = StringField("КПП", validators=[Optional(), Length(max=9)])
    ogrn = StringField("ОГРН / ОГРНИП", validators=[Optional(), Length(max=15)])
    signer_post = StringField(
        "Кто подписывает: должность", validators=[Length(max=100)],
        render_kw={"placeholder": "Генеральный директор"},
    )  # fmt: skip
    signer_name = StringField(
        "Кто подписывает: ФИО", validators=[Length(max=200)],
        render_kw={"placeholder": "Кузнецова Мария Ивановна"},
    )  # fmt: skip
    requisites = TextAreaField("Реквизиты (для счетов)", render_kw={"rows": 2})
    notes = TextAreaField("Заметки", render_kw={"rows": 2})
    opt_out = BooleanField("Не присылать рассылки")


def _name(view, context, model, name):
    return Markup(f'<a href="{url_for("client.card_view", id=model.id)}">{escape(model.name)}</a>')


def _phone(view, context, model, name):
    return display_phone(getattr(model, name))


def _values(form) -> dict:
    """Form values for core.clients.clients; a field left out of the POST counts as empty."""
    data = {k: getattr(form, k).data for k in _FIELDS}
    return {k: ("" if v is None and k != "opt_out" else v) for k, v in data.items()}


class ClientView(BrigadirModelView):
    roles = ("manager",)
    guards_order_fields = True  # order totals, payments and debts follow the hidden fields
    write_roles = ("manager",)
    column_list = (
        "name",
        "phone",
        "last_order_at",
        "orders_count",
        "orders_total",
        "paid_total",
        "debt",
    )
    column_labels = {"name": "Клиент", "phone": "Телефон", "last_order_at": "Последний заказ", "orders_count": "Заказов",
                     "orders_total": "Сумма заказов", "paid_total": "Оплачено", "debt": "Долг", "email": "E-mail"}  # fmt: skip
    column_sortable_list = ("last_order_at", "debt")
    column_formatters = {"name": _name, "phone": _phone, "orders_total": money_column,
                         "paid_total": money_column, "debt": money_column}  # fmt: skip
    column_formatters_export = {"name": lambda v, c, m, n: m.name, "phone": _phone,
                                "orders_total": lambda v, c, m, n: m.orders_total / 100,
                                "paid_total": lambda v, c, m, n: m.paid_total / 100,
                                "debt": lambda v, c, m, n: m.debt / 100}  # fmt: skip
    column_export_list = (
        "name",
        "phone",
        "email",
        "last_order_at",
        "orders_count",
        "orders_total",
        "paid_total",
        "debt",
    )
    form = ClientForm
    form_ajax_refs = {"merge": ClientLoader("merge")}
    list_template = "brigadir/client_list.html"
    extra_js = ["/static/requisites.js"]  # «Заполнить по ИНН» on the client's form

    def search_placeholder(self) -> str:
        return "Первые буквы имени или телефон"

    def default_sort(self):
        return [Client.last_order_at.desc(nulls="LAST"), Client.id.desc()]

    def apply_search(self, query, text):
        matching = search.clients_matching(text)
        return query.where(Client.id < 0 if matching is None else Client.id.in_(matching))

    def create_model(self, form):
        data = _values(form)
        try:
            name = data.pop("name")
            phone = data.pop("phone")
            return core_clients.create_client(current_actor(), name, phone, **data)
        except BrigadirError as exc:
            fail(exc)
            return False

    def update_model(self, form, model):
        data = _values(form)
        try:
            core_clients.update_client(current_actor(), model.id, **data)
        except BrigadirError as exc:
            fail(exc)
            return False
        return True

    def get_save_return_url(self, model, is_created=False):
        if is_created and request.args.get("url", "").startswith("/admin/order/new"):
            return url_for("order.create_view", client=model.id)  # back to the order, client chosen
        return url_for("client.card_view", id=model.id)

    @expose("/card/")
    def card_view(self):
        try:
            client = core_clients.get_client(current_actor(), int(request.args.get("id", "")))
        except (ValueError, NotFound):
            abort(404)
        actor = current_actor()
        orders = list(
            visible_orders(actor)
            .where(Order.client == client.id)
            .order_by(Order.id.desc())
            .limit(200)
        )
        hidden = threads.unread_filter(actor)  # letters of others' mailboxes count nowhere
        for order in orders:
            order.unread = threads.unread_of(actor, order, hidden)
        stages = {s.id: s for s in Stage.select()}
        messages = threads.client_messages(actor, client.id, limit=50)
        documents = register.documents_of(actor, client_id=client.id)
        current = next((o for o in orders if not o.is_archived), None)
        return self.render(
            "brigadir/client_card.html", client=client, orders=orders, stages=stages,
            payments=payments_of(client.id)[:100], messages=messages, documents=documents, current=current,
            money=format_money, merge_loader=self._form_ajax_refs["merge"], doc_names=KINDS,
            mailing=core_clients.mailing_choice(client),
        )  # fmt: skip

    @expose("/lead-order/", methods=["POST"])
    def lead_order_view(self):
        """A new person's card becomes an order in one click (core.clients.leads)."""
        try:
            client_id = int(request.form.get("id", ""))
        except ValueError:
            abort(404)
        try:
            order = leads.order_from_lead(current_actor(), client_id)
        except NotFound:
            abort(404)
        except BrigadirError as exc:
            fail(exc)
            return redirect(url_for("client.card_view", id=client_id))
        flash(f"Заказ №{order.number} оформлен, переписка в нём.", "success")
        return redirect(url_for("order.card_view", id=order.id))

    @expose("/merge/", methods=["POST"])
    def merge_view(self):
        try:
            keep, remove = int(request.form.get("keep", "")), int(request.form.get("remove", ""))
        except ValueError:
            flash("Выберите, с каким клиентом объединить.", "error")
            return redirect(back_url(url_for("client.index_view")))
        try:
            merged = core_clients.merge_clients(current_actor(), keep, remove)
            flash(f"Карточки объединены: {merged.name}.", "success")
            return redirect(url_for("client.card_view", id=merged.id))
        except BrigadirError as exc:
            fail(exc)
            return redirect(url_for("client.card_view", id=keep))

    def edit_form(self, obj=None):
        return ClientForm(get_form_data(), obj=obj)

    def create_form(self, obj=None):
        return ClientForm(get_form_data(), obj=obj)
