"""The schema: one set of peewee models for both firms.

Figures that lists sort or filter by (a client's debt, an order's paid sum, a stage's
order count) are kept current in the same transaction as the change that moves them,
so list pages stay flat in cost however many orders there are.
"""

from __future__ import annotations

import json
from typing import Any

import peewee as pw

from core.clock import utcnow
from core.db import database

__all__ = [
    "ALL_MODELS",
    "Account",
    "Attachment",
    "BaseModel",
    "Bonus",
    "CashMovement",
    "LedgerTotal",
    "Client",
    "ClientWord",
    "Conversation",
    "Crew",
    "DeliveryAttempt",
    "Dialogue",
    "DialogueSeen",
    "Document",
    "DuplicateReceipt",
    "Employee",
    "ExpenseCategory",
    "FolderShare",
    "FileLink",
    "FiscalReceipt",
    "Invite",
    "LoginFailure",
    "RateCount",
    "Mailbox",
    "MailboxMember",
    "MessengerLink",
    "Message",
    "Notification",
    "OnlinePayment",
    "Order",
    "Payment",
    "PortalCode",
    "PortalSession",
    "Pipeline",
    "ProcessedUpdate",
    "Sequence",
    "Setting",
    "Stage",
    "StageMove",
    "StaffSession",
    "Task",
    "Template",
    "Visit",
]

ROLES = ("director", "manager", "executor")
ROLE_NAMES = {"director": "Директор", "manager": "Менеджер", "executor": "Исполнитель"}


class JSONField(pw.TextField):
    """JSON in a text column: the same on SQLite and PostgreSQL."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


class BaseModel(pw.Model):
    class Meta:
        database = database
        legacy_table_names = False


class Setting(BaseModel):
    """Settings the director edits at runtime (requisites, object types, custom fields...)."""

    key = pw.CharField(primary_key=True, max_length=64)
    value = JSONField(null=True)


class Sequence(BaseModel):
    """Gap-free counters (order numbers, document numbers per type and year)."""

    name = pw.CharField(primary_key=True, max_length=64)
    value = pw.BigIntegerField(default=0)


class Crew(BaseModel):
    name = pw.CharField(max_length=100, unique=True)
    active = pw.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class Employee(BaseModel):
    """Staff and subcontractors. A subcontractor is an executor flagged external."""

    name = pw.CharField(max_length=200)
    role = pw.CharField(max_length=16, default="executor", index=True)  # director|manager|executor
    position = pw.CharField(max_length=100, default="")  # free words: курьер, монтажник, дизайнер
    crew = pw.ForeignKeyField(Crew, null=True, backref="members", on_delete="SET NULL")
    phone = pw.CharField(max_length=20, null=True)
    email = pw.CharField(max_length=200, null=True)
    is_external = pw.BooleanField(default=False)  # перезаказ / подрядчик
    contacts = pw.TextField(default="")  # subcontractor's contact person, site, terms
    login = pw.CharField(max_length=100, null=True, unique=True)
    password_hash = pw.CharField(max_length=255, null=True)
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)

    def __str__(self) -> str:
        return self.name


class Client(BaseModel):
    name = pw.CharField(max_length=300)
    kind = pw.CharField(max_length=10, default="person")  # person | company
    phone = pw.CharField(max_length=20, null=True, unique=True)  # E.164
    phone2 = pw.CharField(max_length=20, null=True, index=True)
    email = pw.CharField(max_length=200, null=True, index=True)
    address = pw.CharField(max_length=500, default="")
    inn = pw.CharField(max_length=12, default="")
    kpp = pw.CharField(max_length=9, default="")
    requisites = pw.TextField(default="")  # bank details etc. for invoices
    notes = pw.TextField(default="")
    opt_out = pw.BooleanField(default=False)  # no bulk messages
    portal_login = pw.CharField(max_length=100, null=True, unique=True)
    portal_password_hash = pw.CharField(max_length=255, null=True)
    created_at = pw.DateTimeField(default=utcnow)
    # Kept current by core use cases in the transaction that changes them.
    orders_count = pw.IntegerField(default=0)
    orders_total = pw.BigIntegerField(default=0)  # kopecks
    paid_total = pw.BigIntegerField(default=0)
    debt = pw.BigIntegerField(default=0, index=True)
    last_order_at = pw.DateTimeField(null=True, index=True)
    # Where the person first came from (telegram, viber, web, vk, max, …) and whether they
    # are still a lead: someone who wrote in and has no order yet (core.leads).
    source = pw.CharField(max_length=20, default="")
    is_lead = pw.BooleanField(default=False, index=True)

    def __str__(self) -> str:
        return self.name


class ClientWord(BaseModel):
    """Folded words of a client's name, phones and e-mail: prefix search by index range."""

    client = pw.ForeignKeyField(Client, backref="words", on_delete="CASCADE")
    word = pw.CharField(max_length=100, index=True)

    class Meta:
        indexes = ((("client", "word"), True),)


class Pipeline(BaseModel):
    code = pw.CharField(max_length=32, unique=True)
    name = pw.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class Stage(BaseModel):
    """One status/stage of a pipeline: data, not code."""

    pipeline = pw.ForeignKeyField(Pipeline, backref="stages", on_delete="CASCADE")
    code = pw.CharField(max_length=32)
    name = pw.CharField(max_length=100)
    position = pw.IntegerField()
    responsible_role = pw.CharField(max_length=16, null=True)
    notify_client = pw.BooleanField(default=False)
    template_code = pw.CharField(max_length=64, null=True)
    is_archive = pw.BooleanField(default=False)
    order_count = pw.IntegerField(default=0)  # for tabs without COUNT(*)
    # The person who answers for the stage: shown on the card, told when an order arrives.
    responsible = pw.ForeignKeyField(Employee, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("pipeline", "code"), True), (("pipeline", "position"), True))

    def __str__(self) -> str:
        return self.name


class Order(BaseModel):
    number = pw.IntegerField(unique=True)
    pipeline = pw.ForeignKeyField(Pipeline, on_delete="RESTRICT")
    stage = pw.ForeignKeyField(Stage, on_delete="RESTRICT")
    client = pw.ForeignKeyField(Client, backref="orders", on_delete="RESTRICT")
    description = pw.TextField()
    cost = pw.BigIntegerField(default=0)  # kopecks
    paid = pw.BigIntegerField(default=0)
    debt = pw.BigIntegerField(default=0)
    manager = pw.ForeignKeyField(Employee, null=True, backref="orders_taken", on_delete="SET NULL")
    executor = pw.ForeignKeyField(Employee, null=True, backref="tasks", on_delete="SET NULL")
    crew = pw.ForeignKeyField(Crew, null=True, backref="orders", on_delete="SET NULL")
    subcontractor = pw.ForeignKeyField(
        Employee, null=True, backref="subcontracted", on_delete="SET NULL"
    )
    subcontract_received = pw.BooleanField(default=False)
    due_date = pw.DateField(null=True, index=True)
    visit_at = pw.DateTimeField(null=True, index=True)  # inspection visit or booked 2-hour slot
    install_date = pw.DateField(null=True)
    object_address = pw.CharField(max_length=500, default="")
    object_type = pw.CharField(max_length=100, default="")
    object_note = pw.TextField(default="")  # free text for non-typical objects
    documents_received = pw.BooleanField(default=False)
    source = pw.CharField(max_length=20, default="")  # phone, site, email, telegram, viber, counter
    custom = JSONField(default=dict)
    folder = pw.CharField(max_length=500, default="")  # storage key of the order's folder
    preview = pw.CharField(max_length=500, default="")  # storage key of the preview image
    is_archived = pw.BooleanField(default=False)
    unread = pw.IntegerField(default=0)  # client messages nobody has read yet
    version = pw.IntegerField(default=1)  # optimistic lock for concurrent edits
    created_at = pw.DateTimeField(default=utcnow, index=True)
    updated_at = pw.DateTimeField(default=utcnow)
    closed_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = (
            (("stage", "id"), False),
            (("is_archived", "id"), False),
            (("client", "id"), False),
            (("executor", "is_archived"), False),
            (("crew", "is_archived"), False),
            (("manager", "created_at"), False),
            # Admin list filters sort newest first: an index per filter column ending in id
            # keeps "WHERE x = ? ORDER BY id DESC LIMIT 50" a range scan on both databases.
            (("manager", "id"), False),
            (("executor", "id"), False),
            (("subcontractor", "id"), False),
            (("debt", "id"), False),
            # The crew filter and the sort by mounting date (the installer's list).
            (("crew", "id"), False),
            (("install_date", "id"), False),
            # A client search on the open tab: which of those clients' orders are open is
            # read from the index, not from every order row of theirs.
            (("client", "is_archived", "id"), False),
        )

    def __str__(self) -> str:
        return f"№{self.number}"


# The "Перезаказ" tab: open subcontracted orders, newest first. A partial index holds only
# those (a few hundred rows), so the tab costs the same at a million orders.
Order.add_index(
    Order.index(
        Order.id,
        name="order_open_subcontracted",
        where=Order.subcontractor.is_null(False) & ~Order.is_archived,
    )
)


class StageMove(BaseModel):
    """Every move: who, when, from, to, comment."""

    order = pw.ForeignKeyField(Order, backref="moves", on_delete="CASCADE")
    from_stage = pw.ForeignKeyField(Stage, null=True, on_delete="SET NULL")
    to_stage = pw.ForeignKeyField(Stage, on_delete="RESTRICT")
    employee = pw.ForeignKeyField(Employee, null=True, on_delete="SET NULL")
    at = pw.DateTimeField(default=utcnow)
    comment = pw.TextField(default="")
    out_of_order = pw.BooleanField(default=False)  # a skip or a step back, allowed to managers

    class Meta:
        # (to_stage, at): "who finished what" reads the period's moves into archive stages.
        indexes = ((("order", "at"), False), (("to_stage", "at"), False))


class Payment(BaseModel):
    order = pw.ForeignKeyField(Order, backref="payments", on_delete="CASCADE")
    amount = pw.BigIntegerField()  # kopecks, > 0
    kind = pw.CharField(max_length=16, default="advance")  # advance | final | other
    method = pw.CharField(max_length=16, default="cash")  # cash | card | transfer | online
    taken_by = pw.ForeignKeyField(Employee, null=True, on_delete="SET NULL")
    at = pw.DateTimeField(default=utcnow, index=True)
    note = pw.TextField(default="")


class Account(BaseModel):
    """A cash desk: the main one, or one per employee (what they hold)."""

    kind = pw.CharField(max_length=16)  # main | employee
    employee = pw.ForeignKeyField(Employee, null=True, unique=True, on_delete="RESTRICT")
    name = pw.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class ExpenseCategory(BaseModel):
    name = pw.CharField(max_length=100, unique=True)
    synonyms = pw.TextField(default="")  # comma-separated words people write: "заправка, топливо"
    position = pw.IntegerField(default=0)
    active = pw.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class Attachment(BaseModel):
    kind = pw.CharField(max_length=16, default="file")  # file|photo|receipt|preview|document|proof
    storage_key = pw.CharField(max_length=500)
    original_name = pw.CharField(max_length=300, default="")
    size = pw.BigIntegerField(default=0)
    content_type = pw.CharField(max_length=100, default="application/octet-stream")
    order = pw.ForeignKeyField(Order, null=True, backref="attachments", on_delete="CASCADE")
    client = pw.ForeignKeyField(Client, null=True, backref="attachments", on_delete="CASCADE")
    message = pw.DeferredForeignKey(
        "Message", null=True, backref="attachments", on_delete="SET NULL"
    )
    uploaded_by = pw.ForeignKeyField(Employee, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)


class CashMovement(BaseModel):
    """One line of the ledger. Money leaves from_account and arrives at to_account;
    None on one side means outside the firm (a shop, a client)."""

    kind = pw.CharField(
        max_length=16, index=True
    )  # advance|expense|collection|handover|income|outcome
    amount = pw.BigIntegerField()  # kopecks, > 0
    from_account = pw.ForeignKeyField(Account, null=True, backref="outgoing", on_delete="RESTRICT")
    to_account = pw.ForeignKeyField(Account, null=True, backref="incoming", on_delete="RESTRICT")
    category = pw.ForeignKeyField(ExpenseCategory, null=True, on_delete="SET NULL")
    order = pw.ForeignKeyField(Order, null=True, on_delete="SET NULL")
    payment = pw.ForeignKeyField(Payment, null=True, on_delete="CASCADE")
    receipt = pw.ForeignKeyField(Attachment, null=True, on_delete="SET NULL")
    note = pw.TextField(default="")
    author = pw.ForeignKeyField(Employee, null=True, on_delete="SET NULL")
    at = pw.DateTimeField(default=utcnow, index=True)
    review = pw.CharField(max_length=12, default="")  # "" | checked | disputed (by the director)
    reviewed_at = pw.DateTimeField(null=True)

    class Meta:
        # (kind, at): the expenses page reads a month's expenses, not the month's payments.
        indexes = (
            (("from_account", "at"), False),
            (("to_account", "at"), False),
            (("kind", "at"), False),
        )


class LedgerTotal(BaseModel):
    """Sums of the cash ledger per desk and kind over the movements with id ≤ upto
    (core.ledger): a desk's balance is these plus the few movements after upto, not a SUM
    over years of payments. The row with no account is the mark: it holds upto."""

    account = pw.ForeignKeyField(Account, null=True, on_delete="CASCADE")
    kind = pw.CharField(max_length=16, default="")
    incoming = pw.BigIntegerField(default=0)
    outgoing = pw.BigIntegerField(default=0)
    upto = pw.BigIntegerField(default=0)


class FiscalReceipt(BaseModel):
    """What the receipt's fiscal QR (54-ФЗ) says, kept with the expense it proves.
    fn + fd (the QR's "i") + fp name one receipt in the country: the unique index refuses
    the same receipt claimed twice, even by two people at the same second."""

    movement = pw.ForeignKeyField(CashMovement, unique=True, backref="fiscal", on_delete="CASCADE")
    fn = pw.CharField(max_length=20)
    fd = pw.CharField(max_length=20)
    fp = pw.CharField(max_length=20)
    bought_at = pw.DateTimeField()  # UTC, from the shop's local time in the QR
    amount = pw.BigIntegerField()  # kopecks, as the QR says
    operation = pw.SmallIntegerField(default=1)  # 1 приход, 2 возврат прихода, 3 расход, 4 возврат

    class Meta:
        indexes = ((("fn", "fd", "fp"), True),)


class DuplicateReceipt(BaseModel):
    """Someone sent a receipt already recorded: refused, and kept for the director to see."""

    original = pw.ForeignKeyField(FiscalReceipt, backref="duplicates", on_delete="CASCADE")
    employee = pw.ForeignKeyField(Employee, null=True, on_delete="SET NULL")
    caption = pw.TextField(default="")
    at = pw.DateTimeField(default=utcnow, index=True)


class Bonus(BaseModel):
    """A bonus or a fine for an employee, with a reason and a period ("2026-11")."""

    employee = pw.ForeignKeyField(Employee, backref="bonuses", on_delete="CASCADE")
    kind = pw.CharField(max_length=8)  # bonus | fine
    amount = pw.BigIntegerField()
    reason = pw.TextField()
    period = pw.CharField(max_length=7, index=True)
    created_at = pw.DateTimeField(default=utcnow)
    created_by = pw.ForeignKeyField(Employee, null=True, on_delete="SET NULL")


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

    class Meta:
        indexes = (
            (("order", "at"), False),
            (("client", "at"), False),
            (("dialogue", "id"), False),
        )


class Document(BaseModel):
    """An issued paper: numbered per kind and year, with its PDF in storage."""

    kind = pw.CharField(max_length=16)  # order_form|contract|invoice|act|waybill|receipt
    number = pw.IntegerField()
    year = pw.IntegerField()
    date = pw.DateField()
    order = pw.ForeignKeyField(Order, null=True, backref="documents", on_delete="SET NULL")
    client = pw.ForeignKeyField(Client, null=True, backref="documents", on_delete="SET NULL")
    total = pw.BigIntegerField(default=0)
    storage_key = pw.CharField(max_length=500, default="")
    data = JSONField(default=dict)  # what was printed, so a reprint matches
    created_at = pw.DateTimeField(default=utcnow)
    created_by = pw.ForeignKeyField(Employee, null=True, on_delete="SET NULL")

    class Meta:
        # The register lists papers newest first: (date, id) reads a page off the index.
        indexes = ((("kind", "year", "number"), True), (("date", "id"), False))


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


class Task(BaseModel):
    """A to-do for a person: "позвонить клиенту", a readiness check with a subcontractor..."""

    kind = pw.CharField(max_length=24, default="reminder")  # call_client|subcontract|reminder
    title = pw.CharField(max_length=300)
    order = pw.ForeignKeyField(Order, null=True, backref="todo", on_delete="CASCADE")
    client = pw.ForeignKeyField(Client, null=True, on_delete="CASCADE")
    assignee = pw.ForeignKeyField(Employee, null=True, backref="todo", on_delete="SET NULL")
    notification = pw.ForeignKeyField(Notification, null=True, on_delete="SET NULL")
    due_at = pw.DateTimeField(null=True)
    snoozed_until = pw.DateTimeField(null=True)
    done_at = pw.DateTimeField(null=True, index=True)
    done_by = pw.ForeignKeyField(Employee, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)


# Open tasks by person and due date: the task list and the dashboard read the few open ones
# from this partial index, however many done tasks pile up over the years.
Task.add_index(
    Task.index(Task.assignee, Task.due_at, name="task_open", where=Task.done_at.is_null())
)


class MessengerLink(BaseModel):
    """A messenger account (or web-chat session) bound to an employee or a client."""

    channel = pw.CharField(max_length=16)  # telegram | viber | web
    external_id = pw.CharField(max_length=100)
    employee = pw.ForeignKeyField(Employee, null=True, backref="links", on_delete="CASCADE")
    client = pw.ForeignKeyField(Client, null=True, backref="links", on_delete="CASCADE")
    display_name = pw.CharField(max_length=200, default="")
    blocked = pw.BooleanField(default=False)  # the person blocked the bot / unsubscribed
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("channel", "external_id"), True),)


class Invite(BaseModel):
    """A one-time code that binds a messenger account to an employee or a client."""

    code = pw.CharField(max_length=64, unique=True)
    employee = pw.ForeignKeyField(Employee, null=True, on_delete="CASCADE")
    client = pw.ForeignKeyField(Client, null=True, on_delete="CASCADE")
    expires_at = pw.DateTimeField()
    used_at = pw.DateTimeField(null=True)
    created_by = pw.ForeignKeyField(Employee, null=True, on_delete="SET NULL")


class FileLink(BaseModel):
    """A download link for one stored file, sent where a channel cannot carry the file
    (SMS, Viber): a random token, served without login until it expires."""

    token = pw.CharField(max_length=64, unique=True)
    storage_key = pw.CharField(max_length=500)
    notification = pw.ForeignKeyField(Notification, null=True, on_delete="CASCADE")
    expires_at = pw.DateTimeField()
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("notification", "storage_key"), False),)


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


class ProcessedUpdate(BaseModel):
    """Platform update ids already handled: a redelivered update does nothing."""

    channel = pw.CharField(max_length=16)
    key = pw.CharField(max_length=100)
    at = pw.DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("channel", "key"), True),)


class LoginFailure(BaseModel):
    """A failed web login, kept briefly: the rate limit is shared by every web worker."""

    key = pw.CharField(max_length=200)  # "login:<login>|<ip>" or "ip:<ip>"
    at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("key", "at"), False),)


class RateCount(BaseModel):
    """Hits of one key (an IP, a widget visitor) in one time window: the limits of the open
    doors live in the database so every web worker shares them (core.ratelimit)."""

    key = pw.CharField(max_length=200)
    window = pw.BigIntegerField()  # the window's start, seconds since the epoch
    count = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("key", "window"), True),)


class StaffSession(BaseModel):
    """A login to the web admin, checked on every request: logout, a password change or
    deactivation ends it at once, whatever cookie a browser still holds."""

    token_hash = pw.CharField(max_length=64, unique=True)  # sha256 of the cookie's token
    employee = pw.ForeignKeyField(Employee, backref="+", on_delete="CASCADE", index=True)
    created_at = pw.DateTimeField(default=utcnow)
    ended_at = pw.DateTimeField(null=True)


class FolderShare(BaseModel):
    """A public link to an order's folder on the file store: made only when a person asks,
    kept with who and when, closed by a person too."""

    order = pw.ForeignKeyField(Order, backref="folder_shares", on_delete="CASCADE", index=True)
    folder = pw.CharField(max_length=500)
    url = pw.CharField(max_length=1000)
    shared_by = pw.ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL")
    shared_at = pw.DateTimeField(default=utcnow)
    revoked_by = pw.ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL")
    revoked_at = pw.DateTimeField(null=True)


class Visit(BaseModel):
    """A booked visit: one crew, one slot, one of the crew's seats in that slot.

    The unique (crew, starts_at, seat) index is the no-double-booking rule: two clients
    racing for the last seat both try to insert it and the database lets exactly one in."""

    order = pw.ForeignKeyField(Order, unique=True, backref="visits", on_delete="CASCADE")
    client = pw.ForeignKeyField(Client, backref="visits", on_delete="CASCADE")
    crew = pw.ForeignKeyField(Crew, backref="visits", on_delete="RESTRICT")
    starts_at = pw.DateTimeField()  # naive UTC
    ends_at = pw.DateTimeField()
    seat = pw.IntegerField(default=0)  # 0 .. visits per slot - 1
    address = pw.CharField(max_length=500, default="")
    departed_at = pw.DateTimeField(null=True)  # the crew tapped "Выехали"
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("crew", "starts_at", "seat"), True), (("starts_at",), False))


class PortalCode(BaseModel):
    """A one-time sign-in code for the client portal, stored hashed, short-lived."""

    client = pw.ForeignKeyField(Client, on_delete="CASCADE")
    code_hash = pw.CharField(max_length=64)
    expires_at = pw.DateTimeField()
    used_at = pw.DateTimeField(null=True)
    attempts = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("client", "created_at"), False),)


class PortalSession(BaseModel):
    """A signed-in portal browser. The cookie holds only the token; deleting or revoking
    the row ends the session at once on every worker."""

    token_hash = pw.CharField(max_length=64, unique=True)
    client = pw.ForeignKeyField(Client, backref="portal_sessions", on_delete="CASCADE")
    created_at = pw.DateTimeField(default=utcnow)
    seen_at = pw.DateTimeField(default=utcnow)
    revoked_at = pw.DateTimeField(null=True)
    ip = pw.CharField(max_length=64, default="")


class OnlinePayment(BaseModel):
    """A payment a client makes online (YooKassa). external_id is the provider's payment id:
    unique, so one provider payment is recorded on the order at most once; `payment` is the
    order's Payment row once the provider confirmed the money."""

    order = pw.ForeignKeyField(Order, backref="online_payments", on_delete="CASCADE")
    client = pw.ForeignKeyField(Client, on_delete="CASCADE")
    amount = pw.BigIntegerField()  # kopecks asked for
    provider = pw.CharField(max_length=16, default="yookassa")
    idempotence_key = pw.CharField(max_length=64, unique=True)
    external_id = pw.CharField(max_length=64, null=True, unique=True)
    status = pw.CharField(
        max_length=24, default="creating"
    )  # creating|pending|succeeded|canceled|failed
    confirmation_url = pw.CharField(max_length=1000, default="")
    payment = pw.ForeignKeyField(Payment, null=True, unique=True, on_delete="SET NULL")
    refunded = pw.BigIntegerField(default=0)  # kopecks returned to the client
    receipt = JSONField(null=True)  # the 54-ФЗ receipt data sent with the payment
    created_at = pw.DateTimeField(default=utcnow)
    paid_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("order", "created_at"), False),)


ALL_MODELS: list[type[BaseModel]] = [
    Setting,
    Sequence,
    Crew,
    Employee,
    Client,
    ClientWord,
    Pipeline,
    Stage,
    Order,
    StageMove,
    Payment,
    Account,
    ExpenseCategory,
    Notification,
    DeliveryAttempt,
    Mailbox,
    MailboxMember,
    Dialogue,
    DialogueSeen,
    Message,
    Attachment,
    CashMovement,
    LedgerTotal,
    FiscalReceipt,
    DuplicateReceipt,
    Bonus,
    Document,
    Template,
    Task,
    MessengerLink,
    Invite,
    Conversation,
    ProcessedUpdate,
    LoginFailure,
    RateCount,
    StaffSession,
    FolderShare,
    FileLink,
    Visit,
    PortalCode,
    PortalSession,
    OnlinePayment,
]
