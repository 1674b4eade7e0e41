"""The order's create/edit form (hidden fields left out) and the card's small forms."""

from __future__ import annotations

from flask_admin.model.fields import AjaxSelectField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from admin.auth import current_actor
from admin.base import AdminForm
from admin.forms import LocalDateTimeField, MoneyField, RuDateField
from admin.views.orders.common import SOURCES
from core.access import can_see, hidden_fields
from core.base import settings
from core.money import payments as core_payments


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
    """Form data as keyword arguments for core.orders.orders."""
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


def _new_order_values(form) -> dict:
    """A new order's form as keyword arguments for core.orders.orders.create_order (the stock form
    and the counter page alike): the advance and who does the work besides the fields."""
    executor = form.executor.data if hasattr(form, "executor") else None
    return {
        "advance": (form.advance.data or 0) if hasattr(form, "advance") else 0,
        "advance_method": form.advance_method.data if hasattr(form, "advance_method") else "cash",
        "executor_id": executor.id if executor else None,
        "crew_id": form.crew.data if hasattr(form, "crew") else None,
        **_form_values(form),
    }
