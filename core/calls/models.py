"""One row per call, as the PBX reported it (in any order, any number of times)."""

from __future__ import annotations

import peewee as pw

from core.base.clock import utcnow
from core.base.models import BaseModel
from core.clients.models import Client
from core.conversations.models import Message
from core.files.models import Attachment
from core.orders.models import Order
from core.people.models import Employee
from core.tasks.models import Task


class Call(BaseModel):
    """A call between the firm and someone outside, from the outside party's point of view:
    one row however many legs (extensions rung, transfers) the PBX made of it."""

    provider = pw.CharField(max_length=16)  # novofon | mango
    key = pw.CharField(max_length=100)  # the provider's id of the whole call
    direction = pw.CharField(max_length=4, default="")  # in | out
    phone = pw.CharField(max_length=32, default="")  # the outside number: E.164 when it is one
    line = pw.CharField(max_length=32, default="")  # the firm's number called or used
    extension = pw.CharField(max_length=16, default="")  # who answered (in) or dialled (out)
    employee = pw.ForeignKeyField(Employee, null=True, on_delete="SET NULL")
    client = pw.ForeignKeyField(Client, null=True, on_delete="SET NULL")
    order = pw.ForeignKeyField(Order, null=True, on_delete="SET NULL")
    started_at = pw.DateTimeField(null=True)  # unknown until an event that says it comes
    answered_at = pw.DateTimeField(null=True)  # live: somebody picked up
    ended_at = pw.DateTimeField(null=True)
    answered = pw.BooleanField(default=False)  # final: the provider's verdict at the end
    duration = pw.IntegerField(default=0)  # seconds of conversation
    outcome = pw.CharField(max_length=32, default="")  # the provider's word for the end
    recording_ref = pw.CharField(max_length=200, default="")  # the provider's recording id
    recording = pw.ForeignKeyField(Attachment, null=True, on_delete="SET NULL")
    recording_tries = pw.IntegerField(default=0)
    recording_due = pw.DateTimeField(null=True)  # fetch the recording after this time
    message = pw.ForeignKeyField(Message, null=True, on_delete="SET NULL")  # its thread line
    task = pw.ForeignKeyField(Task, null=True, on_delete="SET NULL")  # «Перезвонить»
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("provider", "key"), True),
            (("phone", "started_at"), False),
            (("client", "started_at"), False),
            (("order", "started_at"), False),
            (("employee", "started_at"), False),
            (("started_at",), False),
        )


# Calls still going (the manager's page asks every second which ones ring): a partial
# index holds only those, however many calls the log keeps. By when the first word of the
# call came (created_at, our clock), not by the PBX's call_start: a PBX whose clock is set
# to another zone must not hide a ringing call.
Call.add_index(Call.index(Call.created_at, name="call_live_since", where=Call.ended_at.is_null()))
# Recordings still to fetch: the scheduler's few rows, not the whole log.
Call.add_index(
    Call.index(
        Call.recording_due, name="call_recording_due", where=Call.recording_due.is_null(False)
    )
)
