"""Attachments by storage key, through the FileStore given to create_app.

Only keys that belong to a record the person may see are served: an attachment of a
visible order, the order's preview, a document of a visible order, or (for whoever may
see that desk) a receipt. A guessed key gets a 404 like a missing one."""

from __future__ import annotations

import mimetypes

from flask import Blueprint, Response, abort, current_app, request
from flask_login import login_required

from admin.auth import current_actor
from core.access import can_see_message, can_see_money_of, visible_order_filter
from core.conversations.models import Message
from core.documents.issue import may_read
from core.documents.models import Document
from core.files.models import Attachment
from core.money.models import Account, CashMovement
from core.orders.models import Order

__all__ = ["bp"]

bp = Blueprint("files", __name__)


def _allowed(key: str) -> tuple[bool, str, str]:
    """(may see, content type, file name) for a storage key."""
    actor = current_actor()
    clause = visible_order_filter(actor)
    visible = Order.select(Order.id)
    if clause is not None:
        visible = visible.where(clause)
    attachment = Attachment.get_or_none(Attachment.storage_key == key)
    if attachment is not None and attachment.message_id is not None:
        # A letter's file follows its letter: a mailbox one may not read is a 404 here too.
        message = Message.get_or_none(Message.id == attachment.message_id)
        if message is not None and message.dialogue_id is not None:
            if not can_see_message(actor, message):
                return False, "", ""
            if actor.is_staff_office:
                return True, attachment.content_type, attachment.original_name
    if attachment is not None:
        if (
            attachment.order_id
            and Order.select()
            .where(Order.id == attachment.order_id)
            .where(Order.id.in_(visible))
            .exists()
        ):
            return True, attachment.content_type, attachment.original_name
        if attachment.client_id and actor.is_staff_office:
            return True, attachment.content_type, attachment.original_name
        receipt = CashMovement.get_or_none(CashMovement.receipt == attachment.id)
        if receipt is not None:
            account = Account.get_or_none(Account.id == receipt.from_account_id)
            owner = account.employee_id if account else None
            if actor.is_director or (owner and can_see_money_of(actor, owner)):
                return True, attachment.content_type, attachment.original_name
    if Order.select().where((Order.preview == key) & Order.id.in_(visible)).exists():
        return True, mimetypes.guess_type(key)[0] or "image/jpeg", key.rsplit("/", 1)[-1]
    doc = Document.get_or_none(Document.storage_key == key)
    if doc is not None and actor.is_staff_office and may_read(actor, doc.kind):
        # a paper prints sums: hidden from this person, its file is a 404 like a missing one
        return True, "application/pdf", key.rsplit("/", 1)[-1]
    return False, "", ""


@bp.route("/files/a/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    """A file by its record, not its storage key: the key holds the order's folder path,
    which a person with «Папка» hidden may not read (in a link's address either)."""
    row = Attachment.get_or_none(Attachment.id == attachment_id)
    return get(row.storage_key) if row is not None else abort(404)


@bp.route("/files/d/<int:document_id>")
@login_required
def document(document_id: int):
    row = Document.get_or_none(Document.id == document_id)
    return get(row.storage_key) if row is not None and row.storage_key else abort(404)


@bp.route("/files/p/<int:order_id>")
@login_required
def preview(order_id: int):
    """The order's preview picture (the one printed on the order form)."""
    row = Order.get_or_none(Order.id == order_id)
    return get(row.preview) if row is not None and row.preview else abort(404)


@bp.route("/files/<path:key>")
@login_required
def get(key: str):
    store = current_app.config.get("BRIGADIR_FILE_STORE")
    ok, content_type, name = _allowed(key)
    if not ok or store is None:
        abort(404)
    try:
        data = store.read(key)
    except (FileNotFoundError, KeyError, ValueError):
        abort(404)
    if request.args.get("thumb") and content_type.startswith("image/"):
        # Small pictures for cards and cash lists (storage.images: EXIF orientation, JPEG).
        from storage.images import thumbnail

        try:
            data, content_type = thumbnail(data, 192), "image/jpeg"
        except Exception:  # noqa: BLE001 - a broken image is served as it is
            pass
    response = Response(data, mimetype=content_type or "application/octet-stream")
    # Images inline (thumbnails); everything else as a download: no HTML from users runs here.
    inline = content_type.startswith("image/") and not request.args.get("download")
    issued = (
        request.args.get("inline")
        and content_type == "application/pdf"
        and Document.select().where(Document.storage_key == key).exists()
    )
    if issued:
        # A paper the app itself made opens on the card, ready for the printer: the browser's
        # PDF viewer needs a frame of this site and no sandbox.
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response
    if not inline:
        from urllib.parse import quote

        response.headers["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(name or 'file')}"
        )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/f/<token>")
def by_link(token: str):
    """A download link sent where a channel cannot carry the file (core.files.filelinks): no
    login, that one file only, until the link expires; anything else is a plain 404."""
    from core.files.filelinks import resolve

    store = current_app.config.get("BRIGADIR_FILE_STORE")
    key = resolve(token)
    if key is None or store is None:
        abort(404)
    try:
        data = store.read(key)
    except (FileNotFoundError, KeyError, ValueError):
        abort(404)
    from urllib.parse import quote

    name = key.rsplit("/", 1)[-1]
    response = Response(data, mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream")
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
