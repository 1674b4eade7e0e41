"""Money: payments, cash desks and their one ledger, expenses' receipts, online payments."""

from __future__ import annotations

import peewee as pw

from core.base.clock import utcnow
from core.base.models import BaseModel, JSONField
from core.clients.models import Client
from core.files.models import Attachment
from core.orders.models import Order
from core.people.models import Employee


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


class CashMovement(BaseModel):
    """One line of the ledger. Money leaves from_account and arrives at to_account;
    None on one side means outside the firm (a shop, a client)."""

    kind = pw.CharField(
        max_length=16, index=True
    )  # advance|expense|collection|handover|income|outcome|salary
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
    (core.money.ledger): a desk's balance is these plus the few movements after upto, not a SUM
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


class FiscalCheck(BaseModel):
    """A client payment's fiscal receipt (54-ФЗ) on its way through the cloud cash register:
    written in the payment's transaction, registered later by the scheduler (a slow register
    never holds the counter). external_id is what the register dedupes on: one per payment,
    so nothing is registered twice; a correction gets its own row pointing at the receipt
    it fixes."""

    order = pw.ForeignKeyField(Order, backref="fiscal_checks", on_delete="CASCADE")
    payment = pw.ForeignKeyField(Payment, null=True, backref="fiscal_checks", on_delete="SET NULL")
    corrects = pw.ForeignKeyField("self", null=True, backref="corrections", on_delete="SET NULL")
    operation = pw.CharField(
        max_length=24, default="sell"
    )  # sell|sell_correction|sell_refund_correction
    external_id = pw.CharField(max_length=64, unique=True)
    sign = pw.CharField(
        max_length=20
    )  # full_prepayment|prepayment|advance|full_payment|partial_payment
    amount = pw.BigIntegerField()  # kopecks paid by this receipt
    receipt = JSONField(default=dict)  # what is registered, built when the money was taken
    status = pw.CharField(max_length=8, default="queued", index=True)  # queued|sent|done|failed
    uuid = pw.CharField(max_length=64, default="")
    attempts = pw.IntegerField(default=0)
    next_try_at = pw.DateTimeField(default=utcnow, index=True)
    error = pw.TextField(default="")
    fiscal = JSONField(null=True)  # fn, fd, fp, when, link — as the register reported
    told = pw.BooleanField(default=False)  # the director heard of a problem with it
    created_at = pw.DateTimeField(default=utcnow)
    done_at = pw.DateTimeField(null=True)
