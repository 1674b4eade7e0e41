"""Files on orders and clients, download links, shared folders."""

from __future__ import annotations

import peewee as pw

from core.base.clock import utcnow
from core.base.models import BaseModel
from core.clients.models import Client
from core.conversations.models import Message, Notification
from core.orders.models import Order
from core.people.models import Employee


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


# The message table was created after this one before the split, without a constraint on this
# column; resolving the deferred key by hand keeps the schema exactly as it was.
pw.DeferredForeignKey.resolve(Message)


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
