"""A public link to an order's folder (passport scans, signed contracts live there): made only
when a person asks, kept with who and when, closed by a person. Showing an order never
publishes anything and never waits for the file store."""

from __future__ import annotations

from core.access import Actor, hidden_fields, require_order, require_role
from core.base.clock import utcnow
from core.base.errors import AccessDenied, ValidationError
from core.base.interfaces import FileStore
from core.files.attachments import order_folder_key
from core.files.models import FolderShare
from core.orders.models import Order

__all__ = ["current_share", "share_folder", "share_history", "unshare_folder"]

NO_LINKS = (
    "Файлы хранятся на сервере фирмы: ссылку для клиента даёт только Яндекс Диск "
    "(раздел [storage] настроек)."
)


def current_share(order_id: int) -> FolderShare | None:
    """The open link of this order's folder, if one was made and not closed."""
    return (
        FolderShare.select()
        .where((FolderShare.order == order_id) & FolderShare.revoked_at.is_null())
        .order_by(FolderShare.id.desc())
        .first()
    )


def share_history(order_id: int) -> list[FolderShare]:
    return list(
        FolderShare.select().where(FolderShare.order == order_id).order_by(FolderShare.id.desc())
    )


def _order_for_sharing(actor: Actor, order_id: int) -> Order:
    require_role(actor, "manager")
    order = require_order(actor, order_id)
    if "folder" in hidden_fields(actor):
        raise AccessDenied("Папка заказа вам недоступна.")
    return order


def share_folder(actor: Actor, order_id: int, store: FileStore) -> FolderShare:
    """Publish the order's folder and record who did it. Storage errors (StorageError, a
    Russian message) pass through with nothing written."""
    order = _order_for_sharing(actor, order_id)
    existing = current_share(order.id)
    if existing is not None:
        return existing
    folder = order_folder_key(order, store)
    try:
        url = store.share_link(folder)
    except FileNotFoundError:
        raise ValidationError("В папке заказа ещё нет файлов — делиться нечем.") from None
    if not url:
        raise ValidationError(NO_LINKS)
    return FolderShare.create(order=order.id, folder=folder, url=url, shared_by=actor.employee_id)


def unshare_folder(actor: Actor, order_id: int, store: FileStore) -> FolderShare:
    """Close the link (the store first: if it fails, the link is still open and still shown)."""
    order = _order_for_sharing(actor, order_id)
    share = current_share(order.id)
    if share is None:
        raise ValidationError("Ссылка на папку не открыта.")
    store.unshare_link(share.folder)
    FolderShare.update(revoked_at=utcnow(), revoked_by=actor.employee_id).where(
        FolderShare.id == share.id
    ).execute()
    return FolderShare.get_by_id(share.id)
