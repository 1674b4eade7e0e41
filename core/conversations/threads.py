"""Per-order correspondence: staff questions out (through the outbox), client answers in."""

from __future__ import annotations

import peewee as pw

from core.access import (
    Actor,
    actor_for_employee,
    can_see_message,
    require_order,
    require_order_write,
    visible_message_filter,
)
from core.base.clock import utcnow
from core.base.db import database
from core.base.errors import ValidationError
from core.clients.models import Client
from core.conversations import inbox, outbox
from core.conversations.delivery import responsible_employee
from core.conversations.models import Message
from core.orders.models import Order
from core.people.models import Employee

__all__ = [
    "ask_client", "clean_text", "client_messages", "mark_read", "record_incoming", "tell_staff",
    "thread_of", "unread_filter", "unread_of",
]  # fmt: skip

MAX_TEXT = 4000


def clean_text(text: str) -> str:
    """A message text as stored: no NULs, trimmed, not empty, not too long."""
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError("Пустое сообщение.")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Сообщение слишком длинное (больше {MAX_TEXT} символов).")
    return text


def ask_client(actor: Actor, order_id: int, text: str, *, channel: str | None = None) -> Message:
    """A question or answer from staff to the client, saved in the order and queued for delivery."""
    order = require_order(actor, order_id)
    require_order_write(actor, order)
    text = clean_text(text)
    with database.atomic():
        message = Message.create(
            order=order, client=order.client_id, direction="out", channel=channel or "auto",
            author=actor.employee_id, text=text, is_read=True,
            subject=f"[Заказ №{order.number}]",
        )  # fmt: skip
        note = outbox.notify_client(
            order.client, text, key=f"message:{message.id}", order=order, channel=channel,
            subject=f"[Заказ №{order.number}] Вопрос по заказу",
        )  # fmt: skip
        message.notification = note
        message.save()
    return message


def add_note(actor: Actor, order_id: int, text: str) -> Message:
    """An internal comment nobody outside sees."""
    order = require_order(actor, order_id)
    require_order_write(actor, order)
    return Message.create(
        order=order, client=order.client_id, direction="out", channel="note", author=actor.employee_id,
        text=clean_text(text), is_read=True,
    )  # fmt: skip


def record_incoming(
    client_id: int,
    text: str,
    *,
    channel: str,
    order_id: int | None = None,
    external_id: str | None = None,
    subject: str = "",
    tell: bool = True,
) -> Message:
    """A client's message lands in the order (or the client's card) unread. Redelivered
    messages (same channel external id) are stored once. `tell`: the people of the order
    are told (off when the caller tells them in its own words)."""
    if external_id:
        twin = Message.get_or_none(
            (Message.external_id == external_id) & (Message.channel == channel)
        )
        if twin is not None:
            return twin
    with database.atomic():
        message = Message.create(
            order=order_id, client=client_id, direction="in", channel=channel, text=clean_text(text),
            external_id=external_id, subject=subject[:300], at=utcnow(),
        )  # fmt: skip
        if order_id is not None:
            Order.update(unread=Order.unread + 1).where(Order.id == order_id).execute()
        dialogue = inbox.file_chat(message, channel=channel)  # one list with the letters
        if tell:
            tell_staff(message, dialogue.assignee_id)
    return message


def tell_staff(message: Message, assignee_id: int | None) -> None:
    """A client's reply — in a messenger or by e-mail — reaches the people of the order (who
    answers for it now, its manager and executor) and the conversation's assignee in their
    messenger or web chat: nobody has to watch a page. Only those who may read it: a letter
    of a mailbox someone does not read is not told to them either."""
    order = Order.get_or_none(Order.id == message.order_id) if message.order_id else None
    ids = {assignee_id}
    if order is not None:
        answers = responsible_employee(order)
        ids |= {order.manager_id, order.executor_id, answers.id if answers else None}
    people = [
        p
        for p in Employee.select().where(Employee.id.in_([i for i in ids if i]) & Employee.active)
        if can_see_message(actor_for_employee(p), message)
    ]
    client = Client.get_by_id(message.client_id)
    about = f" по заказу №{order.number}" if order is not None else ""
    buttons = [[("Открыть заказ", f"order:{order.number}")]] if order is not None else None
    text = f"Клиент {client.name} пишет{about}: «{message.text[:500]}»"
    if client.is_lead and _first_word_of(client.id, message.id):
        where = inbox.CHANNEL_NAMES.get(message.channel, message.channel)
        text = (f"Новое обращение ({where}): {client.name} пишет: «{message.text[:500]}». "
                "Переписка — во «Входящих».")  # fmt: skip
    for person in people:
        outbox.notify_staff(person, text, key=f"reply:{message.id}:{person.id}", order=order,
                            buttons=buttons)  # fmt: skip


def _first_word_of(client_id: int, message_id: int) -> bool:
    return not (
        Message.select()
        .where((Message.client == client_id) & (Message.direction == "in"))
        .where(Message.id != message_id)
        .exists()
    )


def _unread_in(order_id: int) -> pw.Expression:
    return (Message.order == order_id) & (Message.direction == "in") & ~Message.is_read


def mark_read(actor: Actor, order_id: int) -> int:
    """The client's messages this person has now seen are read. Letters of a mailbox they may
    not read stay unread (and counted) for those who may."""
    order = require_order(actor, order_id)
    clause = visible_message_filter(actor)
    with database.atomic():
        query = Message.update(is_read=True).where(_unread_in(order.id))
        count = (query if clause is None else query.where(clause)).execute()
        left = 0 if clause is None else Message.select().where(_unread_in(order.id)).count()
        Order.update(unread=left).where(Order.id == order.id).execute()
    return count


def unread_filter(actor: Actor) -> pw.Expression | None:
    """The messages this person may not read (for unread_of, asked once per page); None:
    they read everything."""
    clause = visible_message_filter(actor)
    return None if clause is None else ~clause


def unread_of(actor: Actor, order: Order, hidden: pw.Expression | None | bool = False) -> int:
    """The order's unread count as this person may see it: letters of a mailbox they may not
    read are left out (hidden: unread_filter(actor), when the caller shows many orders). Only
    an order with something unread is looked into, by its (order, at) index."""
    if not order.unread:
        return 0
    hidden = unread_filter(actor) if hidden is False else hidden
    if hidden is None:
        return order.unread
    unseen = Message.select().where(_unread_in(order.id) & hidden).count()
    return max(0, order.unread - unseen)


def client_messages(actor: Actor, client_id: int, limit: int = 50) -> list[Message]:
    """The newest messages of a client (the client card): letters of a mailbox this person
    may not read are left out, like everywhere else; notes only for the office."""
    query = Message.select().where(Message.client == client_id)
    clause = visible_message_filter(actor)
    if clause is not None:
        query = query.where(clause)
    if not actor.is_staff_office:
        return []
    return list(query.order_by(Message.at.desc(), Message.id.desc()).limit(limit))


def thread_of(actor: Actor, order_id: int, *, include_notes: bool = True) -> list[Message]:
    order = require_order(actor, order_id)
    query = Message.select().where(Message.order == order.id)
    hidden = visible_message_filter(actor)  # letters of a mailbox the actor may not read
    if hidden is not None:
        query = query.where(hidden)
    if actor.kind == "client" or not include_notes:
        query = query.where(Message.channel != "note")
    return list(query.order_by(Message.at, Message.id))


def open_orders_of_client(client: Client) -> list[Order]:
    return list(
        Order.select()
        .where((Order.client == client) & ~Order.is_archived)
        .order_by(Order.id.desc())
    )
