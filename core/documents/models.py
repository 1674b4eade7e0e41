"""Issued papers."""

from __future__ import annotations

import peewee as pw

from core.base.clock import utcnow
from core.base.models import BaseModel, JSONField
from core.clients.models import Client
from core.orders.models import Order
from core.people.models import Employee


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
