"""What a manager does with a conversation: answer it in its own channel, forward a letter
into an order, make a client and an order out of a letter.

Answers go through the outbox like every other message: a letter's answer carries the
mailbox it came to (X-Brigadir-Mailbox) and the threading headers (In-Reply-To,
References), so the sender's mail program shows it in the same thread."""

from __future__ import annotations

import re
from typing import Any

import peewee as pw

from core.access import Actor, require_dialogue, require_order, require_role
from core.base.db import database
from core.base.errors import ValidationError
from core.base.interfaces import FileStore
from core.base.phones import normalize_phone
from core.clients import clients
from core.clients.models import Client
from core.conversations import mailbox
from core.conversations.inbox import letter_of
from core.conversations.letters import html_to_text
from core.conversations.models import Dialogue, Mailbox, Message, Notification
from core.conversations.threads import clean_text
from core.files.attachments import order_folder_key
from core.files.models import Attachment
from core.orders import orders
from core.orders.models import Order

__all__ = ["forward_letter", "order_from_letter", "prefill", "reply"]

MAILBOX_HEADER = "X-Brigadir-Mailbox"
_PHONE = re.compile(r"(?:\+7|\b8)[\s\-(]*\d{3}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}\b")


def reply(actor: Actor, dialogue_id: int, text: str) -> Message:
    """An answer in the conversation's own channel, queued in the outbox."""
    require_role(actor, "manager")
    dialogue = require_dialogue(actor, dialogue_id)
    text = clean_text(text)
    if dialogue.kind != "outside":
        raise ValidationError("Это не переписка с клиентом.")
    if dialogue.channel == "email":
        return _reply_letter(actor, dialogue, text)
    if dialogue.client_id is None and not dialogue.contact:
        raise ValidationError("Неизвестно, кому отвечать.")
    with database.atomic():
        message = Message.create(
            order=dialogue.order_id, client=dialogue.client_id, direction="out",
            channel=dialogue.channel, author=actor.employee_id, text=text, is_read=True,
            dialogue=dialogue,
        )  # fmt: skip
        note = Notification.create(
            audience="client", client=dialogue.client_id, order=dialogue.order_id, text=text,
            channel=dialogue.channel, address=None if dialogue.client_id else dialogue.contact,
            idempotency_key=f"inbox:{message.id}",
        )  # fmt: skip
        message.notification = note
        message.save()
        _moved(dialogue, message)
    return message


def _reply_letter(actor: Actor, dialogue: Dialogue, text: str) -> Message:
    last = (
        Message.select()
        .where((Message.dialogue == dialogue.id) & Message.external_id.is_null(False))
        .order_by(Message.id.desc())
        .first()
    )
    if not dialogue.contact or "@" not in dialogue.contact:
        raise ValidationError("У переписки нет адреса, на который ответить.")
    subject = (last.subject if last else dialogue.subject) or "Ответ"
    if not re.match(r"^\s*re\s*:", subject, re.IGNORECASE):
        subject = f"Re: {subject}"
    headers: dict[str, str] = {}
    if dialogue.mailbox_id:
        headers[MAILBOX_HEADER] = Mailbox.get_by_id(dialogue.mailbox_id).code
    if last is not None:
        headers["In-Reply-To"] = last.external_id
        headers["References"] = " ".join([*last.refs.split(), last.external_id])[-2000:]
    with database.atomic():
        message = Message.create(
            order=dialogue.order_id, client=dialogue.client_id, direction="out", channel="email",
            author=actor.employee_id, subject=subject[:300], text=text, is_read=True,
            dialogue=dialogue, refs=headers.get("References", ""),
        )  # fmt: skip
        note = Notification.create(
            audience="client", client=dialogue.client_id, order=dialogue.order_id,
            subject=subject[:300], text=text, channel="email", address=dialogue.contact,
            headers=headers, idempotency_key=f"inbox:{message.id}",
        )  # fmt: skip
        message.notification = note
        message.save()
        _moved(dialogue, message)
    return message


def _moved(dialogue: Dialogue, message: Message) -> None:
    """An answer moves the conversation up and means somebody has read it."""
    Dialogue.update(last_at=message.at, last_text=" ".join(message.text.split())[:300],
                    unread=0).where(Dialogue.id == dialogue.id).execute()  # fmt: skip
    read = (
        Message.update(is_read=True)
        .where((Message.dialogue == dialogue.id) & (Message.direction == "in") & ~Message.is_read)
        .execute()
    )
    if read and dialogue.order_id:  # the order's unread count drops with them
        left = pw.Case(None, [(Order.unread > read, Order.unread - read)], 0)
        Order.update(unread=left).where(Order.id == dialogue.order_id).execute()


def forward_letter(actor: Actor, message_id: int, order_id: int, store: FileStore) -> Message:
    """Put a letter into an order: it joins the order's thread, its attachments move into the
    order's folder, and its conversation is tied to the order from now on."""
    message, dialogue = letter_of(actor, message_id)
    order = require_order(actor, order_id)
    moved: list[tuple[str, str]] = []  # (old key, new key)
    folder = order_folder_key(order, store)
    try:
        with database.atomic():
            message = mailbox.forward_to_order(actor, message.id, order.id)
            for file in Attachment.select().where(Attachment.message == message.id):
                data = store.read(file.storage_key)
                stored = store.save(
                    folder, file.original_name or "вложение", data, file.content_type
                )
                moved.append((file.storage_key, stored.key))
                file.storage_key = stored.key
                file.save()
            if not order.folder:
                Order.update(folder=folder).where(
                    (Order.id == order.id) & (Order.folder == "")
                ).execute()
            Dialogue.update(order=order.id, client=order.client_id).where(
                Dialogue.id == dialogue.id
            ).execute()
    except Exception:
        for _, new in moved:  # nothing half-done: the copies go, the originals stay
            store.delete(new)
        raise
    for old, _ in moved:
        store.delete(old)
    return message


def prefill(actor: Actor, message_id: int) -> dict[str, Any]:
    """What the new client and order forms start with: the sender, a phone found in the
    letter, the subject and the first lines of the text."""
    require_role(actor, "manager")
    message, dialogue = letter_of(actor, message_id)
    body = "\n".join([message.text or "", html_to_text(message.html)])  # a phone in HTML only too
    phone = ""
    for found in _PHONE.findall(body):
        try:
            phone = normalize_phone(found)
            break
        except ValidationError:
            continue
    known = _known_client(message.sender, phone)
    text = message.text or html_to_text(message.html)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    description = (message.subject + ("\n" if message.subject else "") + "\n".join(lines[:6]))[
        :1000
    ]
    return {
        "client_id": known.id if known else None,
        "name": (
            known.name if known else dialogue.contact_name or message.sender.partition("@")[0]
        ),
        "email": message.sender,
        "phone": known.phone if known and known.phone else phone,
        "description": description.strip(),
    }


def _phone_or_empty(raw: str) -> str:
    try:
        return normalize_phone(raw) if raw else ""
    except ValidationError:
        return ""


def _known_client(email: str, phone: str) -> Client | None:
    """The sender is already a client when their address or the phone they wrote is known."""
    found = Client.get_or_none(pw.fn.LOWER(Client.email) == email.lower()) if email else None
    if found is None and phone:
        found = Client.get_or_none((Client.phone == phone) | (Client.phone2 == phone))
    return found


def order_from_letter(
    actor: Actor,
    message_id: int,
    store: FileStore,
    *,
    name: str,
    phone: str,
    description: str,
    cost: int = 0,
) -> Order:
    """A client (the sender's, or a new one) and an order from a letter; the letter and its
    files go into the order. All or nothing."""
    require_role(actor, "manager")
    message, _ = letter_of(actor, message_id)
    with database.atomic():
        client = _known_client(message.sender, _phone_or_empty(phone))
        if client is None:
            client = clients.create_client(actor, name, phone or None, email=message.sender or None)
        order = orders.create_order(actor, client.id, description, cost, source="email")
        forward_letter(actor, message.id, order.id, store)
    return Order.get_by_id(order.id)
