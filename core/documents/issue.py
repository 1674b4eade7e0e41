"""Issue a document for an order: number it per type and year, render, store the PDF,
record the Document row. One transaction: a refused document consumes no number."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from core.access import Actor, can_see, require_order, require_role
from core.base import clock, runtime, settings
from core.base.db import database
from core.base.errors import AccessDenied, NotFound, ValidationError
from core.base.interfaces import FileStore
from core.base.phones import display_phone
from core.base.sequences import next_number
from core.clients.links import follow_link
from core.clients.models import Client
from core.conversations import outbox
from core.conversations.models import Message
from core.documents.cases import surname_first
from core.documents.data import (
    CashReceipt,
    Company,
    Contract,
    LineItem,
    OrderForm,
    Party,
    SaleDocument,
)
from core.documents.forms import render_contract, render_order_form, render_receipt
from core.documents.models import Document
from core.documents.sales import render_act, render_invoice
from core.documents.texts import Texts
from core.documents.transfer import render_upd, render_waybill
from core.documents.words import gendered
from core.files.attachments import order_folder_key
from core.money import taxes
from core.money.models import Payment
from core.orders.lines import lines_of
from core.orders.models import Order

__all__ = [
    "KINDS",
    "company_from_settings",
    "issue_document",
    "issued_words",
    "kinds_for",
    "may_read",
    "party_from_client",
    "send_document",
]

KINDS = {
    "invoice": "Счёт",
    "act": "Акт",
    "upd": "УПД",
    "waybill": "Накладная ТОРГ-12",
    "order_form": "Бланк заказа",
    "contract": "Договор-расписка",
    "receipt": "Квитанция",
}
# The papers whose name is feminine (the rest are masculine): «Квитанция № 1 выписана».
FEMININE = frozenset({"waybill", "receipt"})


def issued_words(kind: str, number: object) -> str:
    """ "Счёт № 12 выписан.", "Накладная ТОРГ-12 № 3 выписана." (core.documents.words)."""
    gender = "f" if kind in FEMININE else "m"
    return f"{KINDS[kind]} № {number} {gendered(gender, 'выписан', 'выписана')}."


_FIELDS = {f.name for f in dataclasses.fields(Company)}


def may_read(actor: Actor, kind: str, *, hidden: frozenset[str] | None = None) -> bool:
    """Every paper prints the order's money (a receipt its payment): whoever may not see
    that figure may not issue, send or open the paper either."""
    return can_see(actor, "payments" if kind == "receipt" else "document_total", hidden=hidden)


def _require_readable(actor: Actor, kind: str) -> None:
    if not may_read(actor, kind):
        raise AccessDenied(
            f"{KINDS[kind]} показывает суммы заказа, а они для вас скрыты. "
            "Попросите директора или менеджера."
        )


def kinds_for(order: Order, actor: Actor | None = None) -> list[str]:
    """The papers that make sense for this order, in the order people ask for them
    (of those, the ones this person may read when an actor is given): ТОРГ-12 when the firm
    keeps it, the cash receipt when the client paid in cash."""
    kinds = ["order_form", "invoice", "act", "upd"]
    if order.pipeline.code == "installation":
        kinds.insert(1, "contract")
    if settings.value("papers.torg12"):
        kinds.append("waybill")
    if Payment.select().where((Payment.order == order.id) & (Payment.method == "cash")).exists():
        kinds.append("receipt")
    return [k for k in kinds if actor is None or may_read(actor, k)]


def company_from_settings() -> Company:
    """Requisites from settings over the config file; the VAT words from the firm's regime."""
    values = {k: v for k, v in runtime.company().items() if k in _FIELDS}
    values["no_vat_reason"] = taxes.regime().no_vat_text()
    return Company(**{k: ("" if v is None else str(v)) for k, v in values.items()})


def party_from_client(client: Client) -> Party:
    return Party(
        name=client.name, kind=client.kind or "person", phone=display_phone(client.phone),
        address=client.address or "", inn=client.inn or "", kpp=client.kpp or "",
        ogrn=client.ogrn or "", bank=client.requisites or "",
        signer_post=client.signer_post or "", signer_name=client.signer_name or "",
    )  # fmt: skip


def order_items(order: Order) -> tuple[LineItem, ...]:
    """The order's positions as the papers print them."""
    return tuple(
        LineItem(line.name, line.quantity, line.unit, line.price, line.vat_rate, line.okei,
                 line.subject)
        for line in lines_of(order)
    )  # fmt: skip


def _sale(kind: str, number: int, date: dt.date, order: Order, opts: dict[str, Any]) -> Any:
    basis = f"Заказ № {order.number} от {clock.to_local(order.created_at):%d.%m.%Y}"
    days = int(settings.value("papers.invoice_days") or 5)
    pay_until = opts.get("pay_until") or (date + dt.timedelta(days=days))
    items = tuple(opts.get("items") or order_items(order))
    if kind == "waybill":  # ТОРГ-12 carries the order's goods; its work and services go elsewhere
        items = tuple(i for i in items if i.subject == "goods") or items
    return SaleDocument(
        number, date, company_from_settings(), party_from_client(order.client),
        items, basis=opts.get("basis", basis),
        pay_until=pay_until if kind == "invoice" else None,
        paid=order.paid if kind == "invoice" else 0, upd_status=int(opts.get("upd_status") or 0),
    )  # fmt: skip


def _order_form(date: dt.date, order: Order, actor: Actor, opts: dict[str, Any]) -> OrderForm:
    items = opts.get("items") or (order_items(order) if order.lines.exists() else ())
    return OrderForm(
        number=order.number, date=date, company=company_from_settings(),  # the order's number
        client=party_from_client(order.client), description=order.description, total=order.cost,
        advance=order.paid, due_date=order.due_date, items=tuple(items),
        manager=order.manager.name if order.manager_id else actor.name,
        preview_jpeg=opts.get("preview_jpeg"),
        track_url=opts.get("track_url") or follow_link(order.client),
    )  # fmt: skip


def _build(
    kind: str, number: int, date: dt.date, order: Order, actor: Actor, opts: dict[str, Any]
) -> Any:
    if kind in ("invoice", "act", "upd", "waybill"):
        return _sale(kind, number, date, order, opts)
    if kind == "order_form":
        return _order_form(date, order, actor, opts)
    company, client = company_from_settings(), party_from_client(order.client)
    if kind == "contract":
        object_type = " — ".join(x for x in (order.object_type, order.object_note) if x)
        return Contract(
            number, date, company, client, order.object_address, object_type,
            work=opts.get("work", order.description), total=order.cost, advance=order.paid,
            city=opts.get("city", ""), representative=opts.get("representative", ""),
        )  # fmt: skip
    return CashReceipt(
        number, date, company, payer=client.name, amount=int(opts["amount"]),
        payer_is_company=not client.is_person,
        purpose=opts.get("purpose", f"Оплата по заказу № {order.number}"),
        cashier=opts["cashier"], cashier_post=opts.get("cashier_post", ""),
    )  # fmt: skip


_RENDER = {
    "invoice": render_invoice,
    "act": render_act,
    "waybill": render_waybill,
    "upd": render_upd,
    "order_form": render_order_form,
    "contract": render_contract,
    "receipt": render_receipt,
}


def _printed(doc: Any) -> dict[str, Any]:
    """What was printed, JSON-safe, so a reprint matches (images are not kept in the row)."""

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if not isinstance(v, bytes)}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        if isinstance(value, dt.date):
            return value.isoformat()
        return value if isinstance(value, str | int | float | bool | type(None)) else str(value)

    return clean(dataclasses.asdict(doc))


def _cash_payment(order: Order, opts: dict[str, Any]) -> None:
    """A квитанция о приёме наличных is for cash only: the payment asked for (or the last cash
    one), with the real person who took the money and their post."""
    query = Payment.select().where(Payment.order == order.id)
    if opts.get("payment_id"):
        payment = query.where(Payment.id == int(opts["payment_id"])).first()
    else:
        payment = query.where(Payment.method == "cash").order_by(Payment.id.desc()).first()
    if payment is None:
        raise ValidationError(
            f"По заказу №{order.number} ещё нет оплат наличными — квитанцию выписывать не на что."
        )
    if payment.method != "cash":
        raise ValidationError("Квитанция о приёме наличных — только для оплаты наличными.")
    taker = payment.taken_by
    if taker is None:
        raise ValidationError("В оплате не записано, кто принял деньги: квитанцию не оформить.")
    opts.setdefault("amount", payment.amount)
    opts.setdefault("cashier", surname_first(taker.name))
    opts.setdefault("cashier_post", taker.position or "")


def _prepare(kind: str, order: Order, store: FileStore, opts: dict[str, Any]) -> None:
    if kind == "receipt" and not opts.get("cashier"):
        _cash_payment(order, opts)
    if kind == "order_form" and "preview_jpeg" not in opts and order.preview:
        if store.exists(order.preview):
            opts["preview_jpeg"] = store.read(order.preview)  # the preview the manager attached


def _keep(
    kind: str,
    date: dt.date,
    order: Order,
    actor: Actor,
    store: FileStore,
    doc: Any,
    pdf: bytes,
    previous: Document | None,
) -> tuple[Document, str]:
    """Store the PDF and write (or, for a reissued order form, rewrite) the Document row."""
    stored = store.save(
        order_folder_key(order, store), f"{KINDS[kind]} № {doc.number} от {date:%d.%m.%Y}.pdf",
        pdf, "application/pdf",
    )  # fmt: skip
    total = getattr(doc, "total", None) or getattr(doc, "amount", 0)
    values = {"kind": kind, "number": doc.number, "year": date.year, "date": date,
              "order": order, "client": order.client_id, "total": total,
              "storage_key": stored.key, "data": _printed(doc),
              "created_by": actor.employee_id}  # fmt: skip
    if previous is None:
        return Document.create(**values), stored.key
    Document.update(created_at=clock.utcnow(), **values).where(Document.id == previous.id).execute()
    return Document.get_by_id(previous.id), stored.key


def issue_document(
    actor: Actor,
    kind: str,
    order_id: int,
    store: FileStore,
    *,
    date: dt.date | None = None,
    texts: Texts | None = None,
    **opts: Any,
) -> Document:
    """Make and keep a document. opts: items (LineItem list), pay_until, basis, upd_status
    (sale papers); preview_jpeg, track_url (order form); work, city, representative
    (contract); payment_id or amount, purpose, cashier, cashier_post (receipt). Raises
    DocumentError (Russian) when data is missing."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    require_role(actor, "manager")
    order = require_order(actor, order_id)
    _require_readable(actor, kind)
    date = date or clock.local_today()
    _prepare(kind, order, store, opts)
    # An order form's number is its order's number; other papers are numbered per kind and
    # year. Reissuing an order form replaces its paper: one order, one form, one number.
    previous = (
        Document.get_or_none((Document.order == order.id) & (Document.kind == "order_form"))
        if kind == "order_form"
        else None
    )
    with database.atomic():
        number = order.number if kind == "order_form" else next_number(f"doc:{kind}:{date.year}")
        doc = _build(kind, number, date, order, actor, opts)
        pdf = _RENDER[kind](doc, texts=texts)  # DocumentError rolls the number back
        document, key = _keep(kind, date, order, actor, store, doc, pdf, previous)
    if previous is not None and previous.storage_key and previous.storage_key != key:
        store.delete(previous.storage_key)  # the replaced paper leaves no orphan file
    return document


# "Направляем вам …": the document's name as the object of the sentence.
_ACCUSATIVE = {
    "invoice": "счёт",
    "act": "акт выполненных работ",
    "waybill": "товарную накладную",
    "upd": "универсальный передаточный документ",
    "order_form": "бланк заказа",
    "contract": "договор-расписку",
    "receipt": "квитанцию",
}


def send_document(actor: Actor, document_id: int) -> Message:
    """Queue an issued document to the client as a file (through the outbox, on the client's
    channels) and keep the letter in the order's correspondence. The text promises no
    attachment: the deliverer attaches the file or adds a download link, per channel."""
    require_role(actor, "manager")
    document = Document.get_or_none(Document.id == document_id)
    if document is None or document.order_id is None:
        raise NotFound("Документ не найден.")
    order = require_order(actor, document.order_id)
    _require_readable(actor, document.kind)
    title = f"{KINDS[document.kind]} № {document.number} от {document.date:%d.%m.%Y}"
    text = (
        f"Здравствуйте, {order.client.name}! Направляем {_ACCUSATIVE[document.kind]} "
        f"№ {document.number} от {document.date:%d.%m.%Y} по заказу №{order.number}."
    )
    subject = f"[Заказ №{order.number}] {title}"
    with database.atomic():
        message = Message.create(
            order=order, client=order.client_id, direction="out", channel="auto",
            author=actor.employee_id, text=text, subject=subject, is_read=True,
        )  # fmt: skip
        message.notification = outbox.notify_client(
            order.client, text, key=f"document:{document.id}:message:{message.id}", order=order,
            subject=subject, attachments=[document.storage_key],
        )  # fmt: skip
        message.save()
    return message
