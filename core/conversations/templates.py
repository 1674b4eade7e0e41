"""Message templates with Russian placeholders: "Уважаемый {ФИО}, ... {остаток оплаты}".

A part in square brackets is shown only when every placeholder inside it has a value:
"Заберите заказ[, позвонив по телефону {телефон фирмы}]." loses the bracketed words when
the firm's phone is not set, "[ К оплате: {остаток оплаты}.]" when nothing is owed (an
empty value or a zero sum counts as none). Brackets with no placeholder inside are plain
text ("[Акция]"). An unknown placeholder is an error that names it, at save time and at
render time; the admin warns about a placeholder that may be empty outside brackets."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from core.access import Actor
from core.base.clock import format_date
from core.base.errors import ValidationError
from core.base.money import format_money
from core.clients.models import Client
from core.conversations.models import Template
from core.orders.models import Order

__all__ = [
    "PLACEHOLDERS",
    "PRESET_CHANNEL_TEMPLATES",
    "PRESET_TEMPLATES",
    "context_for_mailing",
    "context_for_order",
    "for_channel",
    "preview",
    "placeholders_in",
    "render",
    "validate",
    "warnings",
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
# One pass over conditional parts and bare placeholders: a value is never re-read as syntax.
_TOKEN = re.compile(r"\[([^\[\]]*\{[^\[\]]*)\]|\{([^{}]*)\}")
_ZERO = re.compile(r"[\s0.,]*0[\s0.,]*(₽|руб\.?)?\s*")

# Placeholders some orders or firms leave empty (or zero): outside brackets they leave a gap.
MAY_BE_EMPTY = {
    "телефон фирмы": "телефон фирмы может быть не заполнен в реквизитах",
    "адрес": "у заказа может не быть адреса",
    "исполнитель": "исполнитель может быть ещё не назначен",
    "остаток оплаты": "у оплаченного заказа остаток 0,00 ₽",
}

PRESET_TEMPLATES: dict[str, tuple[str, str, str]] = {
    # code: (name, subject, body)
    "printing.accepted": (
        "Заказ принят",
        "Заказ №{номер заказа} принят",
        "Здравствуйте, {ФИО}! Ваш заказ №{номер заказа} принят: {описание}. "
        "Стоимость {сумма}, оплачено {оплачено}. Мы сообщим, когда он будет готов. {фирма}[, {телефон фирмы}]",
    ),
    "printing.done": (
        "Заказ готов",
        "Заказ №{номер заказа} готов",
        "Здравствуйте, {ФИО}! Ваш заказ №{номер заказа} готов, можно забирать.[ "
        "К оплате при получении: {остаток оплаты}.] {фирма}[, {телефон фирмы}]",
    ),
    "installation.accepted": (
        "Заявка принята",
        "Заявка №{номер заказа} принята",
        "Уважаемый(ая) {ФИО}, ваша заявка №{номер заказа} на подключение объекта[ по адресу {адрес}] принята. "
        "Следить за ходом работ: {ссылка}. {фирма}[, {телефон фирмы}]",
    ),
    "installation.ready": (
        "Документы готовы",
        "Документы по заказу №{номер заказа} готовы",
        "Уважаемый(ая) {ФИО}, ваши документы по заказу №{номер заказа} готовы, приходите забирать[, "
        "предварительно связавшись с нами по телефону {телефон фирмы}].[ "
        "Ваш остаток оплаты: {остаток оплаты}.] {фирма}",
    ),
    "staff.assigned": (
        "Новое задание",
        "Новое задание: заказ №{номер заказа}",
        "Вам назначен заказ №{номер заказа}: {описание}. Срок: {срок}.[ Адрес: {адрес}.]",
    ),
}


# Short variants for SMS (one part in Cyrillic is 70 characters; links and sums matter most).
PRESET_CHANNEL_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    ("printing.done", "sms"): (
        "Заказ готов (SMS)",
        "Заказ №{номер заказа} готов.[ К оплате {остаток оплаты}.][ {телефон фирмы}]",
    ),
    ("installation.ready", "sms"): (
        "Документы готовы (SMS)",
        "Документы по заказу №{номер заказа} готовы.[ Остаток {остаток оплаты}.][ Тел. {телефон фирмы}]",
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


def placeholders_in(text: str) -> list[str]:
    """The placeholder names a text uses, in order, once each."""
    return list(dict.fromkeys(name.strip() for name in _FIELD.findall(text or "")))


def _check_parts(text: str) -> None:
    """Brackets around a conditional part must pair up and not nest (checked when saving;
    a stored text with a stray bracket still renders, the bracket as plain text)."""
    depth = 0
    for ch in text:
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if depth not in (0, 1):
            raise ValidationError(
                "В шаблоне непарные или вложенные квадратные скобки. Условная часть пишется "
                "так: [по телефону {телефон фирмы}] — без скобок внутри."
            )
    if depth:
        raise ValidationError("В шаблоне непарные квадратные скобки.")


def _blank(value: str | None) -> bool:
    """No value for a conditional part: empty, or a zero number or sum ("0,00 ₽")."""
    return not (value or "").strip() or bool(_ZERO.fullmatch(value))


def render(text: str, context: Mapping[str, str]) -> str:
    validate(text)

    def value(name: str) -> str:
        return context.get(name.strip(), "") or ""

    def token(m: re.Match) -> str:
        if m.group(2) is not None:
            return value(m.group(2))
        inner = m.group(1)
        if any(_blank(value(name)) for name in _FIELD.findall(inner)):
            return ""
        return _FIELD.sub(lambda f: value(f.group(1)), inner)

    return _TOKEN.sub(token, text)


def warnings(
    text: str, context: Mapping[str, str] | None = None, *, known_filled: tuple[str, ...] = ()
) -> list[str]:
    """Why this template may reach a client with a gap: a placeholder outside brackets that
    some orders leave empty, or (with a real order's context) one that is empty right now.
    known_filled: placeholders the caller guarantees (a mailing to debtors has a debt)."""
    outside = _FIELD.findall(_TOKEN.sub(lambda m: "" if m.group(1) else m.group(0), text))
    found: list[str] = []
    for name in dict.fromkeys(n.strip() for n in outside):
        if name not in PLACEHOLDERS or name in known_filled:
            continue
        if context is not None and _blank(context.get(name, "")):
            why = "сейчас пусто"
        elif name in MAY_BE_EMPTY:
            why = MAY_BE_EMPTY[name]
        else:
            continue
        found.append(
            f"{{{name}}} вне квадратных скобок: {why}, и в сообщении останется пропуск. "
            f"Заключите эту часть текста в квадратные скобки — «[… {{{name}}} …]»: "
            "без значения она не будет показана."
        )
    return found


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


def _firm(key: str, fallback: str = "") -> Callable[[], str]:
    from core.base import runtime

    return lambda: str(runtime.company().get(key) or fallback)


def _firm_providers() -> dict[str, Callable[[], str]]:
    from core.base import runtime

    return {"фирма": _firm("name", runtime.config().app.name), "телефон фирмы": _firm("phone")}


def context_for_mailing(client: Client, order: Order | None = None) -> Mapping[str, str]:
    """A mailing's placeholders: the order's when the mailing is about orders (a stage, a
    period, a selection), else the client's — {остаток оплаты} is then their whole debt."""
    from core.clients.links import follow_link

    if order is not None:
        return context_for_order(order)
    return _Lazy({
        "ФИО": lambda: client.name,
        "остаток оплаты": lambda: format_money(client.debt),
        "ссылка": lambda: follow_link(client),
        **_firm_providers(),
    })  # fmt: skip


def context_for_order(order: Order) -> _Lazy:
    from core.clients.links import follow_link

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
        **_firm_providers(),
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
    for text in (body, subject):
        validate(text)
        _check_parts(text)
    template, _ = Template.get_or_create(code=code, channel=channel, defaults={"body": body})
    template.body, template.subject = body, subject
    if name:
        template.name = name
    template.save()
    return template
