"""Online payment of an order (YooKassa through the PaymentGateway interface).

Start: the client asks to pay the order's debt; a row with a fresh idempotence key is
written first, so a retried request cannot create a second charge, then the provider gives
the confirmation page the client is sent to.
Result: only the provider's notification moves money, and only after the payment is
fetched back from the provider's API (the posted body is never believed) and its amount,
currency, status and our own row id match; a notification from an address the provider
does not publish is refused first. The Payment is recorded through core.money.payments once:
the row's conditional status change and the unique provider id make a replay a no-op."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

import peewee as pw

from core.access import SYSTEM, Actor, order_query, require_order, require_role
from core.base import runtime
from core.base.clock import utcnow
from core.base.db import database
from core.base.errors import AccessDenied, BrigadirError, NotFound, ValidationError
from core.base.interfaces import GatewayError, GatewayPayment, PaymentGateway
from core.base.money import format_money
from core.conversations import outbox
from core.money.models import OnlinePayment
from core.money.payments import add_payment, take_back
from core.orders.models import Order

log = logging.getLogger(__name__)

__all__ = [
    "NotificationRefused",
    "UntrustedSource",
    "accept_notification",
    "check_on_return",
    "check_payment",
    "check_pending",
    "online_payments_of",
    "receipt_for",
    "refund",
    "start_payment",
]

REUSE_FOR = timedelta(minutes=30)  # a pending payment link is offered again instead of a new one
NOTIFICATION_GRACE = timedelta(minutes=2)  # the periodic check leaves a fresh payment to it
PENDING_FOR = timedelta(days=7)  # older pending payments are the provider's expired ones


class NotificationRefused(BrigadirError):
    """A provider notification that cannot be believed; nothing was written."""


class UntrustedSource(NotificationRefused):
    """The notification came from an address the provider does not publish."""


def receipt_for(order: Order, amount: int) -> dict[str, Any] | None:
    """54-ФЗ receipt data when the firm turned receipts on: the customer's contact and one
    line for the order (the provider's format)."""
    conf = runtime.config().yookassa
    if not conf.receipts:
        return None
    client = order.client
    customer = {"phone": client.phone.lstrip("+")} if client.phone else {"email": client.email}
    if not client.phone and not client.email:
        raise ValidationError("Для чека нужен телефон или e-mail клиента.")
    receipt: dict[str, Any] = {
        "customer": customer,
        "items": [
            {
                "description": f"Заказ №{order.number}: {order.description}"[:128],
                "quantity": "1.00",
                "amount": {"value": f"{amount // 100}.{amount % 100:02d}", "currency": "RUB"},
                "vat_code": conf.vat_code,
                "payment_mode": "full_payment" if amount >= order.debt else "partial_payment",
                "payment_subject": "service",
            }
        ],
    }
    if conf.tax_system_code:
        receipt["tax_system_code"] = conf.tax_system_code
    return receipt


def start_payment(actor: Actor, gateway: PaymentGateway, order_id: int, return_url: str) -> str:
    """The confirmation page to send the client to, for the order's whole debt."""
    if actor.kind != "client":
        raise AccessDenied("Оплату онлайн начинает клиент.")
    order = require_order(actor, order_id)
    amount = order.debt
    if amount <= 0:
        raise ValidationError(f"Заказ №{order.number} уже оплачен.")
    recent = (
        OnlinePayment.select()
        .where(
            (OnlinePayment.order == order.id)
            & (OnlinePayment.status == "pending")
            & (OnlinePayment.amount == amount)
            & (OnlinePayment.created_at > utcnow() - REUSE_FOR)
        )
        .order_by(OnlinePayment.id.desc())
        .first()
    )
    if recent is not None and recent.confirmation_url:
        return recent.confirmation_url
    receipt = receipt_for(order, amount)
    row = OnlinePayment.create(
        order=order.id, client=order.client_id, amount=amount,
        idempotence_key=uuid.uuid4().hex, receipt=receipt,
    )  # fmt: skip
    try:
        made = gateway.create(
            amount, f"Оплата заказа №{order.number}", row.idempotence_key, return_url,
            {"order_id": str(order.id), "online_payment": str(row.id)}, receipt,
        )  # fmt: skip
    except GatewayError:
        OnlinePayment.update(status="failed").where(OnlinePayment.id == row.id).execute()
        raise ValidationError("Не удалось начать оплату. Попробуйте чуть позже.") from None
    OnlinePayment.update(
        external_id=made.id, status=made.status, confirmation_url=made.confirmation_url
    ).where(OnlinePayment.id == row.id).execute()
    if not made.confirmation_url:
        raise ValidationError("Платёжная система не дала ссылку на оплату. Попробуйте позже.")
    return made.confirmation_url


def _matches(row: OnlinePayment, paid: GatewayPayment) -> bool:
    return (
        paid.id == row.external_id
        and paid.amount == row.amount
        and paid.currency == "RUB"
        and str(paid.metadata.get("online_payment", "")) == str(row.id)
        and str(paid.metadata.get("order_id", "")) == str(row.order_id)
    )


def accept_notification(gateway: PaymentGateway, body: Any, source_ip: str) -> str:
    """Act on a provider notification; returns what happened. NotificationRefused: nothing
    was written (unknown address, unknown payment, or the API disagrees with us)."""
    if not gateway.trusted_source(source_ip):
        raise UntrustedSource(f"Уведомление не от платёжной системы ({source_ip}).")
    event = body.get("event", "") if isinstance(body, dict) else ""
    if isinstance(event, str) and event.startswith("refund."):
        return "ignored"  # refunds are ours and recorded when made; nothing to believe here
    obj = body.get("object") if isinstance(body, dict) else None
    payment_id = obj.get("id") if isinstance(obj, dict) else None
    if not isinstance(payment_id, str) or not 0 < len(payment_id) <= 64:
        raise NotificationRefused("В уведомлении нет платежа.")
    row = OnlinePayment.get_or_none(OnlinePayment.external_id == payment_id)
    if row is None:
        raise NotificationRefused("Неизвестный платёж.")
    try:
        actual = gateway.fetch(payment_id)  # the API's word, not the body's
    except GatewayError:
        raise NotificationRefused("Платёж не удалось проверить в платёжной системе.") from None
    if not _matches(row, actual):
        raise NotificationRefused("Платёж в платёжной системе не совпадает с заказом.")
    return _settle(row, actual)


def _settle(row: OnlinePayment, actual: GatewayPayment) -> str:
    """Act on the provider's own word about a payment that matches our row."""
    if actual.status == "succeeded" and actual.paid:
        return "recorded" if _record(row) else "already recorded"
    if actual.status == "canceled":
        OnlinePayment.update(status="canceled").where(
            (OnlinePayment.id == row.id) & (OnlinePayment.status != "succeeded")
        ).execute()
        return "canceled"
    return "pending"


def check_payment(gateway: PaymentGateway, row: OnlinePayment) -> str:
    """Ask the provider about one payment we still think pending (no notification came):
    "recorded" / "already recorded" / "canceled" / "pending", or "unreachable" and
    "mismatch" (nothing written)."""
    try:
        actual = gateway.fetch(row.external_id)
    except GatewayError:
        return "unreachable"
    if not _matches(row, actual):
        log.warning("online payment %s: the provider's payment does not match", row.id)
        return "mismatch"
    return _settle(row, actual)


def _pending(since_at: object, before: object) -> pw.Expression:
    return (
        (OnlinePayment.status == "pending")
        & OnlinePayment.external_id.is_null(False)
        & (OnlinePayment.created_at > since_at)
        & (OnlinePayment.created_at <= before)
    )


def check_on_return(actor: Actor, gateway: PaymentGateway, order_id: int) -> list[str]:
    """The client is back from the provider's page: their order's pending payments are
    fetched at once, so the order is paid even when the notification never comes (a firm
    without a public address gets none)."""
    require_order(actor, order_id)
    now = utcnow()
    rows = OnlinePayment.select().where(
        _pending(now - PENDING_FOR, now) & (OnlinePayment.order == order_id)
    )
    return [check_payment(gateway, row) for row in rows.order_by(OnlinePayment.id)]


def check_pending(gateway: PaymentGateway, limit: int = 100) -> dict[str, int]:
    """The periodic check: payments pending longer than a notification takes, and younger
    than a provider keeps them open, asked one by one. {outcome: how many}."""
    now = utcnow()
    rows = (
        OnlinePayment.select()
        .where(_pending(now - PENDING_FOR, now - NOTIFICATION_GRACE))
        .order_by(OnlinePayment.id)
        .limit(limit)
    )
    counts: dict[str, int] = {}
    for row in rows:
        outcome = check_payment(gateway, row)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _record(row: OnlinePayment) -> bool:
    """The order's Payment, once. False if an earlier notification already recorded it."""
    now = utcnow()
    with database.atomic():
        won = (
            OnlinePayment.update(status="succeeded", paid_at=now)
            .where((OnlinePayment.id == row.id) & (OnlinePayment.status != "succeeded"))
            .execute()
        )
        if not won:
            return False
        order = Order.get_by_id(row.order_id)
        try:
            payment = add_payment(
                SYSTEM, order.id, row.amount, kind="final" if row.amount >= order.debt else "other",
                method="online", note=f"ЮKassa {row.external_id}",
            )  # fmt: skip
        except ValidationError:
            # Money arrived but the debt shrank meanwhile (cash on site): the books keep only
            # what was owed; the office returns the money and the client hears it now.
            payment = None
            outbox.notify_office(
                order, f"Онлайн-оплата {format_money(row.amount)} по заказу №{order.number} "
                "больше остатка — проверьте и оформите возврат.", key=f"online-over:{row.id}",
            )  # fmt: skip
            left = f" (осталось {format_money(order.debt)})" if order.debt > 0 else ""
            outbox.notify_client(
                order.client, f"Ваша онлайн-оплата {format_money(row.amount)} по заказу "
                f"№{order.number} получена, но заказ уже оплачен на месте{left}. Мы вернём "
                "деньги на карту — менеджер свяжется с вами.", key=f"online-over-client:{row.id}",
                order=order,
            )  # fmt: skip
        if payment is not None:
            OnlinePayment.update(payment=payment).where(OnlinePayment.id == row.id).execute()
            outbox.notify_client(
                order.client, f"Оплата {format_money(row.amount)} по заказу №{order.number} "
                "получена. Спасибо!", key=f"online-paid:{row.id}", order=order,
            )  # fmt: skip
            outbox.notify_office(
                order,
                f"Онлайн-оплата {format_money(row.amount)} по заказу №{order.number}",
                key=f"online-paid:{row.id}",
            )
    return True


def refund(actor: Actor, gateway: PaymentGateway, online_payment_id: int, amount: int) -> str:
    """Return money of a succeeded online payment (the director or a manager, from the admin).
    The order's paid sum and debt change only once the provider accepted the refund."""
    require_role(actor, "manager")
    row = OnlinePayment.get_or_none(OnlinePayment.id == online_payment_id)
    if row is None or row.status != "succeeded" or row.payment_id is None:
        raise NotFound("Онлайн-оплата не найдена или ещё не прошла.")
    require_order(actor, row.order_id)
    left = row.amount - row.refunded
    if not 0 < amount <= left:
        raise ValidationError(f"Вернуть можно от 0,01 ₽ до {format_money(left)}.")
    key = f"refund-{row.id}-{row.refunded}-{amount}"  # the same click twice → one refund
    try:
        status = gateway.refund(row.external_id, amount, key)
    except GatewayError:
        raise ValidationError("Платёжная система не приняла возврат. Попробуйте позже.") from None
    if status == "canceled":
        raise ValidationError("Платёжная система отклонила возврат.")
    with database.atomic():
        changed = (
            OnlinePayment.update(refunded=OnlinePayment.refunded + amount)
            .where((OnlinePayment.id == row.id) & (OnlinePayment.refunded == row.refunded))
            .execute()
        )
        if changed:
            take_back(actor, row.payment_id, amount, note=f"ЮKassa {row.external_id}")
    return status


def online_payments_of(actor: Actor, order_id: int) -> list[OnlinePayment]:
    require_order(actor, order_id)
    return list(
        OnlinePayment.select().where(OnlinePayment.order == order_id).order_by(OnlinePayment.id)
    )


def online_payments_page(
    actor: Actor, order_id: int | None = None, limit: int = 200
) -> list[OnlinePayment]:
    """«Онлайн-оплаты»: the newest online payments of orders this person may see (with their
    order), or of one order."""
    query = order_query(actor, OnlinePayment.select(OnlinePayment, Order).join(Order))
    if order_id:
        query = query.where(OnlinePayment.order == order_id)
    return list(query.order_by(OnlinePayment.id.desc()).limit(limit))
