"""Client payments against orders. Debt = cost − payments, kept on the order and client."""

from __future__ import annotations

from core.access import Actor, require_order, require_role, sees_amount_to_collect
from core.base.clock import utcnow
from core.base.db import database
from core.base.errors import ValidationError
from core.base.money import check_sum, format_money
from core.clients.models import Client
from core.money import cash, fiscal_checks
from core.money.models import Payment
from core.orders.models import Order

__all__ = ["KINDS", "METHODS", "add_payment", "take_back"]

KINDS = {"advance": "Аванс", "final": "Остаток оплаты", "other": "Оплата"}
METHODS = {"cash": "Наличные", "card": "Карта", "transfer": "Перевод", "online": "Онлайн"}


def add_payment(
    actor: Actor,
    order_id: int,
    amount: int,
    *,
    kind: str = "advance",
    method: str = "cash",
    note: str = "",
    at: object = None,
) -> Payment:
    """Record money from the client. Cash lands on the taker's own cash desk until handed over."""
    require_role(actor, "manager", "executor")
    order = require_order(actor, order_id)
    check_sum(amount, what="Сумма оплаты")
    if kind not in KINDS:
        raise ValidationError(f"Неизвестный вид оплаты: «{kind}».")
    if method not in METHODS:
        raise ValidationError(f"Неизвестный способ оплаты: «{method}».")
    if amount > order.debt:
        left = (
            f" — осталось получить {format_money(order.debt)}"
            if sees_amount_to_collect(actor, order)
            else ""
        )
        raise ValidationError(
            f"Оплата {format_money(amount)} больше остатка по заказу №{order.number}{left}."
        )
    with database.atomic():
        payment = Payment.create(
            order=order, amount=amount, kind=kind, method=method, taken_by=actor.employee_id,
            note=note.strip(), at=at or utcnow(),
        )  # fmt: skip
        changed = (
            Order.update(paid=Order.paid + amount, debt=Order.debt - amount, updated_at=utcnow())
            .where((Order.id == order.id) & (Order.debt >= amount))
            .execute()
        )
        if changed != 1:  # paid by someone else meanwhile
            raise ValidationError(
                f"Остаток по заказу №{order.number} уже изменился. Проверьте оплату."
            )
        Client.update(paid_total=Client.paid_total + amount, debt=Client.debt - amount).where(
            Client.id == order.client_id
        ).execute()
        if method == "cash":
            cash.record_collection(actor, payment)
        # the receipt is written here and registered by the scheduler, outside this transaction
        fiscal_checks.queue_for(payment, Order.get_by_id(order.id), before=order.paid)
    return payment


def take_back(actor: Actor, payment_id: int, amount: int, note: str = "") -> Payment:
    """Money returned to the client (a refund of a non-cash payment): the order's paid sum
    drops and its debt grows by the same, on the order and the client, in one transaction."""
    require_role(actor, "manager")
    payment = Payment.get_or_none(Payment.id == payment_id)
    if payment is None:
        raise ValidationError("Оплата не найдена.")
    order = require_order(actor, payment.order_id)
    check_sum(amount, what="Сумма возврата")
    if amount > payment.amount or amount > order.paid:
        raise ValidationError(
            f"Вернуть можно не больше {format_money(min(payment.amount, order.paid))}."
        )
    with database.atomic():
        Order.update(paid=Order.paid - amount, debt=Order.debt + amount, updated_at=utcnow()).where(
            Order.id == order.id
        ).execute()
        Client.update(paid_total=Client.paid_total - amount, debt=Client.debt + amount).where(
            Client.id == order.client_id
        ).execute()
        stamp = f"Возврат {format_money(amount)} {utcnow():%d.%m.%Y}" + (
            f": {note}" if note else ""
        )
        Payment.update(note=(payment.note + "\n" + stamp).strip()).where(
            Payment.id == payment.id
        ).execute()
        fiscal_checks.queue_refund(payment, amount)  # «возврат прихода», if ours was the receipt
    return Payment.get_by_id(payment.id)
