"""Files people send about their work: order photos and files, receipts, proof of a job.

The bytes go to a FileStore (local folders or Yandex Disk) given by the caller; the row
that points at them is written here, after the access check and after the store said yes.
Image validation happens before this, in the channel that received the bytes."""

from __future__ import annotations

from datetime import timedelta

from core.access import Actor, require_order, require_order_write
from core.clock import local_today, to_local, utcnow
from core.db import database
from core.errors import ValidationError
from core.interfaces import FileStore
from core.models import Attachment, CashMovement, Conversation, Employee, Order

__all__ = [
    "MAX_FILE_BYTES",
    "STAGED_RECEIPT_TTL",
    "attach_to_order",
    "discard_receipt",
    "order_folder_key",
    "save_receipt",
    "sweep_waiting_receipts",
]

# A receipt photo waits in the dialog this long for its words; then the dialog expires.
STAGED_RECEIPT_TTL = timedelta(hours=24)

MAX_FILE_BYTES = 20 * 1024 * 1024  # what the Telegram Bot API lets a bot download
KINDS = ("file", "photo", "receipt", "preview", "document", "proof")


def _check(data: bytes, name: str, kind: str) -> str:
    if kind not in KINDS:
        raise ValidationError(f"Неизвестный вид файла: «{kind}».")
    if not data:
        raise ValidationError("Файл пустой.")
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError("Файл больше 20 МБ — такой не принимаем.")
    return (name or "file").replace("\x00", "").strip()[:200] or "file"


def order_folder_key(order: Order, store: FileStore) -> str:
    """The order's folder: what the order says, else the store's name for it
    ("Клиенты/Иванов И.И/2026-11-23 №123 Баннер")."""
    if order.folder:
        return order.folder
    made = to_local(order.created_at).date()
    return store.order_folder(order.client.name, made, order.number, order.description)


def attach_to_order(
    actor: Actor,
    store: FileStore,
    order_id: int,
    name: str,
    data: bytes,
    content_type: str = "application/octet-stream",
    *,
    kind: str = "photo",
    folder: str | None = None,
) -> Attachment:
    """Store a file in the order's folder and list it on the order."""
    order = require_order(actor, order_id)
    require_order_write(actor, order)
    name = _check(data, name, kind)
    folder = folder or order_folder_key(order, store)
    stored = store.save(folder, name, data, content_type)
    try:
        with database.atomic():
            if not order.folder:
                Order.update(folder=folder).where(
                    (Order.id == order.id) & (Order.folder == "")
                ).execute()
            return Attachment.create(
                kind=kind, storage_key=stored.key, original_name=name, size=stored.size,
                content_type=stored.content_type or content_type, order=order,
                client=order.client_id, uploaded_by=actor.employee_id,
            )  # fmt: skip
    except Exception:
        store.delete(stored.key)  # no row, no file: nothing half-written
        raise


def save_receipt(
    actor: Actor, store: FileStore, name: str, data: bytes, content_type: str = "image/jpeg"
) -> Attachment:
    """A receipt photo kept under the employee's folder until an expense points at it."""
    if actor.employee_id is None:
        raise ValidationError("Чек может прислать только сотрудник.")
    name = _check(data, name, "receipt")
    employee = Employee.get_by_id(actor.employee_id)
    who = "".join(ch for ch in employee.name if ch not in '/\\:*?"<>|').strip() or "Сотрудник"
    folder = f"Чеки/{who}/{local_today():%Y-%m}"
    stored = store.save(folder, name, data, content_type)
    try:
        return Attachment.create(
            kind="receipt", storage_key=stored.key, original_name=name, size=stored.size,
            content_type=stored.content_type or content_type, uploaded_by=actor.employee_id,
        )  # fmt: skip
    except Exception:
        store.delete(stored.key)
        raise


def discard_receipt(store: FileStore, attachment_id: int) -> bool:
    """A receipt photo that no expense took (the dialog was cancelled or expired): its
    row and its file go. One an expense points at is kept. True when something went."""
    receipt = Attachment.get_or_none(
        (Attachment.id == attachment_id) & (Attachment.kind == "receipt")
    )
    if receipt is None or CashMovement.select().where(CashMovement.receipt == receipt).exists():
        return False
    key = receipt.storage_key
    receipt.delete_instance()
    store.delete(key)
    return True


def sweep_waiting_receipts(store: FileStore, ttl: timedelta = STAGED_RECEIPT_TTL) -> int:
    """Dialogs left with a waiting photo for longer than ttl expire: the dialog is reset and
    the photo deleted. Receipt photos no expense and no dialog holds (a crash between file
    and row) go too. Returns how many photos went."""
    cutoff = utcnow() - ttl
    gone = 0
    held: set[int] = set()
    with database.atomic():
        for conv in Conversation.select().where(Conversation.flow != ""):
            staged = [int(i) for i in (conv.data or {}).get("staged") or []]
            if conv.updated_at >= cutoff:
                held.update(staged)
                continue
            conv.flow, conv.step, conv.data, conv.updated_at = "", "", {}, utcnow()
            conv.save()
            gone += sum(discard_receipt(store, i) for i in staged)
        used = CashMovement.select(CashMovement.receipt).where(CashMovement.receipt.is_null(False))
        loose = Attachment.select(Attachment.id).where(
            (Attachment.kind == "receipt")
            & (Attachment.created_at < cutoff)
            & Attachment.id.not_in(used)
        )
        gone += sum(discard_receipt(store, a.id) for a in loose if a.id not in held)
    return gone
