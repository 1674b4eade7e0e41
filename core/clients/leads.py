"""Leads: a person unknown to the firm who writes in through any door (Telegram, Viber,
the web chat, VK, MAX) is kept — a client card marked as a lead with its source, bound to
their messenger account, with a conversation in the inbox assigned to the responsible
manager, who is told at once.

Identity is the one careful part, decided by core.clients.identity: a phone the platform
proves is the sender's own may join the lead to an existing client; a typed phone or a
contact card nobody vouches for never does — the manager confirms it in the inbox
("это клиент …"). A lead has no orders of its own, so until then it sees nothing of
anybody's order."""

from __future__ import annotations

import peewee as pw

from core.access import Actor, require_dialogue, require_role
from core.base.db import database
from core.base.errors import NotFound, ValidationError
from core.base.phones import display_phone, normalize_phone
from core.clients import identity, links
from core.clients.clients import fold_client, index_words
from core.clients.identity import SharedContact
from core.clients.models import Client, MessengerLink
from core.conversations import threads
from core.conversations.inbox import CHANNEL_NAMES
from core.conversations.models import Dialogue, Message, Notification
from core.conversations.outbox import notify_staff
from core.documents.words import quoted
from core.files.models import Attachment
from core.orders import orders
from core.orders.models import Order
from core.people.models import Employee

__all__ = [
    "ORDER_SOURCES",
    "callback_request",
    "client_named",
    "confirm_client",
    "open_lead",
    "order_from_lead",
    "phone_given",
    "responsible",
    "set_name",
]

# A lead's channel to the order's source (the statistics' "откуда заказ").
ORDER_SOURCES = {"web": "site", "telegram": "telegram", "viber": "viber", "vk": "vk",
                 "max": "max", "email": "email"}  # fmt: skip


def responsible() -> Employee | None:
    """Who answers new people: the first active manager, else the director."""
    for role in ("manager", "director"):
        person = (
            Employee.select()
            .where((Employee.role == role) & Employee.active)
            .order_by(Employee.id)
            .first()
        )
        if person is not None:
            return person
    return None


def _dialogue_of(lead: Client) -> Dialogue | None:
    return (
        Dialogue.select()
        .where((Dialogue.kind == "outside") & (Dialogue.client == lead.id))
        .order_by(Dialogue.last_at.desc())
        .first()
    )


def _tell(lead: Client, text: str, key: str) -> None:
    """Once per key: the same phone left twice tells the manager once."""
    if Notification.select().where(Notification.idempotency_key == key).exists():
        return
    dialogue = _dialogue_of(lead)
    person = dialogue.assignee if dialogue and dialogue.assignee_id else responsible()
    if person is not None:
        notify_staff(person, text, key=key)


def open_lead(channel: str, external_id: str, display_name: str = "") -> MessengerLink:
    """A stranger's first word: their card (a lead), the account bound to it and an inbox
    conversation for the responsible manager. The manager is told by what the stranger
    says or leaves first (core.conversations.threads words it "Новое обращение"): one notice, not two."""
    where = CHANNEL_NAMES.get(channel, channel)
    name = " ".join((display_name or "").split())[:200] or f"Новый клиент ({where})"
    try:
        with database.atomic():
            lead = Client.create(name=name, source=channel[:20], is_lead=True)
            index_words(lead)
            link = links.bind_client(channel, external_id, lead, display_name)
            Dialogue.create(channel=channel, contact=str(external_id)[:300], contact_name=name,
                            client=lead, assignee=responsible())  # fmt: skip
    except pw.IntegrityError:
        # The same stranger's first words arrived twice at once: the first one made the lead.
        found = links.find_link(channel, external_id)
        if found is None:
            raise
        return found
    return link


def set_name(lead: Client, name: str) -> Client:
    name = " ".join((name or "").split())
    if not name or len(name) > 100 or not any(ch.isalpha() for ch in name):
        raise ValidationError("Напишите, пожалуйста, как к вам обращаться — имя словами.")
    lead.name = name
    lead.save()
    index_words(lead)
    Dialogue.update(contact_name=name[:200]).where(Dialogue.client == lead.id).execute()
    return lead


def phone_given(lead: Client, contact: SharedContact) -> Client:
    """The lead's phone. A contact the platform proves is the sender's own
    (core.clients.identity) and a client's already: the lead joins that client. Anything
    else (typed, a Viber card, somebody else's card): kept on the lead when nobody has it;
    when a client has it, the manager is asked to confirm — never joined here.
    Returns the client the account now belongs to."""
    phone = normalize_phone(contact.phone)  # a clear Russian sentence when it is not a phone
    with database.atomic():
        known = identity.proven_client(contact, besides=lead.id)
        if known is not None:
            kept = fold_client(known, lead)
            _tell(kept, f"{kept.name} написал(а) в мессенджер и подтвердил(а) номер "
                        f"{display_phone(phone)} — переписка в карточке клиента.",
                  key=f"lead:{lead.id}:joined")  # fmt: skip
            return kept
        return _phone_kept(lead, phone)


def _phone_kept(lead: Client, phone: str) -> Client:
    """A phone nothing proves: on the lead's card, or a question to the manager."""
    known = Client.get_or_none(
        ((Client.phone == phone) | (Client.phone2 == phone)) & (Client.id != lead.id)
    )
    if known is not None:
        note = (
            f"Указал(а) телефон {display_phone(phone)} — такой есть у клиента {quoted(known.name)}."
        )
        lead.notes = "\n".join(n for n in (lead.notes, note) if n)[:4000]
        lead.save()
        _tell(lead, f"{lead.name}: {note} Если это он(а) — нажмите «Это клиент…» "
                    "в переписке во «Входящих».", key=f"lead:{lead.id}:maybe:{known.id}")  # fmt: skip
        return lead
    if lead.phone is None:
        lead.phone = phone
    elif lead.phone != phone:
        lead.phone2 = phone
    lead.save()
    index_words(lead)
    _tell(lead, f"{lead.name} оставил(а) телефон для связи: {display_phone(phone)}.",
          key=f"lead:{lead.id}:phone:{phone}")  # fmt: skip
    return lead


def client_named(raw: str) -> Client:
    """The client a manager names in the inbox: by a phone of theirs or the card's number."""
    raw = (raw or "").strip().lstrip("№")
    found = None
    if raw.isdigit() and len(raw) < 7:
        found = Client.get_or_none((Client.id == int(raw)) & ~Client.is_lead)
    elif raw:
        phone = normalize_phone(raw)
        found = Client.get_or_none(((Client.phone == phone) | (Client.phone2 == phone))
                                   & ~Client.is_lead)  # fmt: skip
    if found is None:
        # Not NotFound: the conversation is there, only the name given is wrong.
        raise ValidationError("Клиент не найден: укажите его телефон или номер карточки.")
    return found


def callback_request(channel: str, external_id: str, phone: str, name: str = "") -> Client:
    """«Перезвоните мне» from the site: the phone (typed, so never linked by itself) and a
    line in the conversation the manager sees. A bad phone writes nothing."""
    normalize_phone(phone)  # refuse before anything is written
    with database.atomic():
        link = links.find_link(channel, external_id)
        if link is not None and link.employee_id is not None:
            raise ValidationError("Это чат сотрудника: звонок заказывают клиенты.")
        if link is None or link.client_id is None:
            link = open_lead(channel, external_id, name)
        client = Client.get_by_id(link.client_id)
        if client.is_lead and name.strip():
            set_name(client, name)
        # A lead is told of once, by the phone below; a known client's request is the notice.
        threads.record_incoming(client.id, f"Прошу перезвонить: {phone.strip()[:40]}",
                                channel=channel, tell=not client.is_lead)  # fmt: skip
        if client.is_lead:
            client = phone_given(client, SharedContact.typed(channel, external_id, phone))
    return client


def confirm_client(actor: Actor, dialogue_id: int, client_id: int) -> Client:
    """The manager says who the lead of this conversation really is: the lead's card, its
    messages, files and messenger accounts join that client."""
    require_role(actor, "manager")
    dialogue = require_dialogue(actor, dialogue_id)
    lead = Client.get_or_none(Client.id == dialogue.client_id) if dialogue.client_id else None
    if lead is None or not lead.is_lead:
        raise ValidationError("Эта переписка уже привязана к клиенту.")
    known = Client.get_or_none(Client.id == client_id)
    if known is None:
        raise NotFound("Клиент не найден.")
    if known.id == lead.id:
        raise ValidationError("Выберите другого клиента.")
    return fold_client(known, lead)


def order_from_lead(actor: Actor, client_id: int, description: str = "", cost: int = 0) -> Order:
    """A lead becomes an order in one step: the order takes the lead's source, the lead's
    loose messages, files and conversations join it, and the card is a client from now on."""
    require_role(actor, "manager")
    lead = Client.get_or_none(Client.id == client_id)
    if lead is None:
        raise NotFound("Клиент не найден.")
    if not lead.is_lead:
        raise ValidationError("Это уже клиент, а не новое обращение: заказ оформляется обычно.")
    if not description.strip():
        first = (
            Message.select()
            .where((Message.client == lead.id) & (Message.direction == "in"))
            .order_by(Message.id)
            .first()
        )
        description = (first.text if first and first.text else "Обращение")[:1000]
    with database.atomic():
        order = orders.create_order(actor, lead.id, description, cost,
                                    source=ORDER_SOURCES.get(lead.source, lead.source))  # fmt: skip
        Message.update(order=order.id).where(
            (Message.client == lead.id) & Message.order.is_null()
        ).execute()
        Dialogue.update(order=order.id).where(
            (Dialogue.client == lead.id) & Dialogue.order.is_null()
        ).execute()
        # The files the lead sent go with their words: the order card lists them.
        Attachment.update(order=order.id).where(
            (Attachment.client == lead.id) & Attachment.order.is_null()
        ).execute()
        Client.update(is_lead=False).where(Client.id == lead.id).execute()
    return Order.get_by_id(order.id)
