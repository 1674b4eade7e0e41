"""Fiscal receipts (54-ФЗ) for client payments, through a cloud cash register.

One rule decides a payment's path (`path_of`): YooKassa's own receipt for a YooKassa payment
when the firm sends receipts with it; none for a company paying by bank transfer; the firm's
cloud register for everything else taken from people — cash and cards at the counter, cash on
site, transfers from people, online payments without YooKassa's receipt.

The receipt is built when the money is taken (`queue_for`, called in the payment's own
transaction): ФФД 1.2 settlement sign per payment — предоплата 100 % when it covers the order
before handover, частичная предоплата, аванс when the order has no itemised positions, полный
расчёт at handover with the earlier payments offset (and the rest as credit, «частичный
расчёт», when something is still owed). Registering is the scheduler's (`process_due`):
outside the transaction, retried with growing pauses, reported to the director when it keeps
failing or cannot pass; the register dedupes on external_id, one per payment."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from core.access import Actor, require_order, require_role
from core.base import runtime, settings
from core.base.clock import to_local, utcnow
from core.base.db import database
from core.base.errors import NotFound, ValidationError
from core.base.interfaces import CashRegister, RegisterAnswer, RegisterError
from core.base.money import check_sum, format_money
from core.conversations import outbox
from core.money import taxes
from core.money.models import FiscalCheck, Payment
from core.orders.lines import Line, lines_of
from core.orders.models import Order
from core.people.models import Employee

__all__ = [
    "SIGNS",
    "STATUSES",
    "checks_for_director",
    "correct",
    "path_of",
    "process_due",
    "queue_for",
    "queue_refund",
    "register_conf",
    "retry",
]

log = logging.getLogger(__name__)

SIGNS = {
    "full_prepayment": "Предоплата 100 %",
    "prepayment": "Предоплата",
    "advance": "Аванс",
    "full_payment": "Полный расчёт",
    "partial_payment": "Частичный расчёт и кредит",
}
STATUSES = {"queued": "в очереди", "sent": "в кассе", "done": "пробит", "failed": "не пробит"}
BACKOFF = (30, 60, 120, 300, 600, 1800, 3600)  # seconds before the next try after a failure
TELL_AFTER = 3  # transient failures in a row before the director hears of it
POLL = 5  # seconds between asking the register about a receipt it holds


CONF_KEYS = ("provider", "url", "login", "password", "group_code", "inn", "payment_address",
             "email")  # fmt: skip


def register_conf() -> dict[str, Any]:
    """The cloud register as Настройки → Кассовые чеки set it ("cash_register.*")."""
    return {k: settings.value(f"cash_register.{k}") or "" for k in CONF_KEYS}


def path_of(payment: Payment, order: Order) -> str | None:
    """ "register", "yookassa" or None (no receipt is due, or no register is set up)."""
    if payment.method == "online" and runtime.config().yookassa.receipts:
        return "yookassa"  # YooKassa registered it with the payment
    if payment.method == "transfer" and order.client.kind == "company":
        return None  # a firm paying a firm by bank: no cash receipt
    return "register" if settings.value("cash_register.provider") else None  # one read


def _client_contact(order: Order) -> dict[str, str]:
    client = order.client
    if client.phone:
        return {"phone": client.phone}
    if client.email:
        return {"email": client.email}
    return {}


def _line_item(line: Line, sign: str) -> dict:
    """A position as it is: its own price, quantity, unit, subject and rate."""
    return {"name": line.name[:128], "price": line.price, "quantity": str(line.quantity),
            "sum": line.amount, "okei": line.okei, "subject": line.subject, "method": sign,
            "vat": line.vat_rate}  # fmt: skip


def _part_item(name: str, amount: int, sign: str, rate: int | None, subject: str) -> dict:
    """Part of an order paid ahead (one per VAT rate): quantity 1 at the amount; an аванс's
    subject is «платёж» (the goods are not determined yet)."""
    return {"name": name[:128], "price": amount, "quantity": "1", "sum": amount, "okei": "796",
            "subject": "payment" if sign == "advance" else subject, "method": sign, "vat": rate}  # fmt: skip


def _split_by_rate(lines: list[Line], amount: int) -> list[tuple[int | None, int]]:
    """A part payment shared over the order's VAT rates in proportion (largest remainders),
    so each rate's calculated VAT (22/122 …) is right."""
    groups: dict[int | None, int] = {}
    for line in lines:
        groups[line.vat_rate] = groups.get(line.vat_rate, 0) + line.amount
    total = sum(groups.values()) or 1
    shares = {r: amount * v // total for r, v in groups.items()}
    left = amount - sum(shares.values())
    for rate in sorted(groups, key=lambda r: -(amount * groups[r] % total))[:left]:
        shares[rate] += 1
    return [(r, s) for r, s in shares.items() if s > 0]


def _sign(order: Order, payment: Payment, before: int) -> str:
    if payment.kind == "final" or order.stage.is_archive:
        return "full_payment" if before + payment.amount >= order.cost else "partial_payment"
    if not order.lines.exists():
        return "advance"  # nothing itemised yet: the subject is not determined
    return "full_prepayment" if before == 0 and payment.amount >= order.cost else "prepayment"


def build_receipt(order: Order, payment: Payment, before: int) -> tuple[str, dict[str, Any]]:
    """(sign, receipt) for a payment; `before`: what the order had been paid until now."""
    sign = _sign(order, payment, before)
    lines = lines_of(order)
    kind = "cash" if payment.method == "cash" else "electronic"
    payments = [{"type": kind, "sum": payment.amount}]
    if sign in ("full_payment", "partial_payment"):
        items = [_line_item(x, sign) for x in lines]
        payments += [{"type": "advance_offset", "sum": before}] if before else []
        credit = order.cost - before - payment.amount
        payments += [{"type": "credit", "sum": credit}] if credit > 0 else []
        total = order.cost
    elif sign == "full_prepayment":
        items, total = [_line_item(x, sign) for x in lines], payment.amount
    else:
        title = f"{'Аванс' if sign == 'advance' else 'Предоплата'} по заказу №{order.number}: "
        items = [_part_item(title + order.description, part, sign, rate, lines[0].subject)
                 for rate, part in _split_by_rate(lines, payment.amount)]  # fmt: skip
        total = payment.amount
    regime = taxes.regime()
    receipt = {"client": _client_contact(order), "items": items, "payments": payments,
               "total": total, "tax_system": regime.tax_system,
               "cashier": payment.taken_by.name if payment.taken_by_id else ""}  # fmt: skip
    return sign, receipt


def queue_for(payment: Payment, order: Order, before: int) -> FiscalCheck | None:
    """In the payment's transaction: the receipt to register, if the rule says one is due.
    Idempotent: a payment has one receipt row (its external_id is the payment's)."""
    if path_of(payment, order) != "register":
        return None
    existing = FiscalCheck.get_or_none(FiscalCheck.external_id == f"pay-{payment.id}")
    if existing is not None:
        return existing
    sign, receipt = build_receipt(order, payment, before)
    return FiscalCheck.create(
        order=order.id, payment=payment.id, external_id=f"pay-{payment.id}", sign=sign,
        amount=payment.amount, receipt=receipt,
    )  # fmt: skip


def queue_refund(payment: Payment, amount: int) -> FiscalCheck | None:
    """Money given back of a payment whose receipt went through the register: a «возврат
    прихода» receipt for the amount (in the refund's transaction, registered later)."""
    sold = FiscalCheck.get_or_none(
        (FiscalCheck.payment == payment.id) & (FiscalCheck.operation == "sell")
    )
    if sold is None:
        return None  # YooKassa's, or none was due: nothing of ours to return
    order = Order.get_by_id(payment.order_id)
    n = (
        FiscalCheck.select()
        .where((FiscalCheck.payment == payment.id) & (FiscalCheck.operation == "sell_refund"))
        .count()
        + 1
    )
    first = sold.receipt["items"][0]
    receipt = {**sold.receipt, "client": _client_contact(order) or sold.receipt.get("client", {}),
               "items": [{**first, "name": f"Возврат по заказу №{order.number}", "price": amount,
                          "quantity": "1", "sum": amount}],
               "payments": [{"type": sold.receipt["payments"][0]["type"], "sum": amount}],
               "total": amount}  # fmt: skip
    return FiscalCheck.create(
        order=order.id, payment=payment.id, corrects=sold.id, operation="sell_refund",
        external_id=f"refund-{payment.id}-{n}", sign=sold.sign, amount=amount, receipt=receipt,
    )  # fmt: skip


# --- registering (the scheduler) ----------------------------------------------------------


def _claim(check: FiscalCheck, now: datetime) -> bool:
    """Take the row for one minute, so a second worker does not send it meanwhile."""
    return bool(
        FiscalCheck.update(next_try_at=now + timedelta(seconds=60))
        .where((FiscalCheck.id == check.id) & (FiscalCheck.next_try_at == check.next_try_at))
        .execute()
    )


def _tell_director(check: FiscalCheck, text: str) -> None:
    order = Order.get_by_id(check.order_id)
    for director in Employee.select().where((Employee.role == "director") & Employee.active):
        outbox.notify_staff(
            director, f"Чек по заказу №{order.number} на {format_money(check.amount)}: {text}",
            key=f"fiscal-problem:{check.id}:{check.attempts}:{director.id}", order=order,
        )  # fmt: skip


def _failed(check: FiscalCheck, exc: RegisterError, now: datetime) -> None:
    attempts = check.attempts + 1
    permanent = exc.permanent
    pause = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
    tell = not check.told and (permanent or attempts >= TELL_AFTER)
    FiscalCheck.update(
        attempts=attempts, error=str(exc)[:1000], status="failed" if permanent else check.status,
        next_try_at=now + timedelta(seconds=pause), told=check.told or tell,
    ).where(FiscalCheck.id == check.id).execute()  # fmt: skip
    if tell:
        check.attempts = attempts
        again = "Повторите из «Касса → Кассовые чеки»." if permanent else "Пробуем ещё."
        _tell_director(check, f"не пробит — {exc} {again}")


def _answered(check: FiscalCheck, answer: RegisterAnswer, now: datetime) -> None:
    if answer.status == "done":
        with database.atomic():
            won = (
                FiscalCheck.update(status="done", uuid=answer.uuid, fiscal=answer.fiscal,
                                   done_at=now, error="")
                .where((FiscalCheck.id == check.id) & (FiscalCheck.status != "done"))
                .execute()
            )  # fmt: skip
            if won:
                _send_link(check, answer.fiscal)
        return
    if answer.status == "fail":
        _failed(check, RegisterError(answer.error or "касса отклонила чек", permanent=True), now)
        return
    FiscalCheck.update(status="sent", uuid=answer.uuid, next_try_at=now + timedelta(seconds=POLL),
                       error="").where(FiscalCheck.id == check.id).execute()  # fmt: skip


def _send_link(check: FiscalCheck, fiscal: dict[str, str]) -> None:
    """The receipt goes to the client by their channel, through the outbox."""
    order = Order.get_by_id(check.order_id)
    what = {"sell": "Кассовый чек", "sell_refund": "Чек возврата"}.get(check.operation,
                                                                   "Чек коррекции")  # fmt: skip
    details = f"ФН {fiscal.get('fn', '')}, ФД {fiscal.get('fd', '')}, ФП {fiscal.get('fp', '')}"
    link = fiscal.get("link") or ""
    text = f"{what} по заказу №{order.number} на {format_money(check.amount)}: {link or details}"
    outbox.notify_client(order.client, text, key=f"fiscal-check:{check.id}", order=order)


def _step(register: CashRegister, check: FiscalCheck, now: datetime) -> None:
    try:
        if check.status == "sent" and check.uuid:
            answer = register.report(check.uuid)
        else:
            answer = register.send(check.operation, check.external_id, check.receipt)
    except RegisterError as exc:
        _failed(check, exc, now)
        return
    except Exception as exc:  # noqa: BLE001 - a receipt we cannot even build must not loop
        log.exception("fiscal check %s", check.id)
        _failed(
            check, RegisterError(f"чек не собран: {exc.__class__.__name__}", permanent=True), now
        )
        return
    _answered(check, answer, now)


def process_due(register: CashRegister, now: datetime | None = None, limit: int = 20) -> int:
    """Send queued receipts and ask about sent ones; returns how many were handled."""
    now = now or utcnow()
    due = list(
        FiscalCheck.select()
        .where(FiscalCheck.status.in_(["queued", "sent"]) & (FiscalCheck.next_try_at <= now))
        .order_by(FiscalCheck.next_try_at, FiscalCheck.id)
        .limit(limit)
    )
    handled = 0
    for check in due:
        if _claim(check, now):
            _step(register, check, now)
            handled += 1
    return handled


# --- the director's hand ------------------------------------------------------------------


def checks_for_director(actor: Actor, *, problems_only: bool = False, limit: int = 200) -> list:
    require_role(actor, "director")
    query = FiscalCheck.select().order_by(FiscalCheck.id.desc()).limit(limit)
    if problems_only:
        query = query.where(
            (FiscalCheck.status == "failed") | ((FiscalCheck.attempts > 0) & (FiscalCheck.status != "done"))
        )  # fmt: skip
    return list(query)


def retry(actor: Actor, check_id: int) -> FiscalCheck:
    """Send a receipt that did not pass once more (after the data was fixed). A receipt the
    register itself failed gets a new external_id: nothing was registered under the old one."""
    require_role(actor, "director")
    check = FiscalCheck.get_or_none(FiscalCheck.id == check_id)
    if check is None:
        raise NotFound("Чек не найден.")
    if check.status != "failed":
        raise ValidationError("Повторить можно только непробитый чек.")
    order = require_order(actor, check.order_id)
    receipt = dict(check.receipt)
    receipt["client"] = _client_contact(order) or receipt.get("client", {})
    base = check.external_id.split("~")[0]
    external_id = f"{base}~{check.attempts}" if check.uuid else check.external_id
    FiscalCheck.update(status="queued", attempts=0, told=False, next_try_at=utcnow(), uuid="",
                       external_id=external_id, receipt=receipt, error="").where(
        FiscalCheck.id == check.id).execute()  # fmt: skip
    return FiscalCheck.get_by_id(check.id)


def correct(actor: Actor, check_id: int, right_amount: int, reason: str = "") -> FiscalCheck:
    """A receipt registered with the wrong sum is fixed by a correction receipt (ФФД 1.2):
    коррекция прихода for money taken but not registered, коррекция возврата прихода for a sum
    registered above what was taken; it names the receipt it corrects."""
    require_role(actor, "director")
    check = FiscalCheck.get_or_none(FiscalCheck.id == check_id)
    if check is None or check.status != "done" or check.operation != "sell":
        raise ValidationError("Исправить можно только пробитый чек прихода.")
    order = require_order(actor, check.order_id)
    check_sum(right_amount, what="Верная сумма", allow_zero=True)
    diff = right_amount - check.amount
    if diff == 0:
        raise ValidationError("Сумма совпадает с пробитой — исправлять нечего.")
    operation = "sell_correction" if diff > 0 else "sell_refund_correction"
    when = to_local(check.done_at or check.created_at)
    fiscal = check.fiscal or {}
    receipt = dict(check.receipt)
    scale = abs(diff)
    rate = next((i.get("vat") for i in receipt.get("items", [])), None)
    receipt.update(
        items=[{"name": f"Исправление чека по заказу №{order.number}"[:128], "price": scale,
                "quantity": "1", "sum": scale, "okei": "796", "subject": check.receipt["items"][0]["subject"],
                "method": check.sign, "vat": rate}],
        payments=[{"type": check.receipt["payments"][0]["type"], "sum": scale}], total=scale,
        correction={"type": "self", "base_date": f"{when:%d.%m.%Y}",
                    "base_number": str(fiscal.get("fd", "")), "reason": reason[:200]},
    )  # fmt: skip
    n = FiscalCheck.select().where(FiscalCheck.corrects == check.id).count() + 1
    return FiscalCheck.create(
        order=order.id, payment=check.payment_id, corrects=check.id, operation=operation,
        external_id=f"corr-{check.id}-{n}", sign=check.sign, amount=scale, receipt=receipt,
    )  # fmt: skip
