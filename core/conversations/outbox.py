"""Writing to the outbox. Always called inside the transaction of the change announced,
so the change and its messages commit or vanish together. Delivery is scheduler/'s job."""

from __future__ import annotations

from core.access import Actor, require_order, visible_message_filter
from core.clients.models import Client
from core.conversations import templates
from core.conversations.models import Message, Notification
from core.orders.models import Order
from core.people.models import Employee

__all__ = [
    "notify_client", "notify_office", "notify_order_client", "notify_staff", "order_outbox",
]  # fmt: skip


def notify_client(
    client: Client,
    text: str,
    *,
    key: str,
    subject: str = "",
    order: Order | None = None,
    template_code: str | None = None,
    channel: str | None = None,
    attachments: list[str] | None = None,
    kind: str = "",
) -> Notification:
    return Notification.create(
        kind=kind,
        audience="client",
        client=client,
        order=order,
        template_code=template_code,
        subject=subject,
        text=text,
        channel=channel,
        attachments=attachments or [],
        idempotency_key=key,
    )


def notify_order_client(order: Order, template_code: str, *, key: str) -> Notification | None:
    """Render the order's template and queue it for the client (None if no such template)."""
    template = templates.template_for(template_code)
    if template is None:
        return None
    context = templates.context_for_order(order)
    return notify_client(
        order.client,
        templates.render(template.body, context),
        subject=templates.render(template.subject, context),
        key=key,
        order=order,
        template_code=template_code,
    )


def notify_staff(
    employee: Employee,
    text: str,
    *,
    key: str,
    order: Order | None = None,
    buttons: list[list[tuple[str, str]]] | None = None,
) -> Notification:
    return Notification.create(
        audience="staff",
        employee=employee,
        order=order,
        text=text,
        buttons=[[list(b) for b in row] for row in buttons or []],
        idempotency_key=key,
    )


def notify_office(order: Order, text: str, *, key: str) -> list[Notification]:
    """Something a client did by themself (portal, bot, online payment): the order's manager
    hears of it, or, for an order nobody took yet, every manager and the director."""
    people = [order.manager] if order.manager_id else list(
        Employee.select().where(Employee.role.in_(["director", "manager"]) & Employee.active)
    )  # fmt: skip
    return [
        notify_staff(
            person,
            text,
            key=f"{key}:{person.id}",
            order=order,
            buttons=[[("Открыть заказ", f"order:{order.number}")]],
        )  # fmt: skip
        for person in people
    ]


def order_outbox(actor: Actor, order_id: int, limit: int = 20) -> list[Notification]:
    """The order card's «Исходящие»: what went (or goes) out about the order, newest first.
    An answer sent from a mailbox this person may not read is left out with its letter."""
    order = require_order(actor, order_id)
    query = Notification.select().where(Notification.order == order.id)
    clause = visible_message_filter(actor)
    if clause is not None:
        unseen = Message.select(Message.notification).where(
            Message.notification.is_null(False) & ~clause
        )
        query = query.where(Notification.id.not_in(unseen))
    return list(query.order_by(Notification.id.desc()).limit(limit))
