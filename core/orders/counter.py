"""The counter: a client (found or new), the order, its files and the preview in one step.

Everything is checked before the first write and written in one transaction; files stored
on the way are removed again if anything fails, so bad input leaves no row and no file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.access import Actor
from core.base.db import database
from core.base.errors import ValidationError
from core.base.interfaces import FileStore
from core.clients import clients
from core.files import attachments
from core.orders import orders
from core.orders.models import Order

__all__ = ["Upload", "take_order"]


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes
    content_type: str = "application/octet-stream"


def take_order(
    actor: Actor,
    store: FileStore,
    *,
    client_id: int | None = None,
    new_client: tuple[str, str] | None = None,
    new_client_fields: dict[str, str] | None = None,
    files: list[Upload] = (),  # type: ignore[assignment]
    preview: str | None = None,
    **order_fields: Any,
) -> Order:
    """new_client: (name, phone) made on the spot, new_client_fields its requisites (an ИНН
    makes it a firm's card; a wrong checksum is refused); preview: one uploaded image's name."""
    if client_id is None and not new_client:
        raise ValidationError("Выберите клиента или впишите нового: имя и телефон.")
    names = [attachments.check_file(f.name, f.data) for f in files]
    if preview and preview not in names:
        raise ValidationError("Превью выбирается из загруженных картинок.")
    stored: list[str] = []
    store_ = _Tracking(store, stored)
    try:
        with database.atomic():
            if new_client:
                fields = dict(new_client_fields or {})
                if fields.get("inn"):
                    fields["kind"] = "company"
                client_id = clients.create_client(actor, *new_client, **fields).id
            order = orders.create_order(actor, client_id, **order_fields)
            chosen = None
            for upload, name in zip(files, names, strict=True):
                kind = "photo" if upload.content_type.startswith("image/") else "file"
                attachment = attachments.attach_to_order(
                    actor, store_, order.id, name, upload.data, upload.content_type, kind=kind
                )
                if name == preview:
                    chosen = attachment
            if chosen is not None:
                order = attachments.set_preview(actor, chosen.id)
            return Order.get_by_id(order.id)
    except Exception:
        for key in stored:
            store.delete(key)
        raise


class _Tracking:
    """The store, noting every key it saved: the transaction's undo list for files."""

    def __init__(self, store: FileStore, keys: list[str]) -> None:
        self._store, self._keys = store, keys

    def save(self, folder: str, name: str, data: bytes, content_type: str) -> Any:
        stored = self._store.save(folder, name, data, content_type)
        self._keys.append(stored.key)
        return stored

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)
