"""Form fields that speak the users' language: sums like "12 500,50", dates, phones."""

from __future__ import annotations

from flask_admin.model.ajax import AjaxModelLoader
from wtforms import DateField, StringField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import ValidationError as FormError

from admin.auth import current_actor
from core.base.clock import from_local, to_local
from core.base.errors import BrigadirError
from core.base.money import format_money, parse_money
from core.base.phones import display_phone
from core.clients.clients import find_clients
from core.clients.models import Client
from core.people.models import Employee

__all__ = ["ClientLoader", "EmployeeLoader", "LocalDateTimeField", "MoneyField", "RuDateField"]


class MoneyField(StringField):
    """Rubles in the form, kopecks in .data. "12 500", "12500,50", "1 000 р." are fine."""

    def __init__(self, label=None, validators=None, allow_zero=True, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.allow_zero = allow_zero

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            self.data = 0 if self.allow_zero else None
            if not self.allow_zero:
                raise ValueError("Укажите сумму.")
            return
        try:
            self.data = parse_money(raw, allow_zero=self.allow_zero)
        except BrigadirError as exc:
            raise ValueError(str(exc)) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_money(self.data, currency=False) if self.data else ""


class _ParsedInRussian:
    """An empty box is no value; one the stock parser refuses gets this field's Russian
    message instead of WTForms' English one ("Not a valid date value")."""

    refused = ""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.refused) from None


class RuDateField(_ParsedInRussian, DateField):
    """A date, typed as 31.12.2026 or picked in the browser."""

    refused = "Дата указана неверно: нужна дата вида 31.12.2026."

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d.%m.%Y"])
        kwargs.setdefault("render_kw", {"type": "date"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data and not (2000 <= self.data.year <= 2100):
            self.data = None
            raise ValueError("Дата вне разумного диапазона (2000–2100).")


class LocalDateTimeField(_ParsedInRussian, DateTimeLocalField):
    """A date and time typed in the firm's zone; .data is naive UTC, as stored. A stored value
    is shown in local time, so opening and saving a form changes nothing."""

    refused = "Время указано неверно: нужны дата и время, например 31.12.2026 14:30."

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return to_local(self.data).strftime(self.format[0]) if self.data else ""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = from_local(self.data)


class ClientLoader(AjaxModelLoader):
    """Client lookup by first letters of any word or phone digits (core.clients.clients.find_clients)."""

    def __init__(self, name="client"):
        super().__init__(name, {"placeholder": "Выберите клиента"})

    def format(self, model):
        if model is None:
            return None
        phone = display_phone(model.phone)
        return model.id, f"{model.name}{' · ' + phone if phone else ''}"

    def get_one(self, pk):
        try:
            return Client.get_or_none(Client.id == int(pk))
        except (TypeError, ValueError):
            return None

    def get_list(self, term, offset=0, limit=10):
        try:
            return find_clients(current_actor(), term or "", limit=limit)
        except BrigadirError:
            return []


class EmployeeLoader(AjaxModelLoader):
    def __init__(self, name, *, external: bool | None = None):
        super().__init__(name, {"placeholder": "Выберите сотрудника"})
        self.external = external

    def format(self, model):
        return None if model is None else (model.id, model.name)

    def get_one(self, pk):
        try:
            return Employee.get_or_none(Employee.id == int(pk))
        except (TypeError, ValueError):
            return None

    def get_list(self, term, offset=0, limit=10):
        query = Employee.select().where(Employee.active)
        if self.external is not None:
            query = query.where(Employee.is_external == self.external)
        term = (term or "").strip().lower()
        rows = [e for e in query.order_by(Employee.name) if term in e.name.lower()]
        return rows[:limit]


def check_phone(form, field):
    from core.base.phones import normalize_phone

    if field.data:
        try:
            normalize_phone(field.data)
        except BrigadirError as exc:
            raise FormError(str(exc)) from None
