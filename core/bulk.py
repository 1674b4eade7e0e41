"""Bulk follow-up: one text to a filtered set of clients, through the outbox.

Nothing is sent here: each client gets an outbox row (rate limits and channel fallback
are the deliverer's), keyed by the batch, so a repeated call adds nobody twice and the
batch's progress is read back from the outbox."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import peewee as pw

from core import outbox, templates
from core.access import Actor, require_role
from core.db import database
from core.errors import ValidationError
from core.models import Client, MessengerLink, Notification, Order, Stage
from core.money import format_money

__all__ = ["BulkReport", "bulk_message", "bulk_progress"]

MAX_TEXT = 1000


@dataclass(frozen=True)
class BulkReport:
    batch: str
    matched: int
    queued: int
    skipped_opt_out: int
    no_channel: int


def _fold(text: str) -> str:
    return text.strip().casefold().replace("ё", "е")


def _reachable(client: Client) -> bool:
    if client.phone or client.email:
        return True
    return (
        MessengerLink.select()
        .where((MessengerLink.client == client.id) & ~MessengerLink.blocked)
        .where(MessengerLink.channel.in_(("telegram", "viber")))
        .exists()
    )


def bulk_message(
    actor: Actor,
    text: str,
    *,
    with_debt: bool = False,
    stage: str | None = None,
    batch: str | None = None,
) -> BulkReport:
    """Queue `text` for every client matching the filter: with a debt, and/or with an open
    order in the stage named or coded `stage` ("ждёт оплаты"). Placeholders work: {ФИО},
    {остаток оплаты} (the client's whole debt), and, with a stage filter, the order's own."""
    require_role(actor, "director", "manager")
    text = (text or "").strip()
    if not text:
        raise ValidationError("Пустое сообщение.")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Сообщение длиннее {MAX_TEXT} символов.")
    templates.validate(text)
    if not with_debt and not stage:
        raise ValidationError("Выберите, кому писать: должникам или по этапу заказа.")
    query = Client.select()
    orders_in_stage: dict[int, Order] = {}
    if stage:
        wanted = _fold(stage)  # SQLite's LOWER() knows no Cyrillic: compare here
        stages = [s.id for s in Stage.select() if wanted in (_fold(s.name), _fold(s.code))]
        if not stages:
            raise ValidationError(f"Нет этапа «{stage}».")
        rows = Order.select().where(Order.stage.in_(stages) & ~Order.is_archived)
        for order in rows.order_by(Order.id):
            orders_in_stage.setdefault(order.client_id, order)
        if not orders_in_stage:
            query = query.where(Client.id == -1)
        else:
            query = query.where(Client.id.in_(list(orders_in_stage)))
    if with_debt:
        query = query.where(Client.debt > 0)
    batch = batch or uuid.uuid4().hex[:12]
    matched = queued = opted_out = unreachable = 0
    with database.atomic():
        for client in query.order_by(Client.id):
            matched += 1
            if client.opt_out:
                opted_out += 1
                continue
            if not _reachable(client):
                unreachable += 1
                continue
            order = orders_in_stage.get(client.id)
            context = templates.context_for_order(order) if order else {}
            context["ФИО"] = client.name  # the lazy context takes overrides as plain items
            if not order or with_debt:
                context["остаток оплаты"] = format_money(client.debt)
            key = f"bulk:{batch}:{client.id}"
            if Notification.select().where(Notification.idempotency_key == key).exists():
                continue
            outbox.notify_client(client, templates.render(text, context), key=key, order=order)
            queued += 1
    return BulkReport(batch, matched, queued, opted_out, unreachable)


def bulk_progress(batch: str) -> dict[str, int]:
    """How the batch is doing: counts by outbox status (pending, sending, sent, failed)."""
    rows = (
        Notification.select(Notification.status, pw.fn.COUNT(Notification.id).alias("n"))
        .where(Notification.idempotency_key.startswith(f"bulk:{batch}:"))
        .group_by(Notification.status)
        .tuples()
    )
    counts = {"pending": 0, "sending": 0, "sent": 0, "failed": 0}
    counts.update(dict(rows))
    return counts
