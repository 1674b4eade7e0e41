"""Clients and leads, their search words, the messenger accounts bound to people, invites."""

from __future__ import annotations

import peewee as pw

from core.base.clock import utcnow
from core.base.models import BaseModel
from core.people.models import Employee


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
    ogrn = pw.CharField(max_length=15, default="")
    # Who signs the client's papers (a company's director from the ИНН look-up, say): the act
    # and the УПД print the post and the name on the client's side (402-ФЗ ст. 9).
    signer_post = pw.CharField(max_length=100, default="")
    signer_name = pw.CharField(max_length=200, default="")
    notes = pw.TextField(default="")
    opt_out = pw.BooleanField(default=False)  # no bulk messages
    # When and where the client (or a manager) made that choice: «стоп» in a messenger, the
    # portal's switch, the mailing letter's unsubscribe, the card («manager»).
    opt_out_at = pw.DateTimeField(null=True)
    opt_out_via = pw.CharField(max_length=16, default="")
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
    # are still a lead: someone who wrote in and has no order yet (core.clients.leads).
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
