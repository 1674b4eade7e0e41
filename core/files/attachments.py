"""Files people send about their work: order photos and files, receipts, proof of a job,
and what clients send in a messenger (a photo of the wall, a layout, a signed scan).

The bytes go to a FileStore (local folders or Yandex Disk) given by the caller; the row
that points at them is written here, after the access check and after the store said yes.
Image validation happens before this, in the channel that received the bytes."""

from __future__ import annotations

import mimetypes
from datetime import timedelta
from pathlib import PurePosixPath

from core.access import (
    Actor,
    require_order,
    require_order_write,
    require_role,
    visible_message_filter,
)
from core.base.clock import local_today, to_local, utcnow
from core.base.db import database
from core.base.errors import NotFound, ValidationError
from core.base.interfaces import FileStore
from core.clients.models import Client
from core.conversations import inbox, outbox
from core.conversations.delivery import responsible_employee
from core.conversations.models import Conversation, Message
from core.files.models import Attachment
from core.files.names import clean_file_name
from core.money.models import CashMovement
from core.orders.models import Order
from core.people.models import Employee

__all__ = [
    "CLIENT_FILE_TYPES", "MAX_FILE_BYTES", "STAGED_RECEIPT_TTL", "attach_to_order", "check_file",
    "client_folder_key", "delete_attachment", "discard_receipt", "file_into_order", "files_of",
    "order_folder_key", "receive_client_file", "save_receipt", "set_preview", "sweep_waiting_receipts",
]  # fmt: skip

# A receipt photo waits in the dialog this long for its words; then the dialog expires.
STAGED_RECEIPT_TTL = timedelta(hours=24)

MAX_FILE_BYTES = 20 * 1024 * 1024  # what the Telegram Bot API lets a bot download
KINDS = ("file", "photo", "receipt", "preview", "document", "proof")
# What a client may send: photos and scans, papers, print layouts, plans, archives of them.
CLIENT_FILE_TYPES = frozenset(
    "jpg jpeg png gif webp heic heif bmp tif tiff "
    "pdf doc docx xls xlsx odt ods rtf txt csv "
    "cdr ai eps psd svg indd dwg dxf "
    "zip rar 7z "
    "ogg oga opus mp3 m4a aac wav amr mp4 mov webm 3gp".split()  # voice notes, video
)
REFUSED_TYPE = (
    "Такой файл не принимаем{ext}. Пришлите фото, PDF, документ Word или Excel, макет "
    "(CDR, AI, EPS, PSD, TIFF, SVG) или архив ZIP."
)


def _check(data: bytes, name: str, kind: str) -> str:
    if kind not in KINDS:
        raise ValidationError(f"Неизвестный вид файла: «{kind}».")
    if not data:
        raise ValidationError("Файл пустой.")
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError("Файл больше 20 МБ — такой не принимаем.")
    return clean_file_name(name)  # no paths, no bidi tricks, no hidden files


def check_file(name: str, data: bytes) -> str:
    """Refuse an empty or oversized file before anything is written; the cleaned name."""
    return _check(data, name, "file")


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


def client_folder_key(client: Client) -> str:
    """Where a client's files live before they belong to an order (beside their mail)."""
    return f"Клиенты/{client.id}/Файлы"


def _extension(name: str, content_type: str) -> str:
    ext = PurePosixPath(name).suffix.lower().lstrip(".")
    if not ext and content_type:
        ext = (mimetypes.guess_extension(content_type) or "").lstrip(".")
    return ext


def _check_client_type(name: str, content_type: str) -> None:
    ext = _extension(name, content_type)
    if ext not in CLIENT_FILE_TYPES:
        raise ValidationError(REFUSED_TYPE.format(ext=f" (.{ext})" if ext else ""))


def receive_client_file(
    client_id: int,
    store: FileStore,
    name: str,
    data: bytes,
    content_type: str = "application/octet-stream",
    *,
    channel: str,
    kind: str = "file",
    caption: str = "",
    order_id: int | None = None,
    external_id: str | None = None,
) -> Message:
    """A file a client sent in a messenger: stored in their order's folder (or their
    card's), listed on the order with its caption as a message in the thread, and the
    responsible manager told. A refused file writes nothing; a redelivered one (same
    channel external id) is stored once."""
    if external_id:
        twin = Message.get_or_none(
            (Message.external_id == external_id) & (Message.channel == channel)
        )
        if twin is not None:
            return twin
    client = Client.get_by_id(client_id)
    order = None
    if order_id is not None:
        order = Order.get_or_none((Order.id == order_id) & (Order.client == client.id))
        if order is None:
            raise NotFound("Заказ не найден.")
    name = _check(data, name, kind)
    _check_client_type(name, content_type)
    caption = (caption or "").replace("\x00", "").strip()[:4000]
    folder = order_folder_key(order, store) if order is not None else client_folder_key(client)
    stored = store.save(folder, name, data, content_type)
    try:
        with database.atomic():
            if order is not None and not order.folder:
                Order.update(folder=folder).where(
                    (Order.id == order.id) & (Order.folder == "")
                ).execute()
            message = Message.create(
                order=order, client=client, direction="in", channel=channel,
                text=caption or f"📎 {name}", external_id=external_id, at=utcnow(),
            )  # fmt: skip
            Attachment.create(
                kind=kind, storage_key=stored.key, original_name=name, size=stored.size,
                content_type=stored.content_type or content_type, order=order, client=client,
                message=message,
            )  # fmt: skip
            if order is not None:
                Order.update(unread=Order.unread + 1).where(Order.id == order.id).execute()
            dialogue = inbox.file_chat(message, channel=channel)  # shown in the conversation
            what = "фото" if kind == "photo" else f"файл «{name}»"
            what += f": «{caption[:300]}»" if caption else ""
            _tell_manager(client, order, message, what, dialogue.assignee_id)
    except Exception:
        store.delete(stored.key)  # no row, no file
        raise
    return message


def _tell_manager(
    client: Client, order: Order | None, message: Message, what: str, assignee_id: int | None
) -> None:
    """The order's manager (else a director) hears of it through the outbox; a new person's
    file, the manager their conversation is assigned to — as their words would be."""
    assignee = Employee.get_or_none((Employee.id == assignee_id) & Employee.active)
    manager = assignee if client.is_lead and assignee else responsible_employee(order)
    if manager is None:
        return
    where = f"к заказу №{order.number}" if order is not None else "в карточку клиента"
    text = f"Клиент {client.name} прислал {where} {what}"
    if client.is_lead:
        first = not (
            Message.select()
            .where((Message.client == client.id) & (Message.direction == "in"))
            .where(Message.id != message.id)
            .exists()
        )
        channel = inbox.CHANNEL_NAMES.get(message.channel, message.channel)
        text = (f"{'Новое обращение' if first else 'Обращение'} ({channel}): {client.name} "
                f"прислал(а) {what}. Переписка — во «Входящих».")  # fmt: skip
    buttons = [[("Открыть заказ", f"order:{order.number}")]] if order is not None else None
    outbox.notify_staff(
        manager, text, key=f"client-file:{message.id}", order=order, buttons=buttons
    )


def file_into_order(actor: Actor, message_id: int, order_id: int) -> Message:
    """The client said which order a file on their card is about: the message and its
    files move there (the bytes stay where they are; the rows say where they belong)."""
    order = require_order(actor, order_id)
    message = Message.get_or_none(
        (Message.id == message_id) & (Message.client == order.client_id)
        & (Message.direction == "in") & Message.order.is_null()
    )  # fmt: skip
    if message is None:
        raise NotFound("Сообщение не найдено.")
    with database.atomic():
        message.order = order
        message.save()
        Attachment.update(order=order).where(Attachment.message == message.id).execute()
        Order.update(unread=Order.unread + 1).where(Order.id == order.id).execute()
    return message


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


def _order_attachment(actor: Actor, attachment_id: int) -> tuple[Attachment, Order]:
    attachment = Attachment.get_or_none(Attachment.id == attachment_id)
    if attachment is None or attachment.order_id is None:
        raise NotFound("Файл не найден.")
    order = require_order(actor, attachment.order_id)
    require_order_write(actor, order)
    return attachment, order


def set_preview(actor: Actor, attachment_id: int) -> Order:
    """The picture printed on the order form: one of the order's own images."""
    from core.orders.orders import update_order

    attachment, order = _order_attachment(actor, attachment_id)
    if not (attachment.content_type or "").startswith("image/"):
        raise ValidationError("Превью может быть только картинкой (фото, JPEG, PNG).")
    return update_order(actor, order.id, preview=attachment.storage_key)


def delete_attachment(actor: Actor, store: FileStore, attachment_id: int) -> None:
    """The director removes a file from an order: the row, the preview mark, then the bytes."""
    require_role(actor, "director")
    attachment, order = _order_attachment(actor, attachment_id)
    with database.atomic():
        if order.preview == attachment.storage_key:
            Order.update(preview="", version=Order.version + 1).where(
                Order.id == order.id
            ).execute()
        attachment.delete_instance()
    store.delete(attachment.storage_key)


def files_of_messages(actor: Actor, message_ids: list[int]) -> dict[int, list[Attachment]]:
    """The files of these messages (an opened conversation), by message; a message this
    person may not read keeps its files to itself."""
    if not message_ids:
        return {}
    query = Attachment.select().join(Message, on=(Attachment.message == Message.id))
    query = query.where(Attachment.message.in_(message_ids))
    hidden = visible_message_filter(actor)
    if hidden is not None:
        query = query.where(hidden)
    files: dict[int, list[Attachment]] = {}
    for row in query.order_by(Attachment.id):
        files.setdefault(row.message_id, []).append(row)
    return files


def own_staged_file(actor: Actor, attachment_id: int | None) -> Attachment | None:
    """A file this employee sent the bot a moment ago and the dialog keeps (a receipt photo,
    a photo waiting for its order): theirs only."""
    if attachment_id is None or actor.employee_id is None:
        return None
    return Attachment.get_or_none(
        (Attachment.id == attachment_id) & (Attachment.uploaded_by == actor.employee_id)
    )
