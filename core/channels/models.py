"""What the product knows about each channel and about each client's addresses on them."""

from __future__ import annotations

import peewee as pw

from core.base.clock import utcnow
from core.base.models import BaseModel
from core.clients.models import Client


class ChannelState(BaseModel):
    """One channel's health (telegram, max, vk, viber, sms, email, imap, yadisk, yookassa),
    from real delivery results and the periodic check. Written by every process that talks
    to the platform; the transitions are compare-and-set, so the director is told once."""

    channel = pw.CharField(max_length=16, unique=True)
    state = pw.CharField(max_length=8, default="ok")  # ok | slow | failing
    since = pw.DateTimeField(default=utcnow)  # when the current state began
    failures = pw.IntegerField(default=0)  # channel-side failures in a row
    last_error = pw.TextField(default="")  # the last channel-side failure, in Russian
    last_error_at = pw.DateTimeField(null=True)
    last_ok_at = pw.DateTimeField(null=True)
    latency_ms = pw.IntegerField(default=0)  # a moving average of successful calls
    checked_at = pw.DateTimeField(null=True)  # the last result of any kind


class ContactProblem(BaseModel):
    """A client's address a platform reported undeliverable (an SMS delivery report, an
    e-mail bounce): that address is skipped until it changes or the client writes from it."""

    client = pw.ForeignKeyField(Client, backref="contact_problems", on_delete="CASCADE")
    channel = pw.CharField(max_length=16)  # sms | email
    address = pw.CharField(max_length=300)
    reason = pw.TextField(default="")
    at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("client", "channel", "address"), True),)
