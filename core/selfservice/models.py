"""Booked visits and the client portal's codes and sessions."""

from __future__ import annotations

import peewee as pw

from core.base.clock import utcnow
from core.base.models import BaseModel
from core.clients.models import Client
from core.orders.models import Order
from core.people.models import Crew


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
