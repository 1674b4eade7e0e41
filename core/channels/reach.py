"""What stands between a message and a client: a channel the firm has not set up (said to
the director once, with how to fix it) and messages that did not arrive (shown as such on
the order thread and the client card)."""

from __future__ import annotations

from collections.abc import Iterable

from core.base.clock import local_today
from core.conversations import outbox
from core.conversations.models import Message, Notification
from core.people.models import Employee

__all__ = ["CLIENT_WORDS", "FIX", "delivery_marks", "firm_lacks_text", "tell_director_gap"]

# What the client has on a channel the firm lacks, in the manager's words.
CLIENT_WORDS = {"sms": "телефон", "email": "почта", "telegram": "Telegram", "max": "MAX",
                "vk": "ВКонтакте", "viber": "Viber"}  # fmt: skip
FIRM_WORDS = {"sms": "SMS", "email": "отправка почты", "telegram": "бот Telegram",
              "max": "бот MAX", "vk": "сообщество ВКонтакте", "viber": "бот Viber"}  # fmt: skip
# How the director fixes a missing channel (README «Каналы связи» says more).
FIX = {
    "sms": 'подключите SMS: в config.toml раздел [sms] — provider = "smsru" и api_id '
    '(или provider = "smsc", login, password)',
    "email": "подключите почту: в config.toml раздел [smtp] — host, user, password и sender",
    "telegram": "создайте бота у @BotFather и впишите его токен в [telegram] token",
    "max": "зарегистрируйте бота на business.max.ru и впишите токен в [max] token",
    "vk": "включите сообщения сообщества ВКонтакте и впишите ключ доступа в [vk] token и group_id",
    "viber": "Viber заблокирован в России; если клиенты им пользуются, включите его в "
    "Настройки → Порядок каналов и впишите [viber] token",
}


def firm_lacks_text(lacks: list[str]) -> str:
    """«у клиента есть телефон, но у фирмы не настроены SMS»."""
    has = ", ".join(CLIENT_WORDS.get(c, c) for c in lacks)
    missing = ", ".join(FIRM_WORDS.get(c, c) for c in lacks)
    return f"у клиента есть {has}, но у фирмы не настроено: {missing}"


def tell_director_gap(lacks: list[str]) -> None:
    """One notice a day per missing channel to each director, with how to fix it, instead of
    a «позвонить клиенту» task per order: it is the firm's gap, not the client's."""
    today = local_today().isoformat()
    for director in Employee.select().where((Employee.role == "director") & Employee.active):
        for channel in lacks:
            key = f"gap:{channel}:{today}:{director.id}"
            if Notification.select().where(Notification.idempotency_key == key).exists():
                continue
            outbox.notify_staff(director, (
                f"Сообщения не доходят до клиентов, у которых есть {CLIENT_WORDS.get(channel, channel)}: "
                f"у фирмы не настроено — {FIRM_WORDS.get(channel, channel)}. Как исправить: "
                f"{FIX.get(channel, 'настройте канал')}. Пока канала нет, звонить каждому клиенту "
                "не нужно — сообщения видны в карточке заказа как недоставленные."
            ), key=key)  # fmt: skip


def delivery_marks(messages: Iterable[Message]) -> dict[int, str]:
    """message id -> what to show beside an outgoing message that has not arrived
    («не доставлено: …», «ждёт отправки»); delivered ones are absent."""
    by_note = {m.notification_id: m.id for m in messages
               if m.direction == "out" and m.notification_id}  # fmt: skip
    if not by_note:
        return {}
    marks = {}
    query = Notification.select(
        Notification.id, Notification.status, Notification.last_error
    ).where(Notification.id.in_(list(by_note)))
    for note in query:
        if note.status == "failed":
            why = (note.last_error or "").strip()
            marks[by_note[note.id]] = f"не доставлено{': ' + why[:200] if why else ''}"
        elif note.status in ("pending", "sending"):
            marks[by_note[note.id]] = "ждёт отправки"
    return marks
