"""Files people send about their work: order photos and files, receipts, proof of a job.

The bytes go to a FileStore (local folders or Yandex Disk) given by the caller; the row
that points at them is written here, after the access check and after the store said yes.
Image validation happens before this, in the channel that received the bytes."""

from __future__ import annotations

from core.access import Actor, require_order, require_order_write, visible_message_filter
from core.clock import local_today, to_local
from core.db import database
from core.errors import ValidationError
from core.interfaces import FileStore
from core.models import Attachment, Employee, Message, Order

__all__ = ["MAX_FILE_BYTES", "attach_to_order", "files_of", "order_folder_key", "save_receipt"]

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


SENDABLE = ("file", "photo", "proof", "document")


def files_of(
    actor: Actor, order_id: int, kinds: tuple[str, ...] | None = SENDABLE
) -> list[Attachment]:
    """The order's files this actor may see (a letter's file follows its letter's mailbox);
    kinds=None: every kind (receipts and previews too)."""
    order = require_order(actor, order_id)
    query = Attachment.select().where(Attachment.order == order.id)
    if kinds is not None:
        query = query.where(Attachment.kind.in_(kinds))
    hidden = visible_message_filter(actor)
    if hidden is not None:
        seen = Message.select(Message.id).where((Message.order == order.id) & hidden)
        query = query.where(Attachment.message.is_null() | Attachment.message.in_(seen))
    return list(query.order_by(Attachment.created_at, Attachment.id))


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
