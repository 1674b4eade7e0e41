"""Pay: dated rules per person, absences, closed months frozen line by line, and payouts
(each one a cash movement of the one ledger, core.money)."""

from __future__ import annotations

import peewee as pw

from core.base.clock import utcnow
from core.base.models import BaseModel, JSONField
from core.money.models import CashMovement
from core.orders.models import Stage
from core.people.models import Employee


class PayRule(BaseModel):
    """How a person is paid from `valid_from` (a local date) on. Rows are never edited: a
    change is a new row with its date, and the row in force on a day is the one with the
    latest valid_from up to that day (of two rows of one date, the later one)."""

    employee = pw.ForeignKeyField(Employee, backref="pay_rules", on_delete="CASCADE")
    valid_from = pw.DateField()
    salary = pw.BigIntegerField(default=0)  # kopecks a month, pro-rated by days present
    percent = pw.IntegerField(default=0)  # hundredths of a percent: 250 is 2,5 %
    percent_base = pw.CharField(max_length=8, default="cost")  # cost | margin
    scope = pw.CharField(max_length=10, default="did")  # did | answered: whose orders count
    note = pw.TextField(default="")
    created_by = pw.ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("employee", "valid_from"), False),)


class PieceRate(BaseModel):
    """A piece rate of a rule: so much for each stage of this kind done (core.pay.work)."""

    rule = pw.ForeignKeyField(PayRule, backref="rates", on_delete="CASCADE")
    stage = pw.ForeignKeyField(Stage, backref="+", on_delete="CASCADE")
    amount = pw.BigIntegerField()  # kopecks

    class Meta:
        indexes = ((("rule", "stage"), True),)


class Absence(BaseModel):
    """A day the director marked a person absent: their salary counts that day out."""

    employee = pw.ForeignKeyField(Employee, backref="absences", on_delete="CASCADE")
    day = pw.DateField()
    note = pw.CharField(max_length=200, default="")
    created_by = pw.ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("employee", "day"), True),)


class PayMonth(BaseModel):
    """A closed month: its lines are frozen. `version` is bumped by every payout of the
    month, in the payout's transaction: the row lock that keeps two payouts from both
    paying what was owed once."""

    period = pw.CharField(max_length=7, unique=True)  # "2026-11"
    closed_at = pw.DateTimeField(default=utcnow)
    closed_by = pw.ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL")
    version = pw.IntegerField(default=0)


class PayLine(BaseModel):
    """One person's figures of a closed month as they stood at closing (kopecks)."""

    month = pw.ForeignKeyField(PayMonth, backref="lines", on_delete="CASCADE")
    employee = pw.ForeignKeyField(Employee, backref="+", on_delete="CASCADE")
    orders_done = pw.IntegerField(default=0)
    stages_done = pw.IntegerField(default=0)
    days_absent = pw.IntegerField(default=0)
    base = pw.BigIntegerField(default=0)  # what the percent was taken of
    salary = pw.BigIntegerField(default=0)
    percent = pw.BigIntegerField(default=0)
    piece = pw.BigIntegerField(default=0)
    bonuses = pw.BigIntegerField(default=0)
    fines = pw.BigIntegerField(default=0)
    correction = pw.BigIntegerField(default=0)  # late changes of earlier closed months
    detail = JSONField(default=list)  # what each rule in force earned (core.pay.sheet.Part)

    class Meta:
        indexes = ((("month", "employee"), True),)


class Payout(BaseModel):
    """Pay handed to a person: an advance during the month or the month's pay. The money
    itself is the ledger's movement (kind "salary", out of the main desk)."""

    movement = pw.ForeignKeyField(CashMovement, unique=True, backref="+", on_delete="CASCADE")
    employee = pw.ForeignKeyField(Employee, backref="+", on_delete="CASCADE")
    period = pw.CharField(max_length=7)
    kind = pw.CharField(max_length=8)  # advance | pay

    class Meta:
        indexes = ((("period", "employee"), False),)
