"""Message templates with Russian placeholders: "Уважаемый {ФИО}, ... {остаток оплаты}".

An unknown placeholder is an error that names it, at save time and at render time."""

from __future__ import annotations

import re
from collections.abc import Mapping

from core.clock import format_date
from core.errors import ValidationError
from core.models import Order, Template
from core.money import format_money

__all__ = ["PLACEHOLDERS", "PRESET_TEMPLATES", "context_for_order", "render", "validate"]

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


def context_for_order(order: Order) -> dict[str, str]:
    from core import runtime

    company = runtime.company()
    executor = (
        order.executor.name if order.executor_id else (order.crew.name if order.crew_id else "")
    )
    return {
        "ФИО": order.client.name,
        "номер заказа": str(order.number),
        "описание": order.description,
        "статус": order.stage.name,
        "сумма": format_money(order.cost),
        "оплачено": format_money(order.paid),
        "остаток оплаты": format_money(order.debt),
        "адрес": order.object_address or order.client.address or "",
        "срок": format_date(order.due_date) or "не указан",
        "ссылка": f"{runtime.config().app.base_url.rstrip('/')}/my/orders/{order.number}",
        "фирма": str(company.get("name") or runtime.config().app.name),
        "телефон фирмы": str(company.get("phone") or ""),
        "исполнитель": executor,
    }


def template_for(code: str, channel: str = "any") -> Template | None:
    """The channel's own template if the director wrote one, else the common one."""
    rows = {t.channel: t for t in Template.select().where(Template.code == code)}
    return rows.get(channel) or rows.get("any")


def ensure_presets() -> None:
    for code, (name, subject, body) in PRESET_TEMPLATES.items():
        Template.get_or_create(
            code=code, channel="any", defaults={"name": name, "subject": subject, "body": body}
        )


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
