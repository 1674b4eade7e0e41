"""Orders and the pipelines they move through, with every move recorded."""

from __future__ import annotations

import peewee as pw

from core.base.clock import utcnow
from core.base.models import BaseModel, JSONField
from core.clients.models import Client
from core.people.models import Crew, Employee


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


class OrderLine(BaseModel):
    """A position of an order: what the papers, the portal and the fiscal receipt list. An
    order without rows has one line made from its description and cost (core.orders.lines),
    so the counter writes nothing more; the card's edit stores rows and the cost follows."""

    order = pw.ForeignKeyField(Order, backref="lines", on_delete="CASCADE")
    position = pw.SmallIntegerField()
    name = pw.CharField(max_length=1000)
    qty_milli = pw.BigIntegerField()  # quantity × 1000: 2,5 м² is 2500, exact on both databases
    unit = pw.CharField(max_length=20)
    okei = pw.CharField(max_length=4)  # ОКЕИ code of the unit: 796 шт, 876 усл. ед …
    price = pw.BigIntegerField()  # kopecks per unit, VAT included
    vat = pw.CharField(max_length=4, default="none")  # "none" (без НДС) or the percent: "22"
    subject = pw.CharField(max_length=8, default="service")  # goods | work | service

    class Meta:
        indexes = ((("order", "position"), True),)
