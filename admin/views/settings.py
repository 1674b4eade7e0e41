"""Settings (director): object types, custom fields, hidden fields per role, pipeline stages,
message templates with a preview on a real order. The firm's requisites and every other
setting of config.toml: admin/views/settings_program.py."""

from __future__ import annotations

import re

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.helpers import get_form_data
from markupsafe import Markup, escape
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from admin.auth import current_actor
from admin.base import AdminForm, BrigadirModelView, BrigadirView, fail
from admin.views.channels import ChannelsMixin
from admin.views.order_columns import OrderColumnsMixin
from core.access import HIDEABLE, require_role, revealed, visible_orders
from core.base import settings
from core.base.db import database
from core.base.errors import BrigadirError, ValidationError
from core.conversations import templates
from core.conversations.models import Template
from core.orders.columns import custom_columns
from core.orders.models import Order
from core.people.models import ROLE_NAMES

__all__ = ["SettingsView", "TemplateView"]

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# The director may hide fields from himself too (his own screens; the system sees all).
HIDING_ROLES = ("director", "manager", "executor")


_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
})  # fmt: skip


def _key_for(label: str, taken: set[str]) -> str:
    """A stored key made from the Russian name ("Мощность, кВт" -> moshchnost_kvt): the
    director never types one."""
    base = re.sub(r"[^a-z0-9]+", "_", label.lower().translate(_LATIN)).strip("_")[:28] or "pole"
    base = base if base[0].isalpha() else f"f_{base}"[:28]
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def _parse_custom_fields(text: str, existing: list[dict] | None = None) -> list[dict]:
    """One field name a line ("Материал") -> [{"key", "label", "type": "text"}]. A name the
    firm already has keeps its key (and the values orders carry under it); "key: Name" lines
    of earlier versions are still read."""
    existing = existing or []
    known = {f["label"].casefold(): f["key"] for f in existing}
    taken = set(known.values())
    lines = [line.strip() for line in (text or "").splitlines()]
    # A name changed in its own line is a rename: the field keeps its key and the orders
    # their values, when the old name is gone from the list.
    kept = {known[line.casefold()] for line in lines if line.casefold() in known}
    renamed = [f["key"] if f["key"] not in kept else "" for f in existing]
    result, keys, names = [], set(), set()
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        key, sep, label = line.partition(":")
        key = key.strip().lower()
        if sep and _KEY.match(key):
            label = label.strip() or key
        else:
            place = len(result)
            label, key = line, known.get(line.casefold(), "")
            if not key and place < len(renamed) and renamed[place] not in keys:
                key = renamed[place]
        if label.casefold() in names or key in keys:
            raise ValidationError(f"Строка {number}: поле «{label}» повторяется.")
        key = key or _key_for(label, taken | keys)
        keys.add(key)
        names.add(label.casefold())
        result.append({"key": key, "label": label[:100], "type": "text"})
    if len(result) > 20:
        raise ValidationError("Дополнительных полей может быть не больше 20.")
    return result


def _hideable(custom: list[dict]) -> list[tuple[str, str]]:
    """(field, label) the director may hide per role: order fields and custom fields."""
    from admin.views.orders import FIELD_LABELS

    return [(f, FIELD_LABELS.get(f, f)) for f in HIDEABLE] + list(custom_columns(custom).items())


def _leaks(hidden: dict[str, list[str]]) -> list[dict]:
    """Per role, each hidden field its visible ones give away (core.access.revealed), in words:
    «Стоимость» = «Оплачено» + «Долг»."""
    from admin.views.orders import FIELD_LABELS

    return [
        {"role": role, "field": field, "also": f"{role}:{a},{b}",
         "text": f"«{FIELD_LABELS[field]}» = «{FIELD_LABELS[a]}» {op} «{FIELD_LABELS[b]}»",
         "label": FIELD_LABELS[field], "others": f"«{FIELD_LABELS[a]}» и «{FIELD_LABELS[b]}»"}
        for role in HIDING_ROLES
        for field, (a, op, b) in revealed(set(hidden.get(role, []))).items()
    ]  # fmt: skip


def _read_form(form) -> tuple[dict, dict[str, str]]:
    """The page's fields as typed, parsed one by one: (values, {field: its Russian message}).
    A refused field keeps the others as typed, so the page can show them all again."""
    errors: dict[str, str] = {}
    types = [t.strip() for t in form.get("object_types", "").splitlines() if t.strip()]
    if len(types) > settings.MAX_OBJECT_TYPES:
        errors["object_types"] = f"Типов объектов может быть не больше {settings.MAX_OBJECT_TYPES}."
    try:
        custom = _parse_custom_fields(
            form.get("custom_fields", ""), settings.get("custom_fields") or []
        )
    except ValidationError as exc:
        errors["custom_fields"] = str(exc)
        custom = settings.get("custom_fields") or []
    hidden = {
        role: [f for f, _label in _hideable(custom) if form.get(f"hide_{role}_{f}")]
        for role in HIDING_ROLES
    }
    # «Скрыть и их»: the fields that give a hidden one away, hidden from that role too.
    role, _sep, more = form.get("hide_also", "").partition(":")
    if role in hidden:
        hidden[role] += [f for f in more.split(",") if f in HIDEABLE and f not in hidden[role]]
    values = {"object_types": types, "custom_fields": custom, "hidden_fields": hidden}
    return values, errors


class SettingsView(ChannelsMixin, OrderColumnsMixin, BrigadirView):
    roles = ("director",)

    @expose("/", methods=["GET", "POST"])
    def index(self):
        errors: dict[str, str] = {}
        typed: dict[str, str] = {}
        if request.method == "POST":
            require_role(current_actor(), "director")
            values, errors = _read_form(request.form)
            if not errors:
                with database.atomic():
                    for key, value in values.items():
                        settings.put(key, value)
                flash("Настройки сохранены.", "success")
                return redirect(url_for("settings.index"))
            # Nothing is written; every field is shown again as typed, the refused ones marked.
            flash("Настройки не сохранены: исправьте отмеченные поля.", "error")
            typed = {"object_types": request.form.get("object_types", ""),
                     "custom_fields": request.form.get("custom_fields", "")}  # fmt: skip
            hidden = values["hidden_fields"]
        else:
            hidden = settings.get("hidden_fields") or {}
        return self.render(
            "brigadir/settings.html",
            object_types=typed.get("object_types", "\n".join(settings.get("object_types") or [])),
            custom_text=typed.get("custom_fields", "\n".join(
                f["label"] for f in settings.get("custom_fields") or [])),
            hidden=hidden, hideable=_hideable(settings.get("custom_fields") or []),
            roles=ROLE_NAMES, hiding_roles=HIDING_ROLES, errors=errors, leaks=_leaks(hidden),
        )  # fmt: skip


CHANNELS = {
    "any": "любой",
    "telegram": "Telegram",
    "viber": "Viber",
    "sms": "SMS",
    "email": "E-mail",
}


class TemplateForm(AdminForm):
    name = StringField("Название", validators=[Length(max=200)])
    code = StringField("Код", validators=[DataRequired("Укажите код."), Length(max=64)])
    channel = SelectField(
        "Канал",
        choices=list(CHANNELS.items()),
    )
    subject = StringField("Тема (для писем)", validators=[Length(max=300)])
    body = TextAreaField(
        "Текст", validators=[DataRequired("Напишите текст шаблона.")], render_kw={"rows": 5}
    )


class TemplateView(BrigadirModelView):
    roles = ("director",)
    write_roles = ("director",)
    # The code links a template to events and stages; people know a template by its name.
    column_list = ("name", "channel", "body")
    column_labels = {"channel": "Канал", "name": "Название", "body": "Текст"}
    column_formatters = {
        "name": lambda v, c, m, n: m.name or Markup(f"<code>{escape(m.code)}</code>"),
        "channel": lambda v, c, m, n: CHANNELS.get(m.channel, m.channel),
    }
    edit_template = "brigadir/template_edit.html"
    create_template = "brigadir/template_edit.html"

    def default_sort(self):
        return [Template.name, Template.channel]

    def _form(self, obj=None):
        return TemplateForm(get_form_data(), obj=obj)

    create_form = _form
    edit_form = _form

    def _save(self, form):
        try:
            require_role(current_actor(), "director")
            saved = templates.save_template(form.code.data.strip(), form.body.data, channel=form.channel.data,
                                            subject=form.subject.data or "", name=form.name.data or "")  # fmt: skip
        except BrigadirError as exc:
            fail(exc)
            return False
        for warning in self.warnings(saved.body) + self.warnings(saved.subject):
            flash(f"Шаблон «{saved.code}» сохранён, но: {warning}", "warning")
        return saved

    def create_model(self, form):
        return self._save(form)

    def update_model(self, form, model):
        if (form.code.data.strip(), form.channel.data) != (model.code, model.channel):
            flash("Код и канал шаблона не меняются: создайте новый шаблон.", "error")
            return False
        return bool(self._save(form))

    @staticmethod
    def _sample_order() -> Order | None:
        return visible_orders(current_actor()).order_by(Order.id.desc()).first()

    def preview(self, body: str) -> str:
        """The template rendered with the newest order: what a client would read."""
        order = self._sample_order()
        if order is None:
            return "Нет ни одного заказа для предпросмотра."
        try:
            return templates.render(body or "", templates.context_for_order(order))
        except BrigadirError as exc:
            return f"Ошибка: {exc}"

    def warnings(self, body: str) -> list[str]:
        """Placeholders that may leave a gap in the message (empty on the preview order,
        or empty for some orders) outside a conditional part in square brackets."""
        order = self._sample_order()
        context = templates.context_for_order(order) if order is not None else None
        return templates.warnings(body or "", context)

    def placeholders(self) -> dict:
        return templates.PLACEHOLDERS
