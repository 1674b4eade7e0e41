"""Files on the order card: upload several at once, mark a picture for the order form, and
(the director) delete. Writes go through core.files.attachments."""

from __future__ import annotations

from flask import current_app, flash, request
from flask_admin import expose

from admin.auth import current_actor
from admin.base import fail
from core.base.errors import BrigadirError
from core.files import attachments
from storage.errors import StorageError


class OrderFilesMixin:
    @expose("/files/", methods=["POST"])
    def upload_view(self):
        order = self._order_or_404(request.form.get("id"))
        store = current_app.config["BRIGADIR_FILE_STORE"]
        files = [f for f in request.files.getlist("files") if f and f.filename]
        if not files:
            flash("Выберите файлы для загрузки.", "error")
            return self._back(order.id)
        actor, done = current_actor(), 0
        for f in files:
            kind = "photo" if (f.mimetype or "").startswith("image/") else "file"
            try:
                attachments.attach_to_order(
                    actor, store, order.id, f.filename, f.read(), f.mimetype, kind=kind
                )
                done += 1
            except BrigadirError as exc:
                flash(f"«{f.filename}»: {exc}", "error")
            except StorageError as exc:
                flash(f"«{f.filename}»: {exc.message}", "error")
        if done:
            flash(f"Загружено файлов: {done}.", "success")
        return self._back(order.id)

    @expose("/file/", methods=["POST"])
    def file_view(self):
        order = self._order_or_404(request.form.get("id"))
        try:
            attachment_id = int(request.form.get("file", ""))
            if request.form.get("do") == "delete":
                store = current_app.config["BRIGADIR_FILE_STORE"]
                attachments.delete_attachment(current_actor(), store, attachment_id)
                flash("Файл удалён.", "success")
            else:
                attachments.set_preview(current_actor(), attachment_id)
                flash("Картинка будет напечатана на бланке заказа.", "success")
        except ValueError:
            flash("Выберите файл.", "error")
        except BrigadirError as exc:
            fail(exc)
        return self._back(order.id)
