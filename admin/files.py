"""Attachments by storage key, through the FileStore given to create_app. Which keys a person
may open is decided in core (core.files.served): a guessed key gets a 404 like a missing one."""

from __future__ import annotations

import mimetypes

from flask import Blueprint, Response, abort, current_app, request
from flask_login import login_required

from admin.auth import current_actor
from core.files import served
from core.files.names import clean_file_name, content_disposition

__all__ = ["bp"]

bp = Blueprint("files", __name__)


@bp.route("/files/a/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    """A file by its record, not its storage key: the key holds the order's folder path,
    which a person with «Папка» hidden may not read (in a link's address either)."""
    key = served.attachment_key(current_actor(), attachment_id)
    return get(key) if key is not None else abort(404)


@bp.route("/files/d/<int:document_id>")
@login_required
def document(document_id: int):
    key = served.document_key(current_actor(), document_id)
    return get(key) if key is not None else abort(404)


@bp.route("/files/p/<int:order_id>")
@login_required
def preview(order_id: int):
    """The order's preview picture (the one printed on the order form)."""
    key = served.preview_key(current_actor(), order_id)
    return get(key) if key is not None else abort(404)


@bp.route("/files/<path:key>")
@login_required
def get(key: str):
    store = current_app.config.get("BRIGADIR_FILE_STORE")
    found = served.served(current_actor(), key)
    if found is None or store is None:
        abort(404)
    content_type, name = found.content_type, found.name
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
        and served.is_issued_paper(key)
    )
    if issued:
        # A paper the app itself made opens on the card, ready for the printer: the browser's
        # PDF viewer needs a frame of this site and no sandbox.
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response
    if not inline:
        response.headers["Content-Disposition"] = content_disposition(name)
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
    name = clean_file_name(key)
    response = Response(data, mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream")
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
