"""Inside the team: internal notes with @mentions, a common room and direct messages.

Nothing here reaches a client. A note is a Message on channel "note" (on an order, on a
conversation, or both); a staff-chat message is a Message on channel "staff" in a staff
Dialogue: the common room (contact "room") or a pair ("dm:3:7"). Who is told: the other
person of a direct chat, and everyone @mentioned — through the outbox, so their messenger
or, for web-chat-only staff, the web chat shows it."""

from __future__ import annotations

import re

import peewee as pw
from peewee import fn

from core.access import Actor, require_dialogue, require_order, require_order_write
from core.base.db import database
from core.base.errors import ValidationError
from core.clients.search import fold
from core.conversations import outbox
from core.conversations.models import Dialogue, DialogueSeen, Message
from core.conversations.threads import clean_text
from core.orders.models import Order
from core.people.models import Employee

__all__ = [
    "add_note",
    "direct",
    "find_colleague",
    "history",
    "mentioned",
    "post",
    "room",
    "rooms_of",
    "unread_count",
]

ROOM = "room"
UNREAD_CAP = 100  # per room: the number is a nudge, not a tally
_MENTION = re.compile(r"@([0-9A-Za-zА-Яа-яЁё_.-]{2,40})")


def _colleagues() -> pw.ModelSelect:
    return Employee.select().where(Employee.active & ~Employee.is_external)


def find_colleague(word: str) -> list[Employee]:
    """Colleagues a word names: a login, a first name in any case form it starts
    ("Марии" → Мария), or a full first word of the name."""
    key = fold(word).strip(" .,:;!?")
    if len(key) < 2:
        return []
    found = []
    for person in _colleagues():
        first = fold(person.name.split()[0]) if person.name.split() else ""
        stem = first[:-1] if len(first) > 3 else first  # Мария / Марии / Марию
        if (
            key == fold(person.login or "")
            or key == first
            or (stem and key.startswith(stem) and len(key) - len(stem) <= 2)
        ):
            found.append(person)
    return found


def mentioned(text: str) -> list[Employee]:
    people: dict[int, Employee] = {}
    for word in _MENTION.findall(text or ""):
        for person in find_colleague(word):
            people.setdefault(person.id, person)
    return list(people.values())


def _tell(
    people: list[Employee], actor: Actor, message: Message, what: str, order: Order | None
) -> None:
    for person in people:
        if person.id == actor.employee_id:
            continue
        text = f"{actor.name} {what}: «{message.text[:500]}»"
        buttons = [[("Открыть заказ", f"order:{order.number}")]] if order is not None else None
        outbox.notify_staff(person, text, key=f"staff:{message.id}:{person.id}", order=order,
                            buttons=buttons)  # fmt: skip


def add_note(
    actor: Actor, text: str, *, order_id: int | None = None, dialogue_id: int | None = None
) -> Message:
    """An internal note on an order or a conversation; @mentioned colleagues are told."""
    if actor.kind != "employee":
        raise ValidationError("Заметки пишут только сотрудники.")
    text = clean_text(text)
    dialogue = require_dialogue(actor, dialogue_id) if dialogue_id else None
    order = None
    if order_id or (dialogue is not None and dialogue.order_id):
        order = require_order(actor, order_id or dialogue.order_id)
        require_order_write(actor, order)
    if order is None and dialogue is None:
        raise ValidationError("Заметку нужно оставить к заказу или переписке.")
    with database.atomic():
        message = Message.create(
            order=order.id if order else None, client=order.client_id if order else None,
            direction="out", channel="note", author=actor.employee_id, text=text, is_read=True,
            dialogue=dialogue.id if dialogue else None,
        )  # fmt: skip
        where = f"в заметке к заказу №{order.number}" if order else "в заметке к переписке"
        _tell(mentioned(text), actor, message, f"упомянул(а) вас {where}", order)
    return message


# --- Staff chat -----------------------------------------------------------------------


def room() -> Dialogue:
    found = Dialogue.get_or_none((Dialogue.kind == "staff") & (Dialogue.contact == ROOM))
    return found or Dialogue.create(
        kind="staff", channel="staff", contact=ROOM, subject="Общий чат"
    )


def direct(actor: Actor, other_id: int) -> Dialogue:
    """The direct chat of the actor and a colleague (made on first use)."""
    other = _colleagues().where(Employee.id == other_id).first()
    if other is None or actor.employee_id is None or other.id == actor.employee_id:
        raise ValidationError("Выберите коллегу.")
    a, b = sorted((actor.employee_id, other.id))
    key = f"dm:{a}:{b}"
    found = Dialogue.get_or_none((Dialogue.kind == "staff") & (Dialogue.contact == key))
    return found or Dialogue.create(kind="staff", channel="staff", contact=key, subject="")


def post(actor: Actor, dialogue_id: int, text: str) -> Message:
    """A message in the common room or a direct chat."""
    dialogue = require_dialogue(actor, dialogue_id)
    if dialogue.kind != "staff":
        raise ValidationError("Это не чат сотрудников.")
    text = clean_text(text)
    with database.atomic():
        message = Message.create(direction="out", channel="staff", author=actor.employee_id,
                                 text=text, is_read=True, dialogue=dialogue)  # fmt: skip
        Dialogue.update(last_at=message.at, last_text=" ".join(text.split())[:300]).where(
            Dialogue.id == dialogue.id
        ).execute()
        _seen(actor, dialogue.id, message.id)
        people = mentioned(text)
        if dialogue.contact != ROOM:
            ids = {int(i) for i in dialogue.contact.removeprefix("dm:").split(":")}
            people += [
                p for p in _colleagues().where(Employee.id.in_(sorted(ids))) if p not in people
            ]
            _tell(people, actor, message, "пишет вам", None)
        else:
            _tell(people, actor, message, "упомянул(а) вас в общем чате", None)
    return message


def _seen(actor: Actor, dialogue_id: int, message_id: int) -> None:
    row = DialogueSeen.get_or_none(
        (DialogueSeen.dialogue == dialogue_id) & (DialogueSeen.employee == actor.employee_id)
    )
    if row is None:
        DialogueSeen.create(
            dialogue=dialogue_id, employee=actor.employee_id, last_message_id=message_id
        )
    elif row.last_message_id < message_id:
        row.last_message_id = message_id
        row.save()


def history(actor: Actor, dialogue_id: int, limit: int = 200) -> tuple[Dialogue, list[Message]]:
    """The chat's latest messages, oldest first; reading it marks it read."""
    dialogue = require_dialogue(actor, dialogue_id)
    rows = list(
        Message.select(Message, Employee)
        .join(Employee, pw.JOIN.LEFT_OUTER, on=(Message.author == Employee.id))
        .where(Message.dialogue == dialogue.id)
        .order_by(Message.id.desc())
        .limit(limit)
    )[::-1]
    if rows and actor.employee_id:
        _seen(actor, dialogue.id, rows[-1].id)
    return dialogue, rows


def _mine(actor: Actor) -> pw.Expression:
    me = str(actor.employee_id)
    # channel "staff" too: the (channel, …) indexes find the few staff chats among a
    # firm's many conversations with clients; kind alone would read them all.
    return (
        (Dialogue.channel == "staff")
        & (Dialogue.kind == "staff")
        & (
            (Dialogue.contact == ROOM)
            | Dialogue.contact.startswith(f"dm:{me}:")
            | Dialogue.contact.endswith(f":{me}")
        )
    )


def rooms_of(actor: Actor) -> list[tuple[Dialogue, str, int]]:
    """(chat, its title for this person, unread) — the common room first, then every colleague."""
    if actor.kind != "employee":
        return []
    common = room()
    chats = {d.contact: d for d in Dialogue.select().where(_mine(actor))}
    unread = _unread_by_room(actor)
    result = [(common, "Общий чат", unread.get(common.id, 0))]
    for person in _colleagues().where(Employee.id != actor.employee_id).order_by(Employee.name):
        a, b = sorted((actor.employee_id, person.id))
        chat = chats.get(f"dm:{a}:{b}")
        result.append((chat or Dialogue(id=None, kind="staff", contact=f"dm:{a}:{b}"), person.name,
                       unread.get(chat.id, 0) if chat else 0))  # fmt: skip
    return result


def _unread_by_room(actor: Actor) -> dict[int, int]:
    """Unread messages per staff room of the actor, in one query (the header asks on every
    page; a query per room made a firm with many colleagues pay per colleague). A room
    counts at most UNREAD_CAP: the number is a nudge, not a tally."""
    seen = DialogueSeen.alias()
    rows = (
        Message.select(Message.dialogue, fn.COUNT(Message.id))
        .join(Dialogue, on=(Message.dialogue == Dialogue.id))
        .join(
            seen,
            pw.JOIN.LEFT_OUTER,
            on=((seen.dialogue == Dialogue.id) & (seen.employee == actor.employee_id)),
        )
        .where(
            _mine(actor)
            & (Message.id > fn.COALESCE(seen.last_message_id, 0))
            & (Message.author != actor.employee_id)
        )
        .group_by(Message.dialogue)
        .tuples()
    )
    return {room_id: min(count, UNREAD_CAP) for room_id, count in rows}


def unread_count(actor: Actor) -> int:
    """Staff-chat messages the actor has not read yet (the admin's header counter)."""
    if actor.kind != "employee":
        return 0
    return sum(_unread_by_room(actor).values())
