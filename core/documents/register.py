"""The register of issued papers: every Document with its type, number, date, client, order
and sum, filtered by type, period and client, and exported to XLSX or CSV.

The sum is money: a person for whom order sums are hidden (core.access) gets no sum column,
on the page and in the export alike."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import peewee as pw

from core.access import Actor, can_see, hidden_fields, require_order, require_role
from core.base.errors import ValidationError
from core.clients.clients import find_clients
from core.clients.models import Client
from core.documents.issue import KINDS, may_read
from core.documents.models import Document
from core.orders.models import Order

__all__ = [
    "COLUMNS", "RegisterRow", "columns_for", "document_of_order", "documents_of", "export_register",
    "register",
]  # fmt: skip

COLUMNS = {
    "kind": "Тип",
    "number": "Номер",
    "date": "Дата",
    "client": "Клиент",
    "order": "Заказ",
    "total": "Сумма, ₽",
}
LIMIT = 5000  # a register page or file holds at most this many papers; narrow the filter


@dataclass(frozen=True)
class RegisterRow:
    id: int
    kind: str  # the Russian name
    number: int
    date: date
    client: str
    client_id: int | None
    order: int | None  # the order's number
    order_id: int | None
    total: int | None  # kopecks; None when hidden from this person
    storage_key: str


def columns_for(actor: Actor, *, hidden: frozenset[str] | None = None) -> dict[str, str]:
    """The register's columns this person may see (`hidden`: hidden_fields(actor) when the
    caller already has it)."""
    if not can_see(actor, "document_total", hidden=hidden):
        return {k: v for k, v in COLUMNS.items() if k != "total"}
    return dict(COLUMNS)


def register(
    actor: Actor,
    *,
    kind: str | None = None,
    start: date | None = None,
    end: date | None = None,
    client: str | int | None = None,
    limit: int = LIMIT,
) -> list[RegisterRow]:
    """Papers newest first. `client` is a client's id or the first letters / phone digits
    that find_clients understands."""
    require_role(actor, "manager")
    if kind and kind not in KINDS:
        raise ValidationError("Нет такого типа документа.")
    query = (
        Document.select(
            Document, Client.name.alias("client_name"), Order.number.alias("order_number")
        )
        .join(Client, pw.JOIN.LEFT_OUTER, on=(Document.client == Client.id))
        .switch(Document)
        .join(Order, pw.JOIN.LEFT_OUTER, on=(Document.order == Order.id))
    )
    if kind:
        query = query.where(Document.kind == kind)
    if start:
        query = query.where(Document.date >= start)
    if end:
        query = query.where(Document.date <= end)
    if isinstance(client, int):
        query = query.where(Document.client == client)
    elif client and client.strip():
        found = [c.id for c in find_clients(actor, client, limit=50)]
        query = query.where(Document.client.in_(found or [0]))
    hidden = hidden_fields(actor)
    show_sum = "total" in columns_for(actor, hidden=hidden)
    rows = query.order_by(Document.date.desc(), Document.id.desc()).limit(limit).objects()
    return [
        RegisterRow(
            id=d.id, kind=KINDS.get(d.kind, d.kind), number=d.number, date=d.date,
            client=d.client_name or "", client_id=d.client_id, order=d.order_number,
            order_id=d.order_id, total=d.total if show_sum else None,
            storage_key=d.storage_key if may_read(actor, d.kind, hidden=hidden) else "",
        )
        for d in rows
    ]  # fmt: skip


def _values(row: RegisterRow, keys: list[str]) -> list[object]:
    values = {
        "kind": row.kind, "number": row.number, "date": row.date, "client": row.client,
        "order": row.order, "total": None if row.total is None else row.total / 100,
    }  # fmt: skip
    return [values[k] for k in keys]


def export_register(actor: Actor, rows: list[RegisterRow], fmt: str) -> bytes:
    """XLSX (dates as dates, sums as numbers Excel adds up) or CSV for Excel in Russian
    (semicolons, decimal commas, dd.mm.yyyy), headers in Russian."""
    cols = columns_for(actor)
    keys = list(cols)
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.utils import get_column_letter

        book = Workbook()
        sheet = book.active
        sheet.title = "Документы"
        sheet.append(list(cols.values()))
        for row in rows:
            sheet.append(_values(row, keys))
        for key, number_format, width in (
            ("date", "DD.MM.YYYY", 12),
            ("total", "#,##0.00", 14),
            ("client", None, 36),
        ):
            if key not in keys:
                continue
            letter = get_column_letter(keys.index(key) + 1)
            sheet.column_dimensions[letter].width = width
            for (cell,) in sheet.iter_rows(
                min_row=2, min_col=keys.index(key) + 1, max_col=keys.index(key) + 1
            ):
                if number_format:
                    cell.number_format = number_format
        buf = io.BytesIO()
        book.save(buf)
        return buf.getvalue()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(cols.values())
        for row in rows:
            writer.writerow(
                (
                    v.strftime("%d.%m.%Y") if isinstance(v, date)
                    else f"{v:.2f}".replace(".", ",") if isinstance(v, float)
                    else "" if v is None else v
                )
                for v in _values(row, keys)
            )  # fmt: skip
        return out.getvalue().encode("utf-8-sig")
    raise ValidationError("Выгрузка: XLSX или CSV.")


def documents_of(
    actor: Actor, *, order_id: int | None = None, client_id: int | None = None
) -> list[Document]:
    """The papers of one order (its card, oldest first) or of one client (the client card,
    newest first) — of an order this person may see; a client's only for the office. Whether
    a paper's file opens is core.files.served's (its sums may be hidden)."""
    if order_id is not None:
        order = require_order(actor, order_id)
        query = Document.select().where(Document.order == order.id)
        return list(query.order_by(Document.created_at, Document.id))
    if client_id is None or not actor.is_staff_office:
        return []
    query = Document.select().where(Document.client == client_id)
    return list(query.order_by(Document.created_at.desc(), Document.id.desc()))


def document_of_order(actor: Actor, order_id: int, document_id: int) -> Document | None:
    """One paper of an order this person may see (None: missing, hidden or another order's)."""
    order = require_order(actor, order_id)
    return Document.get_or_none((Document.id == document_id) & (Document.order == order.id))
