"""Mailings: one text to a chosen set of clients, through the outbox. Every mailing in the
product comes here (the mailing page, the order list's "Написать клиентам").

Who: debtors, and/or clients with an order in a stage, created in a period, or among the
orders picked in the list. A client who opted out is never written to; one with no way to
reach them is counted. A mailing is not a question on an order: its rows carry
kind="mailing", no order (so no "[Заказ №N]" subject, no reply filed into an old order,
no "call the client" task when undeliverable) and a subject of their own.

Nothing is sent here: each client gets an outbox row (rate limits and channel fallback
are the deliverer's), keyed by the batch, so a repeated call adds nobody twice and the
batch's progress is read back from the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import peewee as pw

from core.access import Actor, order_query, require_role
from core.base.clock import from_local
from core.base.db import database
from core.base.errors import ValidationError
from core.channels import prefs
from core.clients.models import Client
from core.conversations import delivery, outbox, templates
from core.conversations.models import Notification
from core.orders.models import Order, Stage

__all__ = ["MAILING", "BulkReport", "bulk_message", "bulk_progress", "recent_mailings"]

MAILING = "mailing"  # Notification.kind of a mailing's rows
MAX_TEXT = 1000
MAX_SUBJECT = 200
DEFAULT_SUBJECT = "Сообщение от {фирма}"
# Placeholders only an order can fill: a mailing with no order filter has none to use.
CLIENT_PLACEHOLDERS = ("ФИО", "остаток оплаты", "фирма", "телефон фирмы", "ссылка")


@dataclass(frozen=True)
class BulkReport:
    batch: str
    matched: int
    queued: int
    skipped_opt_out: int
    no_channel: int

    def summary(self) -> str:
        """One line for the person who sent it."""
        if not self.matched:
            return "Под условия не подошёл ни один клиент — никому не отправлено."
        return (
            f"Рассылка: клиентов {self.matched}, поставлено в отправку {self.queued}, "
            f"отказались от рассылок {self.skipped_opt_out}, нет способа связи {self.no_channel}."
        )


def _fold(text: str) -> str:
    return text.strip().casefold().replace("ё", "е")


def _stage_ids(stage: str) -> list[int]:
    if stage.isdigit():
        return [int(stage)] if Stage.get_or_none(Stage.id == int(stage)) else []
    wanted = _fold(stage)  # SQLite's LOWER() knows no Cyrillic: compare here
    return [s.id for s in Stage.select() if wanted in (_fold(s.name), _fold(s.code))]


def _orders(
    actor: Actor,
    stage: str | None,
    since: date | None,
    until: date | None,
    order_ids: list[int] | None,
) -> dict[int, Order] | None:
    """Each matching client's newest matching order; None when no order filter is set."""
    if not stage and since is None and until is None and order_ids is None:
        return None
    query = order_query(actor)
    if order_ids is not None:
        query = query.where(Order.id.in_(order_ids or [-1]))
    if stage:
        stages = _stage_ids(stage)
        if not stages:
            raise ValidationError(f"Нет этапа «{stage}».")
        query = query.where(Order.stage.in_(stages) & ~Order.is_archived)
    if since is not None:
        query = query.where(Order.created_at >= from_local(datetime.combine(since, time())))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time())
        query = query.where(Order.created_at < from_local(end))
    found: dict[int, Order] = {}
    for order in query.order_by(Order.id.desc()):
        found.setdefault(order.client_id, order)
    return found


def _check_text(text: str, subject: str, by_order: bool) -> tuple[str, str]:
    text, subject = (text or "").strip(), (subject or "").strip() or DEFAULT_SUBJECT
    if not text:
        raise ValidationError("Пустое сообщение.")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Сообщение длиннее {MAX_TEXT} символов.")
    if len(subject) > MAX_SUBJECT:
        raise ValidationError(f"Тема длиннее {MAX_SUBJECT} символов.")
    for part in (text, subject):
        templates.validate(part)
        if not by_order:
            needs_order = [
                f"{{{n}}}" for n in templates.placeholders_in(part) if n not in CLIENT_PLACEHOLDERS
            ]
            if needs_order:
                raise ValidationError(
                    f"Подстановка {', '.join(needs_order)} берётся из заказа, а в рассылке "
                    "по должникам заказа нет: выберите этап или период, или уберите её."
                )
    return text, subject


def bulk_message(
    actor: Actor,
    text: str,
    *,
    subject: str = "",
    with_debt: bool = False,
    stage: str | None = None,
    since: date | None = None,
    until: date | None = None,
    order_ids: list[int] | None = None,
    batch: str | None = None,
    dry_run: bool = False,
) -> BulkReport:
    """Queue `text` for every client matching all the filters given: with a debt; with an
    open order in the stage named, coded or numbered `stage` ("ждёт оплаты"); with an order
    created between `since` and `until` (local days); among the clients of `order_ids`.
    Placeholders: with an order filter, the order's (templates.context_for_order); without,
    {ФИО}, {остаток оплаты} (the client's whole debt), {фирма}, {телефон фирмы}, {ссылка}.
    Conditional parts "[…]" work as in templates. dry_run: the same report, nothing queued."""
    require_role(actor, "director", "manager")
    if not with_debt and not stage and since is None and until is None and order_ids is None:
        raise ValidationError("Выберите, кому писать: должникам, по этапу или по периоду заказов.")
    if since is not None and until is not None and since > until:
        since, until = until, since
    text, subject = _check_text(
        text, subject, by_order=bool(stage or since or until or order_ids is not None)
    )
    orders = _orders(actor, stage, since, until, order_ids)
    query = Client.select()
    if orders is not None:
        query = query.where(Client.id.in_(list(orders) or [-1]))
    if with_debt:
        query = query.where(Client.debt > 0)
    batch = batch or uuid.uuid4().hex[:12]
    with database.atomic():
        counts = _queue(query.order_by(Client.id), orders, text, subject, batch, dry_run)
    return BulkReport(batch, *counts)


def _queue(
    clients: Iterable[Client],
    orders: dict[int, Order] | None,
    text: str,
    subject: str,
    batch: str,
    dry_run: bool,
) -> tuple[int, int, int, int]:
    """One message per reachable client who has not opted out (a batch queued again skips
    whom it already reached). Returns matched, queued, opted out, unreachable."""
    matched = queued = opted_out = unreachable = 0
    usable = prefs.usable_channels()  # what the deliverer will try: the preview counts the same
    for client in clients:
        matched += 1
        if client.opt_out:
            opted_out += 1
            continue
        if not delivery.reachable(client, usable):
            unreachable += 1
            continue
        key = f"bulk:{batch}:{client.id}"
        if Notification.select().where(Notification.idempotency_key == key).exists():
            continue
        queued += 1
        if dry_run:
            continue
        order = (orders or {}).get(client.id)
        context = templates.context_for_mailing(client, order)
        outbox.notify_client(
            client,
            templates.render(text, context),
            subject=templates.render(subject, context)[:300],
            key=key,
            kind=MAILING,
        )
    return matched, queued, opted_out, unreachable


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


def recent_mailings(actor: Actor, limit: int = 10) -> list[dict]:
    """The last mailings, newest first: when, subject, and how many were sent / waiting /
    undeliverable (read back from the outbox)."""
    require_role(actor, "director", "manager")
    rows = (
        Notification.select(
            Notification.idempotency_key,
            Notification.subject,
            Notification.status,
            Notification.created_at,
        )  # fmt: skip
        .where(Notification.kind == MAILING)
        .order_by(Notification.id.desc())
        .limit(5000)  # enough for the last few mailings of a small firm
    )
    batches: dict[str, dict] = {}
    for note in rows:
        batch = note.idempotency_key.split(":")[1] if note.idempotency_key.count(":") >= 2 else ""
        entry = batches.setdefault(
            batch,
            {"batch": batch, "at": note.created_at, "subject": note.subject,
             "sent": 0, "waiting": 0, "failed": 0},
        )  # fmt: skip
        bucket = {"sent": "sent", "failed": "failed", "cancelled": "failed"}.get(note.status)
        entry[bucket or "waiting"] += 1
        if len(batches) > limit:
            batches.pop(batch)
            break
    return list(batches.values())
