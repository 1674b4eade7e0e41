"""What a client does for themself (portal, site widget, bots): their orders with history,
money, papers and files; a word in an order's thread; a new order with files. Every read
goes through core.access with the client's Actor, so only their own is ever returned."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.access import CLIENT_FILE_KINDS, SYSTEM, Actor, order_query, require_order
from core.base.clock import utcnow
from core.base.db import database
from core.base.errors import AccessDenied, NotFound, ValidationError
from core.base.interfaces import FileStore
from core.conversations import outbox, threads
from core.documents.issue import KINDS as PAPER_NAMES
from core.documents.models import Document
from core.files.attachments import attach_to_order
from core.files.models import Attachment
from core.money.models import OnlinePayment, Payment
from core.money.payments import METHODS
from core.orders.lines import lines_of
from core.orders.models import Order, Stage, StageMove
from core.orders.orders import create_order, order_view
from core.selfservice import booking
from core.selfservice.models import Visit

__all__ = [
    "MAX_FILES",
    "OrderPage",
    "my_document",
    "my_file",
    "my_orders",
    "new_order",
    "order_page",
    "write_to_order",
]

MAX_FILES = 10


@dataclass
class OrderPage:
    order: dict[str, Any]
    history: list[tuple[datetime, str]]  # (when, stage name)
    payments: list[tuple[datetime, int, str]]  # (when, kopecks, how)
    papers: list[dict[str, Any]]
    files: list[Attachment]
    thread: list[Any]
    visit: Visit | None = None
    visit_label: str = ""
    paying: bool = False  # an online payment was started and YooKassa has not answered yet
    # Online payments that came and are not (all) in the books: paid beside cash on site,
    # to be returned — the page says so instead of asking to pay again.
    to_return: list[Any] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    lines: list[Any] = field(default_factory=list)  # the order's positions (core.orders.lines)


def _client(actor: Actor) -> None:
    if actor.kind != "client" or actor.client_id is None:
        raise AccessDenied("Это раздел для клиента.")


def my_orders(actor: Actor) -> list[Order]:
    """All the client's orders, open ones first, newest first."""
    _client(actor)
    query = order_query(actor, Order.select(Order, Stage).join(Stage))
    return list(query.order_by(Order.is_archived, Order.id.desc()).limit(500))


def order_page(actor: Actor, order_id: int) -> OrderPage:
    _client(actor)
    order = require_order(actor, order_id)
    history = [
        (m.at, m.to_stage.name)
        for m in StageMove.select(StageMove, Stage)
        .join(Stage, on=StageMove.to_stage == Stage.id)
        .where(StageMove.order == order.id)
        .order_by(StageMove.at, StageMove.id)
    ]
    payments = [
        (p.at, p.amount, METHODS.get(p.method, p.method))
        for p in Payment.select().where(Payment.order == order.id).order_by(Payment.at)
    ]
    papers = [
        {"id": d.id, "name": PAPER_NAMES.get(d.kind, d.kind), "number": d.number, "date": d.date,
         "total": d.total}
        for d in Document.select().where((Document.order == order.id) & (Document.storage_key != ""))
        .order_by(Document.id)
    ]  # fmt: skip
    files = list(
        Attachment.select()
        .where((Attachment.order == order.id) & Attachment.kind.in_(CLIENT_FILE_KINDS))
        .order_by(Attachment.id)
    )
    visit = Visit.get_or_none(Visit.order == order.id)
    return OrderPage(
        order=order_view(actor, order),
        history=history,
        payments=payments,
        papers=papers,
        files=files,
        thread=threads.thread_of(actor, order.id),
        visit=visit,
        visit_label=booking.slot_label(visit) if visit else "",
        paying=order.debt > 0
        and OnlinePayment.select()
        .where((OnlinePayment.order == order.id) & (OnlinePayment.status == "pending"))
        .exists(),
        to_return=[
            (p.paid_at, p.amount - p.refunded)
            for p in OnlinePayment.select().where(
                (OnlinePayment.order == order.id)
                & (OnlinePayment.status == "succeeded")
                & OnlinePayment.payment.is_null()
                & (OnlinePayment.refunded < OnlinePayment.amount)
            )
        ],  # fmt: skip
        stages=[s.name for s in order.pipeline.stages.order_by(Stage.position)],
        lines=lines_of(order),
    )


def my_document(actor: Actor, document_id: int) -> Document:
    """A paper of one of the client's orders; anything else is "not found"."""
    _client(actor)
    doc = Document.get_or_none(Document.id == document_id)
    if doc is None or not doc.storage_key or doc.order_id is None:
        raise NotFound("Документ не найден.")
    require_order(actor, doc.order_id)  # NotFound for a foreign order
    return doc


def my_file(actor: Actor, attachment_id: int) -> Attachment:
    _client(actor)
    item = Attachment.get_or_none(Attachment.id == attachment_id)
    if item is None or item.order_id is None or item.kind not in CLIENT_FILE_KINDS:
        raise NotFound("Файл не найден.")
    require_order(actor, item.order_id)
    return item


def write_to_order(actor: Actor, order_id: int, text: str) -> Any:
    """The client's message lands in the order's thread, unread; the office is told."""
    _client(actor)
    order = require_order(actor, order_id)
    with database.atomic():
        message = threads.record_incoming(
            actor.client_id, text, channel="portal", order_id=order.id
        )
        outbox.notify_office(
            order,
            f"Сообщение от клиента по заказу №{order.number}: {message.text[:300]}",
            key=f"portal-message:{message.id}",
        )
    return message


def new_order(
    actor: Actor,
    store: FileStore | None,
    description: str,
    files: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> Order:
    """A new order from the client with files; it appears among new orders and the office is
    told. A refused file refuses the whole order: no order, no files."""
    _client(actor)
    files = [f for f in files if f[0] or f[1]]
    if len(files) > MAX_FILES:
        raise ValidationError(f"Не больше {MAX_FILES} файлов за раз.")
    if files and store is None:
        raise ValidationError("Файлы сейчас не принимаются. Опишите заказ словами.")
    saved: list[str] = []
    try:
        with database.atomic():
            order = create_order(SYSTEM, actor.client_id, description, source="portal")
            Order.update(unread=Order.unread + 1, updated_at=utcnow()).where(
                Order.id == order.id
            ).execute()
            for name, data, content_type in files:
                item = attach_to_order(
                    SYSTEM, store, order.id, name, data, content_type, kind="file"
                )
                saved.append(item.storage_key)
            outbox.notify_office(
                order,
                f"Новый заказ из личного кабинета: №{order.number} — {order.description[:200]}",
                key=f"portal-order:{order.id}",
            )
    except Exception:
        for key in saved:  # the rows rolled back; the bytes must go too
            store.delete(key)
        raise
    return Order.get_by_id(order.id)
