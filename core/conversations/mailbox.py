"""Incoming e-mail: which order a letter belongs to, and the unsorted list for the rest.

A letter joins an order only when its sender is that order's client or one of the staff,
and either
  1. its In-Reply-To / References name an e-mail we sent or received for that order, or
  2. its subject carries the tag "[Заказ №123]".
A stranger who quotes a tag or a Message-ID lands in the unsorted list: a number typed
or a header copied must not put a letter into someone else's order (cf. Zammad #5064).
A known client's other letters go to the client's card; everything else is unsorted,
where a manager forwards it into an order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import peewee as pw

from core.access import Actor, require_order, require_role
from core.base.clock import utcnow
from core.base.db import database
from core.base.errors import NotFound, ValidationError
from core.base.interfaces import FileStore
from core.clients.models import Client
from core.conversations.models import Dialogue, Mailbox, Message, Notification
from core.files.models import Attachment
from core.files.names import clean_file_name
from core.orders.models import Order
from core.people.models import Employee

__all__ = ["IncomingMail", "forward_to_order", "ingest_mail", "order_tag", "unsorted_mail"]

TAG = re.compile(r"Заказ\s*№\s*(\d{1,9})", re.IGNORECASE)
UNSORTED_FOLDER = "Почта/Неразобранное"
MAX_TEXT = 100_000


@dataclass(frozen=True)
class IncomingMail:
    message_id: str
    sender: str  # the address only, e.g. ivanov@example.test
    subject: str = ""
    text: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    attachments: tuple[tuple[str, bytes, str], ...] = ()  # (name, data, mime)
    skipped: tuple[str, ...] = field(default=())  # why an attachment was not kept, one line each
    auth: str = ""  # the firm's server on the sender (SPF/DKIM/DMARC): pass | fail | "" none
    auth_note: str = ""  # "SPF: fail, DKIM: none, DMARC: fail"


def order_tag(number: int) -> str:
    return f"[Заказ №{number}]"


def _thread_order(mail: IncomingMail) -> Order | None:
    """The order an e-mail thread names (only e-mail ids: another channel's message id is
    a short number anyone could type into a header)."""
    ids = [i for i in (mail.in_reply_to, *mail.references) if i]
    if not ids:
        return None
    known = (
        Message.select(Message.order)
        .where(Message.external_id.in_(ids) & Message.order.is_null(False))
        .where(Message.channel == "email")
        .order_by(Message.id.desc())
        .first()
    )
    if known is not None:
        return Order.get_by_id(known.order_id)
    note = (
        Notification.select(Notification.order)
        .where(Notification.external_id.in_(ids) & Notification.order.is_null(False))
        .where(Notification.sent_channel == "email")
        .first()
    )
    return Order.get_by_id(note.order_id) if note is not None else None


def _same(a: str | None, b: str) -> bool:
    return bool(a) and a.strip().lower() == b.strip().lower()


def _tagged_order(mail: IncomingMail) -> Order | None:
    match = TAG.search(mail.subject or "")
    return Order.get_or_none(Order.number == int(match.group(1))) if match else None


def _order_for(mail: IncomingMail, staff: Employee | None) -> Order | None:
    """The thread's or the tag's order, if the sender may write into it."""
    for order in (_thread_order(mail), _tagged_order(mail)):
        if order is not None and (staff is not None or _same(order.client.email, mail.sender)):
            return order
    return None  # a stranger quoting a tag or a Message-ID: unsorted


def _twins(mail: IncomingMail, mailbox: Mailbox | None) -> tuple[Message | None, bool]:
    """(the stored letter to return, whether this is a copy for another mailbox). A letter
    sent to two of the firm's mailboxes (To: one, Cc: the other) is read by both pollers:
    each mailbox keeps its copy, so the members of each see it; the first copy alone
    carries the order and the client (one letter in the order's thread, not two)."""
    if not mail.message_id:
        return None, False
    twins = list(
        Message.select()
        .where((Message.external_id == mail.message_id) & (Message.channel == "email"))
        .order_by(Message.id)
    )
    if not twins:
        return None, False
    if mailbox is None:
        return twins[0], False
    for twin in twins:
        box = Dialogue.get_or_none(Dialogue.id == twin.dialogue_id) if twin.dialogue_id else None
        if box is None or box.mailbox_id == mailbox.id:
            return twin, False
    return None, True


def ingest_mail(
    mail: IncomingMail,
    store: FileStore,
    *,
    max_attachment_bytes: int,
    mailbox: Mailbox | None = None,
) -> Message:
    """File one letter (once per mailbox: a Message-ID this mailbox has returns the stored
    message). A letter whose sender the firm's server failed (SPF/DKIM/DMARC) is nobody's:
    no order, no client, no staff author — it waits in the unsorted list, marked."""
    twin, copy = _twins(mail, mailbox)
    if twin is not None:
        return twin
    sender = mail.sender.strip().lower()
    forged = mail.auth == "fail"
    staff = (
        Employee.get_or_none((pw.fn.LOWER(Employee.email) == sender) & Employee.active)
        if sender and not forged
        else None
    )  # a former employee writes like anyone else
    order = None if forged or copy else _order_for(mail, staff)
    client: Client | None = order.client if order is not None else None
    if client is None and sender and staff is None and not (forged or copy):
        client = Client.get_or_none(pw.fn.LOWER(Client.email) == sender)
    notes = list(mail.skipped)
    text = (mail.text or "").replace("\x00", "")[:MAX_TEXT]
    with database.atomic():
        message = Message.create(
            order=order, client=client, direction="in", channel="email", author=staff,
            subject=(mail.subject or "")[:300], text=text, at=utcnow(),
            external_id=(mail.message_id or None), sender=sender[:300],
            sender_check=mail.auth if mail.auth in ("pass", "fail") else "",
        )  # fmt: skip
        folder = _folder(order, client)
        for raw_name, data, mime in mail.attachments:
            name = clean_file_name(raw_name, "вложение")  # no paths, no bidi tricks
            if len(data) > max_attachment_bytes:
                notes.append(f"{name}: {len(data) // 1024} КБ — больше предела, не сохранено")
                continue
            stored = store.save(folder, name, data, mime)
            Attachment.create(
                kind="file", storage_key=stored.key, original_name=name,
                size=stored.size, content_type=mime[:100], order=order, client=client,
                message=message,
            )  # fmt: skip
        if notes:
            message.text = (text + "\n\n[Вложения не сохранены:\n" + "\n".join(notes) + "]").strip()
            message.save()
        if order is not None:
            Order.update(unread=Order.unread + 1).where(Order.id == order.id).execute()
    return message


def _folder(order: Order | None, client: Client | None) -> str:
    if order is not None:
        return order.folder or f"Заказы/№{order.number}"
    if client is not None:
        return f"Клиенты/{client.id}/Почта"
    return UNSORTED_FOLDER


def unsorted_mail(actor: Actor, limit: int = 100) -> list[Message]:
    """Letters no order claimed, newest first (directors and managers only)."""
    require_role(actor, "director", "manager")
    return list(
        Message.select()
        .where((Message.channel == "email") & (Message.direction == "in") & Message.order.is_null())
        .order_by(Message.id.desc())
        .limit(limit)
    )


def forward_to_order(actor: Actor, message_id: int, order_id: int) -> Message:
    """Put a letter (usually from the unsorted list) into an order, attachments included."""
    require_role(actor, "director", "manager")
    order = require_order(actor, order_id)
    message = Message.get_or_none((Message.id == message_id) & (Message.channel == "email"))
    if message is None:
        raise NotFound("Письмо не найдено.")
    if message.order_id == order.id:
        raise ValidationError(f"Письмо уже в заказе №{order.number}.")
    with database.atomic():
        message.order = order
        message.client = order.client_id
        message.save()
        Attachment.update(order=order, client=order.client_id).where(
            Attachment.message == message.id
        ).execute()
        if not message.is_read:
            Order.update(unread=Order.unread + 1).where(Order.id == order.id).execute()
    return message
