"""Papers from the messenger: the office picks a document for an order and gets the PDF
at once; one more tap sends it to the client through the outbox."""

from __future__ import annotations

from bots.flows.context import Ctx
from bots.flows.registry import command, payload
from bots.flows.staff import _number, _order
from bots.flows.types import OutFile, Reply
from core.access import Actor, require_order, require_role
from core.documents.issue import KINDS, issue_document, kinds_for, send_document
from core.documents.words import quoted
from core.orders.models import Order

__all__ = ["document_buttons"]


def document_buttons(order: Order, actor: Actor) -> list[list[tuple[str, str]]]:
    """The papers that fit this order and this person (core decides), two per row."""
    buttons = [(f"📄 {KINDS[k]}", f"doc:{order.id}:{k}") for k in kinds_for(order, actor)]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


@payload("docs")
def docs_menu(ctx: Ctx, arg: str) -> list[Reply]:
    require_role(ctx.staff, "manager")
    order = _order(ctx, arg)
    buttons = document_buttons(order, ctx.staff)
    if not buttons:
        return [Reply("Документы показывают суммы заказа, а они для вас скрыты.")]
    return [Reply(f"Какой документ по заказу №{order.number}?", buttons=buttons)]


@payload("doc")
def make_document(ctx: Ctx, arg: str) -> list[Reply]:
    order_id, _, kind = arg.partition(":")
    if kind not in KINDS:
        return [Reply("Такого документа нет. Откройте заказ заново.")]
    return _issue(ctx, _order(ctx, order_id), kind)


@command("invoice", "schet")
def invoice_command(ctx: Ctx) -> list[Reply]:
    """/invoice 123 — the invoice for order №123, as a PDF."""
    ctx.reset()
    if not ctx.incoming.args.strip():
        return [Reply("Напишите номер заказа: /invoice 123")]
    return _issue(ctx, require_order(ctx.staff, number=_number(ctx.incoming.args)), "invoice")


def _issue(ctx: Ctx, order: Order, kind: str) -> list[Reply]:
    document = issue_document(ctx.staff, kind, order.id, ctx.deps.store)
    data = ctx.deps.store.read(document.storage_key)
    name = document.storage_key.rsplit("/", 1)[-1]
    return [
        Reply(
            f"{KINDS[kind]} № {document.number} по заказу №{order.number} готов.",
            file=OutFile(name, data, "application/pdf"),
            buttons=[[("📤 Отправить клиенту", f"docsend:{document.id}")]],
        )
    ]


@payload("docsend")
def send_to_client(ctx: Ctx, arg: str) -> list[Reply]:
    if not arg.isdigit():
        return [Reply("Эта кнопка устарела. Откройте заказ заново.")]
    message = send_document(ctx.staff, int(arg))
    return [
        Reply(
            f"Отправляю клиенту {quoted(message.client.name)}: сообщение с документом в очереди, "
            "дойдёт по его каналу (Telegram, Viber, почта)."
        )
    ]
