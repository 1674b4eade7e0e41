"""Message templates with Russian placeholders: "Уважаемый {ФИО}, ... {остаток оплаты}".

An unknown placeholder is an error that names it, at save time and at render time."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from core.access import Actor
from core.clock import format_date
from core.errors import ValidationError
from core.models import Order, Template
from core.money import format_money

__all__ = [
    "PLACEHOLDERS",
    "PRESET_CHANNEL_TEMPLATES",
    "PRESET_TEMPLATES",
    "context_for_order",
    "for_channel",
    "preview",
    "render",
    "validate",
]

PLACEHOLDERS = {
    "ФИО": "имя клиента",
    "номер заказа": "номер заказа",
    "описание": "описание заказа",
    "статус": "текущий статус",
    "сумма": "стоимость заказа",
    "оплачено": "сколько оплачено",
    "остаток оплаты": "сколько осталось оплатить",
    "адрес": "адрес объекта",
    "срок": "срок готовности",
    "ссылка": "ссылка на заказ для клиента",
    "фирма": "название фирмы",
    "телефон фирмы": "телефон фирмы",
    "исполнитель": "исполнитель или бригада",
}

_FIELD = re.compile(r"\{([^{}]*)\}")

PRESET_TEMPLATES: dict[str, tuple[str, str, str]] = {
    # code: (name, subject, body)
    "printing.accepted": (
        "Заказ принят",
        "Заказ №{номер заказа} принят",
        "Здравствуйте, {ФИО}! Ваш заказ №{номер заказа} принят: {описание}. "
        "Стоимость {сумма}, оплачено {оплачено}. Мы сообщим, когда он будет готов. {фирма}, {телефон фирмы}",
    ),
    "printing.done": (
        "Заказ готов",
        "Заказ №{номер заказа} готов",
        "Здравствуйте, {ФИО}! Ваш заказ №{номер заказа} готов, можно забирать. "
        "К оплате при получении: {остаток оплаты}. {фирма}, {телефон фирмы}",
    ),
    "installation.accepted": (
        "Заявка принята",
        "Заявка №{номер заказа} принята",
        "Уважаемый(ая) {ФИО}, ваша заявка №{номер заказа} на подключение объекта по адресу {адрес} принята. "
        "Следить за ходом работ: {ссылка}. {фирма}, {телефон фирмы}",
    ),
    "installation.ready": (
        "Документы готовы",
        "Документы по заказу №{номер заказа} готовы",
        "Уважаемый(ая) {ФИО}, ваши документы по заказу №{номер заказа} готовы, приходите забирать, "
        "предварительно связавшись с нами по телефону {телефон фирмы}. "
        "Ваш остаток оплаты: {остаток оплаты}. {фирма}",
    ),
    "staff.assigned": (
        "Новое задание",
        "Новое задание: заказ №{номер заказа}",
        "Вам назначен заказ №{номер заказа}: {описание}. Срок: {срок}. Адрес: {адрес}.",
    ),
}


# Short variants for SMS (one part in Cyrillic is 70 characters; links and sums matter most).
PRESET_CHANNEL_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    ("printing.done", "sms"): (
        "Заказ готов (SMS)",
        "Заказ №{номер заказа} готов. К оплате {остаток оплаты}. {телефон фирмы}",
    ),
    ("installation.ready", "sms"): (
        "Документы готовы (SMS)",
        "Документы по заказу №{номер заказа} готовы. Остаток {остаток оплаты}. Тел. {телефон фирмы}",
    ),
}


def validate(text: str) -> None:
    """Raise ValidationError naming every unknown placeholder or broken brace."""
    if text.count("{") != text.count("}"):
        raise ValidationError("В шаблоне непарные фигурные скобки.")
    unknown = [name for name in _FIELD.findall(text) if name.strip() not in PLACEHOLDERS]
    if unknown:
        names = ", ".join(f"{{{n}}}" for n in unknown)
        known = ", ".join(f"{{{n}}}" for n in PLACEHOLDERS)
        raise ValidationError(f"Неизвестная подстановка {names}. Можно использовать: {known}.")


def render(text: str, context: Mapping[str, str]) -> str:
    validate(text)
    return _FIELD.sub(lambda m: context.get(m.group(1).strip(), ""), text)


class _Lazy(dict):
    """Placeholder values computed on first use: a readiness message that does not say
    {ссылка} never creates a follow-link code, one without {фирма} never reads settings."""

    def __init__(self, providers: dict[str, Callable[[], str]]):
        super().__init__()
        self._providers = providers

    def __missing__(self, key: str) -> str:
        provider = self._providers.get(key)
        if provider is None:
            raise KeyError(key)
        value = self[key] = provider()
        return value

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return key in self._providers


def context_for_order(order: Order) -> Mapping[str, str]:
    from core import runtime
    from core.links import follow_link

    def firm(key: str, fallback: str = "") -> Callable[[], str]:
        return lambda: str(runtime.company().get(key) or fallback)

    return _Lazy({
        "ФИО": lambda: order.client.name,
        "номер заказа": lambda: str(order.number),
        "описание": lambda: order.description,
        "статус": lambda: order.stage.name,
        "сумма": lambda: format_money(order.cost),
        "оплачено": lambda: format_money(order.paid),
        "остаток оплаты": lambda: format_money(order.debt),
        "адрес": lambda: order.object_address or order.client.address or "",
        "срок": lambda: format_date(order.due_date) or "не указан",
        "ссылка": lambda: follow_link(order.client),
        "фирма": firm("name", runtime.config().app.name),
        "телефон фирмы": firm("phone"),
        "исполнитель": lambda: (
            order.executor.name if order.executor_id else (order.crew.name if order.crew_id else "")
        ),
    })  # fmt: skip


def template_for(code: str, channel: str = "any") -> Template | None:
    """The channel's own template if the director wrote one, else the common one."""
    rows = {t.channel: t for t in Template.select().where(Template.code == code)}
    return rows.get(channel) or rows.get("any")


def ensure_presets() -> None:
    for code, (name, subject, body) in PRESET_TEMPLATES.items():
        Template.get_or_create(
            code=code, channel="any", defaults={"name": name, "subject": subject, "body": body}
        )
    for (code, channel), (name, body) in PRESET_CHANNEL_TEMPLATES.items():
        Template.get_or_create(code=code, channel=channel, defaults={"name": name, "body": body})


def for_channel(
    template_code: str | None, order: Order | None, channel: str
) -> tuple[str, str] | None:
    """(subject, text) of the channel's own variant rendered for the order, or None when the
    channel has no variant of its own (the outbox row's text is used as written)."""
    if not template_code or order is None:
        return None
    template = Template.get_or_none(
        (Template.code == template_code) & (Template.channel == channel)
    )
    if template is None:
        return None
    context = context_for_order(order)
    return render(template.subject, context), render(template.body, context)


def preview(actor: Actor, order_id: int, *, code: str | None = None, body: str | None = None,
            channel: str = "any") -> tuple[str, str]:  # fmt: skip
    """What the client would receive: a saved template (by code, the channel's variant if
    any) or a draft body, rendered with a real order the actor may see."""
    from core.access import require_order

    order = require_order(actor, order_id)
    subject = ""
    if body is None:
        template = template_for(code or "", channel)
        if template is None:
            raise ValidationError(f"Шаблон «{code}» не найден.")
        subject, body = template.subject, template.body
    context = context_for_order(order)
    return render(subject, context), render(body, context)


def save_template(
    code: str, body: str, *, channel: str = "any", subject: str = "", name: str = ""
) -> Template:
    validate(body)
    validate(subject)
    template, _ = Template.get_or_create(code=code, channel=channel, defaults={"body": body})
    template.body, template.subject = body, subject
    if name:
        template.name = name
    template.save()
    return template
