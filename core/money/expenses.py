"""The expense table the director checks: who spent what on which order, with the receipt and
what its fiscal QR says; receipts claimed twice; an order's materials and what it earned.

Who sees which expenses is core.access.expense_filter's rule; reviewing is the director's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import peewee as pw

from core.access import Actor, can_see_earnings, expense_filter, require_order, require_role
from core.base.clock import format_date, from_local, utcnow
from core.base.db import database
from core.base.errors import Conflict, NotFound, ValidationError
from core.base.money import format_money
from core.conversations import outbox
from core.documents.words import with_note
from core.files.models import Attachment
from core.money.fiscal import FiscalQR
from core.money.models import (
    Account,
    CashMovement,
    DuplicateReceipt,
    ExpenseCategory,
    FiscalReceipt,
)
from core.orders.models import Order
from core.people.models import Employee

__all__ = [
    "REVIEWS",
    "Filters",
    "attach_receipt",
    "awaiting_receipt",
    "duplicate_message",
    "listing",
    "note_duplicate",
    "order_money",
    "recorded_receipt",
    "review",
    "save_fiscal",
    "totals",
]

REVIEWS = {"": "не проверен", "checked": "проверен", "disputed": "оспорен"}


# --- one receipt, one expense ----------------------------------------------------------
def recorded_receipt(qr: FiscalQR) -> FiscalReceipt | None:
    return FiscalReceipt.get_or_none(
        (FiscalReceipt.fn == qr.fn) & (FiscalReceipt.fd == qr.fd) & (FiscalReceipt.fp == qr.fp)
    )


def duplicate_message(original: FiscalReceipt) -> str:
    """ "Этот чек уже записан 12.11 — Иван Петров, 1 000,00 ₽" """
    move = original.movement
    who = move.from_account.employee.name if move.from_account.employee_id else "касса"
    return f"Этот чек уже записан {format_date(move.at)[:5]} — {who}, {format_money(move.amount)}"


# "Words then photo" (the seed: «вписывает "купил материалы", сумма такая-то и фотографирует
# чек… чек привязан к этой его записи»): a photo soon after an expense written without one
# is offered to it, not recorded as a second expense.
RECEIPT_WINDOW = timedelta(minutes=30)


def awaiting_receipt(actor: Actor) -> CashMovement | None:
    """The person's last expense if they wrote it themself in the last half hour and it has
    no receipt yet: a photo that comes now is most likely its receipt."""
    if actor.employee_id is None:
        return None
    last = (
        CashMovement.select(CashMovement, ExpenseCategory)
        .join(ExpenseCategory, pw.JOIN.LEFT_OUTER)
        .switch(CashMovement)
        .join(Account, on=CashMovement.from_account == Account.id)
        .where((CashMovement.kind == "expense") & (Account.employee == actor.employee_id))
        .order_by(CashMovement.id.desc())
        .first()
    )
    if last is None or last.receipt_id is not None or last.author_id != actor.employee_id:
        return None
    return last if last.at >= utcnow() - RECEIPT_WINDOW else None


def attach_receipt(
    actor: Actor, movement_id: int, receipt_id: int, fiscal: FiscalQR | None = None
) -> CashMovement:
    """The photo becomes the receipt of the person's own expense that had none; what its QR
    says is kept under the same one-receipt-one-expense rule. Refused: someone else's
    expense, one that has a receipt already, a QR of another sum, a refund."""
    with database.atomic():
        move = (
            CashMovement.select(CashMovement)
            .join(Account, on=CashMovement.from_account == Account.id)
            .where(
                (CashMovement.id == movement_id)
                & (CashMovement.kind == "expense")
                & (Account.employee == (actor.employee_id or -1))
            )  # fmt: skip
            .first()
        )
        photo = Attachment.get_or_none(
            (Attachment.id == receipt_id) & (Attachment.kind == "receipt")
            & (Attachment.uploaded_by == (actor.employee_id or -1))
        )  # fmt: skip
        if move is None or photo is None:
            raise NotFound("Расход не найден.")
        if fiscal is not None and (not fiscal.is_purchase or fiscal.amount != move.amount):
            raise ValidationError("Чек не совпадает с расходом: запишите его отдельно.")
        won = (
            CashMovement.update(receipt=photo.id)
            .where((CashMovement.id == move.id) & CashMovement.receipt.is_null())
            .execute()
        )
        if won != 1:
            raise ValidationError("К этому расходу чек уже приложен.")
        if fiscal is not None:
            save_fiscal(move, fiscal)
    return CashMovement.get_by_id(move.id)


def note_duplicate(actor: Actor, original: FiscalReceipt, caption: str = "") -> DuplicateReceipt:
    """A refused second claim, kept for the director (the expense table lists them)."""
    return DuplicateReceipt.create(
        original=original, employee=actor.employee_id, caption=(caption or "")[:1000]
    )


def save_fiscal(movement: CashMovement, qr: FiscalQR) -> FiscalReceipt:
    """Inside log_expense's transaction. The unique index is the rule; a race that loses it
    is refused with the same words as the look-up before it."""
    try:
        with database.atomic():
            return FiscalReceipt.create(
                movement=movement, fn=qr.fn, fd=qr.fd, fp=qr.fp, amount=qr.amount,
                bought_at=from_local(qr.bought_at), operation=qr.operation,
            )  # fmt: skip
    except pw.IntegrityError:
        original = recorded_receipt(qr)
        raise Conflict(
            duplicate_message(original) if original else "Этот чек уже записан."
        ) from None


# --- the table ------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    employee_id: int | None = None
    category_id: int | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    order_number: int | None = None
    review: str | None = None


def listing(actor: Actor, filters: Filters = Filters()) -> pw.ModelSelect:
    """Expenses the actor may see, newest first, with everything a row shows in one query."""
    query = (
        CashMovement.select(CashMovement, Account, Employee, ExpenseCategory, Order, Attachment)
        .join(Account, on=CashMovement.from_account == Account.id)
        .join(Employee, pw.JOIN.LEFT_OUTER, on=Account.employee == Employee.id)
        .switch(CashMovement)
        .join(ExpenseCategory, pw.JOIN.LEFT_OUTER)
        .switch(CashMovement)
        .join(Order, pw.JOIN.LEFT_OUTER)
        .switch(CashMovement)
        .join(Attachment, pw.JOIN.LEFT_OUTER, on=CashMovement.receipt == Attachment.id)
        .where(CashMovement.kind == "expense")
        .order_by(CashMovement.at.desc(), CashMovement.id.desc())
    )
    clause = expense_filter(actor)
    if clause is not None:
        query = query.where(clause)
    f = filters
    if f.employee_id:
        query = query.where(Account.employee == f.employee_id)
    if f.category_id:
        query = query.where(CashMovement.category == f.category_id)
    if f.since:
        query = query.where(CashMovement.at >= from_local(datetime.combine(f.since, time())))
    if f.until:
        end = datetime.combine(f.until + timedelta(days=1), time())
        query = query.where(CashMovement.at < from_local(end))
    if f.order_number:
        query = query.where(Order.number == f.order_number)
    if f.review is not None:
        query = query.where(CashMovement.review == f.review)
    return query


def totals(query: pw.ModelSelect) -> tuple[int, int]:
    """(how many, how much in kopecks) of a listing, whatever its page."""
    inner = query.order_by().select(CashMovement.id, CashMovement.amount)
    row = (
        pw.Select(
            [inner.alias("e")],
            [pw.fn.COUNT(pw.SQL("*")), pw.fn.COALESCE(pw.fn.SUM(pw.SQL('"e"."amount"')), 0)],
        )
        .bind(database.obj)
        .tuples()
        .first()
    )
    return int(row[0]), int(row[1])


def fiscal_of(movement_ids: list[int]) -> dict[int, FiscalReceipt]:
    rows = FiscalReceipt.select().where(FiscalReceipt.movement.in_(movement_ids))
    return {r.movement_id: r for r in rows} if movement_ids else {}


def duplicates(actor: Actor, limit: int = 50) -> list[DuplicateReceipt]:
    """Refused second claims of a receipt: the director's to see."""
    require_role(actor, "director")
    return list(
        DuplicateReceipt.select(DuplicateReceipt, FiscalReceipt, Employee)
        .join(FiscalReceipt)
        .switch(DuplicateReceipt)
        .join(Employee, pw.JOIN.LEFT_OUTER)
        .order_by(DuplicateReceipt.at.desc())
        .limit(limit)
    )


def review(actor: Actor, movement_id: int, verdict: str, comment: str = "") -> CashMovement:
    """The director marks an expense checked or disputed; a disputed one is told to the
    employee in the bot (outbox, same transaction)."""
    require_role(actor, "director")
    if verdict not in REVIEWS:
        raise ValidationError("Отметка расхода: проверен или оспорен.")
    move = CashMovement.get_or_none(
        (CashMovement.id == movement_id) & (CashMovement.kind == "expense")
    )
    if move is None:
        raise NotFound("Расход не найден.")
    with database.atomic():
        was = move.review
        move.review, move.reviewed_at = verdict, utcnow()
        move.save()
        employee = move.from_account.employee
        if verdict == "disputed" and was != "disputed" and employee is not None:
            what = move.category.name if move.category_id else "расход"
            text = (
                f"❗ Директор оспорил ваш расход от {format_date(move.at)}: "
                f"{with_note(what, move.note)}, {format_money(move.amount)}."
                + (f"\n{comment.strip()}" if comment.strip() else "")
                + "\nПожалуйста, объясните или пришлите чек."
            )  # fmt: skip
            outbox.notify_staff(
                employee, text, key=f"disputed:{move.id}:{move.reviewed_at:%Y%m%d%H%M%S%f}",
                order=move.order,
            )  # fmt: skip
    return move


# --- an order's materials and what it earned -----------------------------------------
@dataclass(frozen=True)
class OrderMoney:
    materials: list[CashMovement]
    spent: int
    earned: int | None  # cost − expenses; None when the actor may not see the cost


def order_money(actor: Actor, order_id: int) -> OrderMoney:
    order = require_order(actor, order_id)
    rows = list(
        CashMovement.select(CashMovement, ExpenseCategory, Account, Employee)
        .join(ExpenseCategory, pw.JOIN.LEFT_OUTER)
        .switch(CashMovement)
        .join(Account, pw.JOIN.LEFT_OUTER, on=CashMovement.from_account == Account.id)
        .join(Employee, pw.JOIN.LEFT_OUTER, on=Account.employee == Employee.id)
        .where((CashMovement.order == order.id) & (CashMovement.kind.in_(("expense", "outcome"))))
        .order_by(CashMovement.at)
    )
    spent = sum(r.amount for r in rows)
    earned = order.cost - spent if can_see_earnings(actor) else None
    return OrderMoney(rows, spent, earned)
