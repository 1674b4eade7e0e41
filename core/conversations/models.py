"""Everything said: the outbox and its attempts, mailboxes, conversations and their messages, templates, bot dialog state."""

from __future__ import annotations

import peewee as pw

from core.base.clock import utcnow
from core.base.models import BaseModel, JSONField
from core.clients.models import Client
from core.orders.models import Order
from core.people.models import Employee


class Notification(BaseModel):
    """The outbox: written in the transaction of the change it announces, delivered later."""

    audience = pw.CharField(max_length=8, default="client")  # client | staff
    client = pw.ForeignKeyField(Client, null=True, on_delete="CASCADE")
    employee = pw.ForeignKeyField(Employee, null=True, on_delete="CASCADE")
    order = pw.ForeignKeyField(Order, null=True, on_delete="CASCADE")
    template_code = pw.CharField(max_length=64, null=True)
    subject = pw.CharField(max_length=300, default="")
    text = pw.TextField()
    buttons = JSONField(default=list)  # rows of [label, payload]
    attachments = JSONField(default=list)  # storage keys
    channel = pw.CharField(max_length=16, null=True)  # forced channel, else the fallback order
    kind = pw.CharField(max_length=16, default="")  # "mailing" for bulk mailings, else ""
    status = pw.CharField(max_length=12, default="pending")  # pending|sending|sent|failed|cancelled
    attempts = pw.IntegerField(default=0)
    next_attempt_at = pw.DateTimeField(default=utcnow)
    claimed_at = pw.DateTimeField(null=True)
    claimed_by = pw.CharField(max_length=64, null=True)
    sent_at = pw.DateTimeField(null=True)
    sent_channel = pw.CharField(max_length=16, null=True)
    external_id = pw.CharField(max_length=200, null=True)
    seen_at = pw.DateTimeField(null=True)
    last_error = pw.TextField(default="")
    failed_channels = JSONField(default=list)  # channels with a permanent error for this message
    address = pw.CharField(max_length=300, null=True)  # a forced address (a stranger's e-mail)
    headers = JSONField(default=dict)  # e-mail threading headers, X-Brigadir-Mailbox
    idempotency_key = pw.CharField(max_length=200, unique=True)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("status", "next_attempt_at"), False),)


class DeliveryAttempt(BaseModel):
    notification = pw.ForeignKeyField(Notification, backref="tries", on_delete="CASCADE")
    at = pw.DateTimeField(default=utcnow)
    channel = pw.CharField(max_length=16)
    ok = pw.BooleanField()
    error = pw.TextField(default="")
    external_id = pw.CharField(max_length=200, null=True)


class Mailbox(BaseModel):
    """One of the firm's mailboxes. Connection details and passwords stay in the config
    ([imap]/[smtp] is "main", [[mailboxes]] the others); who may read it is data here."""

    code = pw.CharField(max_length=32, unique=True)
    name = pw.CharField(max_length=100)
    address = pw.CharField(max_length=200, default="")
    active = pw.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class MailboxMember(BaseModel):
    """A manager who may read a mailbox (the director reads every one)."""

    mailbox = pw.ForeignKeyField(Mailbox, backref="members", on_delete="CASCADE")
    employee = pw.ForeignKeyField(Employee, backref="mailboxes", on_delete="CASCADE")

    class Meta:
        indexes = ((("mailbox", "employee"), True), (("employee", "mailbox"), False))


class Dialogue(BaseModel):
    """One conversation in the inbox: a letter thread of a mailbox, a client's or a
    stranger's chat on one channel, or a staff room. Named so beside `Conversation`,
    which is the bots' dialog *state* (flow and step), not correspondence."""

    kind = pw.CharField(max_length=8, default="outside")  # outside (clients, strangers) | staff
    channel = pw.CharField(max_length=16)  # email|telegram|viber|web|sms|vk|… or staff
    mailbox = pw.ForeignKeyField(Mailbox, null=True, backref="dialogues", on_delete="SET NULL")
    contact = pw.CharField(max_length=300, default="")  # e-mail address / messenger id / room key
    contact_name = pw.CharField(max_length=200, default="")
    client = pw.ForeignKeyField(Client, null=True, backref="dialogues", on_delete="SET NULL")
    order = pw.ForeignKeyField(Order, null=True, backref="dialogues", on_delete="SET NULL")
    subject = pw.CharField(max_length=300, default="")
    status = pw.CharField(max_length=8, default="open")  # open | closed | spam
    assignee = pw.ForeignKeyField(Employee, null=True, backref="dialogues", on_delete="SET NULL")
    unread = pw.IntegerField(default=0)  # messages from outside nobody has opened yet
    last_at = pw.DateTimeField(default=utcnow)
    last_text = pw.CharField(max_length=300, default="")
    search_text = pw.TextField(default="")  # folded words of subject, sender, messages (capped)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        # The inbox list is "newest first" under one filter: an index per filter ending in
        # last_at keeps every tab a range scan however many letters there are.
        indexes = (
            (("kind", "status", "last_at"), False),
            (("mailbox", "status", "last_at"), False),
            (("assignee", "status", "last_at"), False),
            (("channel", "status", "last_at"), False),
            (("channel", "contact"), False),
            (("client", "last_at"), False),
        )


# "Only unread": a partial index holds just the unread conversations, newest first.
Dialogue.add_index(
    Dialogue.index(
        Dialogue.status, Dialogue.last_at, name="dialogue_unread", where=Dialogue.unread > 0
    )
)


class DialogueSeen(BaseModel):
    """How far a staff member has read a staff room (staff chat unread counts)."""

    dialogue = pw.ForeignKeyField(Dialogue, on_delete="CASCADE")
    employee = pw.ForeignKeyField(Employee, on_delete="CASCADE")
    last_message_id = pw.BigIntegerField(default=0)

    class Meta:
        indexes = ((("employee", "dialogue"), True),)


class Message(BaseModel):
    """Correspondence of an order (or of a client before it has an order)."""

    order = pw.ForeignKeyField(Order, null=True, backref="messages", on_delete="CASCADE")
    client = pw.ForeignKeyField(Client, null=True, backref="messages", on_delete="CASCADE")
    direction = pw.CharField(max_length=4)  # in | out
    channel = pw.CharField(max_length=16)  # telegram|viber|email|sms|web|note
    author = pw.ForeignKeyField(Employee, null=True, on_delete="SET NULL")
    subject = pw.CharField(max_length=300, default="")
    text = pw.TextField(default="")
    at = pw.DateTimeField(default=utcnow)
    is_read = pw.BooleanField(default=False)
    external_id = pw.CharField(max_length=300, null=True, index=True)  # e-mail Message-ID etc.
    notification = pw.ForeignKeyField(Notification, null=True, on_delete="SET NULL")
    sender = pw.CharField(max_length=300, default="")  # e-mail From: of an incoming letter
    dialogue = pw.ForeignKeyField(Dialogue, null=True, backref="messages", on_delete="SET NULL")
    html = pw.TextField(default="")  # a letter's HTML as received; made safe when shown
    refs = pw.TextField(default="")  # a letter's References chain, for replies that thread
    # What the firm's mail server found of an incoming letter's sender (SPF/DKIM/DMARC):
    # pass | fail | "" — nothing recorded, the sender is not verified.
    sender_check = pw.CharField(max_length=8, default="")

    class Meta:
        indexes = (
            (("order", "at"), False),
            (("client", "at"), False),
            (("dialogue", "id"), False),
        )


class Template(BaseModel):
    """A message template per code (usually a stage's) and channel ("any" = every channel)."""

    code = pw.CharField(max_length=64)
    channel = pw.CharField(max_length=16, default="any")
    name = pw.CharField(max_length=200, default="")
    subject = pw.CharField(max_length=300, default="")
    body = pw.TextField()
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("code", "channel"), True),)


class Conversation(BaseModel):
    """Where a person is in a dialog; in the database so a restart loses nothing."""

    channel = pw.CharField(max_length=16)
    external_id = pw.CharField(max_length=100)
    flow = pw.CharField(max_length=32, default="")
    step = pw.CharField(max_length=32, default="")
    data = JSONField(default=dict)
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("channel", "external_id"), True),)
