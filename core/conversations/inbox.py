"""The inbox: every conversation with the outside world in one list.

A letter joins the conversation of the letter it answers (In-Reply-To / References), else
the open conversation of the same mailbox, sender and subject, else a new one. A messenger
or web-chat message joins the conversation of its channel and client (or, for a stranger,
of its channel and contact id). The conversation carries the unread count, who it is
assigned to, its client and order, and open / closed / spam; every list and action asks
core.access which conversations the actor may see.

Which *order* a letter belongs to stays core.conversations.mailbox's decision; this module only files
the stored message into a conversation, in the same transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass

import peewee as pw

from core.access import (
    Actor,
    actor_for_employee,
    can_see_dialogue,
    require_dialogue,
    require_order,
    require_role,
    visible_dialogue_filter,
)
from core.base.clock import utcnow
from core.base.db import database
from core.base.errors import NotFound, ValidationError
from core.clients import search
from core.clients.models import Client
from core.conversations.models import Dialogue, Mailbox, Message
from core.people.models import Employee

__all__ = [
    "InboxFilter",
    "assign",
    "file_chat",
    "file_letter",
    "inbox_page",
    "inbox_query",
    "letter_of",
    "link_order",
    "messages_of",
    "open_dialogue",
    "set_status",
    "unread_total",
]

STATUSES = {"open": "Открыт", "closed": "Закрыт", "spam": "Спам"}
CHANNEL_NAMES = {"email": "Почта", "telegram": "Telegram", "viber": "Viber", "web": "Веб-чат",
                 "sms": "SMS", "vk": "ВКонтакте", "max": "MAX", "phone": "Телефон"}  # fmt: skip
_PREFIX = re.compile(r"^\s*((re|fw|fwd|ответ|пересл|на)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
PAGE = 50
SEARCH_CAP = 20_000
# The list never shows the search words; leaving them out keeps a page's rows small.
LIST_FIELDS = [f for f in Dialogue._meta.sorted_fields if f.name != "search_text"]


# "unread > 0" spelled as SQL text, not a bound parameter: SQLite uses the partial index
# dialogue_unread only when the query's condition is literally the index's one; with
# "unread > ?" the header counter on every page read all open conversations.
UNREAD = Dialogue.unread > pw.SQL("0")


def normalize_subject(subject: str) -> str:
    """ "Re: Fwd: Макет" and "макет" are one thread's subject."""
    return _PREFIX.sub("", subject or "").strip().lower()


def _snippet(text: str) -> str:
    return " ".join((text or "").split())[:300]


def _index(dialogue: Dialogue, *texts: str) -> None:
    known = set(dialogue.search_text.split())
    new = [w for w in search.words(*texts) if w not in known]
    if new:
        dialogue.search_text = (dialogue.search_text + " " + " ".join(new)).strip()[:SEARCH_CAP]


def _touch(dialogue: Dialogue, message: Message) -> None:
    """The conversation moves up the list; a new message from outside reopens it (not spam)."""
    _index(dialogue, dialogue.subject, dialogue.contact, dialogue.contact_name,
           (message.text or "")[:5000])  # fmt: skip
    dialogue.last_at = message.at or utcnow()
    dialogue.last_text = _snippet(message.text or message.subject)
    if message.direction == "in":
        dialogue.unread += 0 if message.is_read else 1
        if dialogue.status == "closed":
            dialogue.status = "open"
    if dialogue.client_id is None and message.client_id:
        dialogue.client = message.client_id
    if dialogue.order_id is None and message.order_id:
        dialogue.order = message.order_id
    dialogue.save()
    message.dialogue = dialogue
    message.save()


def file_letter(
    message: Message,
    mailbox: Mailbox | None,
    *,
    html: str = "",
    refs: tuple[str, ...] = (),
    in_reply_to: str = "",
    contact_name: str = "",
) -> Dialogue:
    """Put a stored letter into its conversation of this mailbox (once: a filed letter keeps
    its place). A letter whose sender failed the server's checks joins no thread: it starts
    a conversation of its own, so a forged reply does not read as the client's."""
    if message.dialogue_id is not None:
        return Dialogue.get_by_id(message.dialogue_id)
    with database.atomic():
        message.html = html or ""
        message.refs = " ".join(refs)[:10_000]
        dialogue = None
        original = _original_of(message)  # this letter reached another mailbox of ours too
        if message.sender_check != "fail":
            # A copy keeps to its own mailbox's conversations, so that mailbox's people see it.
            within = (mailbox.id if mailbox else None) if original else ANY
            dialogue = _thread_dialogue(within, in_reply_to, refs) or _same_subject(
                mailbox, message
            )
        if dialogue is None:
            about = original or message  # another mailbox's copy: the same client and order
            dialogue = Dialogue.create(
                channel="email", mailbox=mailbox, contact=message.sender[:300],
                contact_name=contact_name[:200], subject=(message.subject or "")[:300],
                client=about.client_id, order=about.order_id, last_at=message.at,
            )  # fmt: skip
        _touch(dialogue, message)
    return dialogue


def _original_of(message: Message) -> Message | None:
    """The first copy of a letter that reached several of the firm's mailboxes."""
    if not message.external_id or message.client_id or message.order_id:
        return None
    return (
        Message.select()
        .where(
            (Message.external_id == message.external_id)
            & (Message.channel == "email")
            & (Message.id != message.id)
        )  # fmt: skip
        .order_by(Message.id)
        .first()
    )


ANY = object()  # _thread_dialogue: a conversation of any mailbox


def _thread_dialogue(within: object, in_reply_to: str, refs: tuple[str, ...]) -> Dialogue | None:
    """The conversation holding a letter this one answers (within: that mailbox's id only)."""
    ids = [i for i in (in_reply_to, *refs) if i]
    if not ids:
        return None
    known = (
        Message.select(Message.dialogue)
        .join(Dialogue, on=Message.dialogue == Dialogue.id)
        .where(Message.external_id.in_(ids) & Message.dialogue.is_null(False))
        .order_by(Message.id.desc())
    )
    if within is not ANY:
        known = known.where(Dialogue.mailbox == within)
    known = known.first()
    return Dialogue.get_by_id(known.dialogue_id) if known is not None else None


def _same_subject(mailbox: Mailbox | None, message: Message) -> Dialogue | None:
    subject = normalize_subject(message.subject)
    if not subject or not message.sender:
        return None
    candidates = (
        Dialogue.select()
        .where(
            (Dialogue.channel == "email")
            & (Dialogue.mailbox == (mailbox.id if mailbox else None))
            & (Dialogue.contact == message.sender)
            & (Dialogue.status != "spam")
        )
        .order_by(Dialogue.last_at.desc())
        .limit(20)
    )
    return next((d for d in candidates if normalize_subject(d.subject) == subject), None)


def file_chat(
    message: Message, *, channel: str, contact: str = "", contact_name: str = ""
) -> Dialogue:
    """Put a stored messenger / web-chat message into the conversation of its channel and
    client (a stranger: of its contact id). Any channel: the inbox does not list them."""
    if message.dialogue_id is not None:
        return Dialogue.get_by_id(message.dialogue_id)
    where = (Dialogue.kind == "outside") & (Dialogue.channel == channel)
    if message.client_id:
        where &= Dialogue.client == message.client_id
    elif contact:
        where &= Dialogue.contact == contact
    else:
        raise ValidationError("Не понять, от кого сообщение.")
    with database.atomic():
        dialogue = Dialogue.select().where(where).order_by(Dialogue.last_at.desc()).first()
        if dialogue is None:
            name = contact_name
            if not name and message.client_id:
                name = Client.get_by_id(message.client_id).name
            dialogue = Dialogue.create(
                channel=channel, contact=contact[:300], contact_name=name[:200],
                client=message.client_id, order=message.order_id, last_at=message.at,
            )  # fmt: skip
        elif message.order_id and dialogue.order_id != message.order_id:
            dialogue.order = message.order_id  # the latest order the client wrote about
        _touch(dialogue, message)
    return dialogue


# --- The list -------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxFilter:
    status: str = "open"  # open | closed | spam
    mailbox_id: int | None = None
    channel: str = ""
    assignee_id: int | None = None  # 0: nobody's
    unread: bool = False
    query: str = ""
    before: tuple[str, int] | None = None  # keyset paging: (last_at iso, id) of the last row


def inbox_query(actor: Actor, flt: InboxFilter) -> pw.ModelSelect:
    """Conversations the actor may see under the filter, newest first."""
    require_role(actor, "manager")
    query = Dialogue.select(*LIST_FIELDS).where(
        (Dialogue.kind == "outside") & (Dialogue.status == (flt.status or "open"))
    )
    clause = visible_dialogue_filter(actor)
    if clause is not None:
        query = query.where(clause)
    if flt.mailbox_id:
        query = query.where(Dialogue.mailbox == flt.mailbox_id)
    if flt.channel:
        query = query.where(Dialogue.channel == flt.channel)
    if flt.assignee_id is not None:
        query = query.where(
            Dialogue.assignee.is_null()
            if flt.assignee_id == 0
            else Dialogue.assignee == flt.assignee_id
        )
    if flt.unread:
        query = query.where(UNREAD)
    for word in search.words(flt.query)[:5]:  # every word, anywhere in the conversation
        query = query.where(Dialogue.search_text.contains(word))
    return query.order_by(Dialogue.last_at.desc(), Dialogue.id.desc())


def inbox_page(actor: Actor, flt: InboxFilter, limit: int = PAGE) -> list[Dialogue]:
    """One page of the list; the client's name comes in the same query (one LEFT JOIN)."""
    query = inbox_query(actor, flt).select_extend(Client.id, Client.name)
    query = query.join(Client, pw.JOIN.LEFT_OUTER, on=(Dialogue.client == Client.id))
    return list(query.limit(limit))


def unread_total(actor: Actor) -> int:
    """Unread conversations the actor may see (the header counter), capped for speed."""
    if not actor.is_staff_office:
        return 0
    query = Dialogue.select(Dialogue.id).where(
        (Dialogue.kind == "outside") & (Dialogue.status == "open") & UNREAD
    )
    clause = visible_dialogue_filter(actor)
    if clause is not None:
        query = query.where(clause)
    return query.limit(100).count()


# --- One conversation -----------------------------------------------------------------


def messages_of(actor: Actor, dialogue_id: int) -> tuple[Dialogue, list[Message]]:
    dialogue = require_dialogue(actor, dialogue_id)
    rows = list(
        Message.select().where(Message.dialogue == dialogue.id).order_by(Message.at, Message.id)
    )
    return dialogue, rows


def open_dialogue(actor: Actor, dialogue_id: int) -> tuple[Dialogue, list[Message]]:
    """Read a conversation: its messages, and it stops being unread."""
    dialogue, rows = messages_of(actor, dialogue_id)
    if dialogue.unread:
        with database.atomic():
            Message.update(is_read=True).where(
                (Message.dialogue == dialogue.id) & (Message.direction == "in") & ~Message.is_read
            ).execute()
            Dialogue.update(unread=0).where(Dialogue.id == dialogue.id).execute()
        dialogue.unread = 0
    return dialogue, rows


def assign(actor: Actor, dialogue_id: int, employee_id: int | None) -> Dialogue:
    require_role(actor, "manager")
    dialogue = require_dialogue(actor, dialogue_id)
    if employee_id is not None:
        person = Employee.get_or_none(Employee.id == employee_id)
        if person is None or not person.active or person.role not in ("director", "manager"):
            raise ValidationError("Назначить переписку можно только директору или менеджеру.")
        if not can_see_dialogue(actor_for_employee(person), dialogue):
            raise ValidationError(f"У сотрудника {person.name} нет доступа к этому ящику.")
    dialogue.assignee = employee_id
    dialogue.save()
    return dialogue


def set_status(actor: Actor, dialogue_id: int, status: str) -> Dialogue:
    """Close, reopen or mark as spam (a spam conversation stays spam when more arrives)."""
    require_role(actor, "manager")
    if status not in STATUSES:
        raise ValidationError("Неизвестное состояние переписки.")
    dialogue = require_dialogue(actor, dialogue_id)
    with database.atomic():
        dialogue.status = status
        if status != "open":
            dialogue.unread = 0
            Message.update(is_read=True).where(
                (Message.dialogue == dialogue.id) & ~Message.is_read
            ).execute()
        dialogue.save()
    return dialogue


def link_order(actor: Actor, dialogue_id: int, order_id: int) -> Dialogue:
    """Tie a conversation to an order (and so to its client)."""
    require_role(actor, "manager")
    dialogue = require_dialogue(actor, dialogue_id)
    order = require_order(actor, order_id)
    dialogue.order, dialogue.client = order.id, order.client_id
    dialogue.save()
    return dialogue


def letter_of(actor: Actor, message_id: int) -> tuple[Message, Dialogue]:
    """One letter the actor may read (404 for any other)."""
    message = Message.get_or_none(Message.id == message_id)
    if message is None or message.dialogue_id is None:
        raise NotFound("Письмо не найдено.")
    return message, require_dialogue(actor, message.dialogue_id)
