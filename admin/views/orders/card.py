"""The order card and its buttons: move, pay, reply, issue and send documents, share the folder."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import fail, sees
from admin.views.orders.card_lines import fiscal_context, lines_context
from admin.views.orders.common import FIELD_LABELS, _names, _stages
from admin.views.orders.forms import MoveForm, PaymentForm, ReplyForm
from core.access import hidden_fields, require_order, sees_amount_to_collect
from core.base.clock import format_datetime
from core.base.db import database
from core.base.errors import BrigadirError, NotFound
from core.base.money import format_money
from core.conversations import outbox as core_outbox
from core.conversations import threads
from core.documents import issue, register
from core.files import shares
from core.files.attachments import files_of, order_folder_key
from core.money import expenses
from core.money import payments as core_payments
from core.money.models import Payment
from core.orders import orders as core_orders
from core.orders import pipelines
from core.orders.columns import custom_columns
from core.orders.models import Order, StageMove
from core.tasks import tasks
from storage.errors import StorageError


class OrderCardMixin:
    def card_context(self, order: Order) -> dict:
        actor = current_actor()
        hidden = hidden_fields(actor)
        view = core_orders.order_view(actor, order)
        moves = list(
            StageMove.select()
            .where(StageMove.order == order.id)
            .order_by(StageMove.at, StageMove.id)
        )
        payments = list(Payment.select().where(Payment.order == order.id).order_by(Payment.at))
        thread = threads.thread_of(actor, order.id)
        attachments = files_of(actor, order.id, kinds=None)  # a letter's files follow its mailbox
        documents = register.documents_of(actor, order_id=order.id)
        outbox = core_outbox.order_outbox(actor, order.id)  # others' mailboxes stay out
        order.unread = threads.unread_of(actor, order)
        move_form = MoveForm(formdata=None)
        move_form.stage.choices = [(s.id, s.name) for s in pipelines.stages_of(order.pipeline_id)]
        move_form.stage.data = (
            next_id.id if (next_id := pipelines.next_stage(order.stage)) else order.stage_id
        )
        return {
            "order": order, "fields": view, "hidden": hidden, "labels": FIELD_LABELS, "moves": moves,
            "custom_labels": custom_columns(),
            # a crew member's own visit: what to collect, whatever else is hidden
            "to_collect": order.debt if "debt" not in view and order.debt > 0
            and sees_amount_to_collect(actor, order, hidden=hidden) else None,
            "payments": payments, "thread": thread, "attachments": attachments, "documents": documents,
            "outbox": outbox, "move_form": move_form, "payment_form": PaymentForm(formdata=None),
            "reply_form": ReplyForm(formdata=None), "names": _names(), "stages": _stages(),
            "kinds": core_payments.KINDS, "methods": core_payments.METHODS,
            "can_edit_order": actor.is_staff_office, "money": format_money, "fmt_dt": format_datetime,
            **_folder_context(actor, order, hidden),
            "doc_kinds": issue.kinds_for(order, actor), "doc_names": issue.KINDS,
            "materials": expenses.order_money(actor, order.id), **lines_context(order), **fiscal_context(order),
        }  # fmt: skip

    @expose("/card/")
    def card_view(self):
        order = self._order_or_404(request.args.get("id"))
        return self.render("brigadir/order_card.html", **self.card_context(order))

    def _order_or_404(self, raw) -> Order:
        try:
            return require_order(current_actor(), int(raw))
        except (TypeError, ValueError, NotFound):
            abort(404)

    def _back(self, order_id: int | None = None):
        target = request.form.get("next", "")
        if target.startswith("/admin/") and not target.startswith("//"):
            return redirect(target)
        if order_id:
            return redirect(url_for("order.card_view", id=order_id))
        return redirect(url_for("order.index_view"))

    @expose("/move/", methods=["POST"])
    def move_view(self):
        order = self._order_or_404(request.form.get("id"))
        form = MoveForm()
        form.stage.choices = [(s.id, s.name) for s in pipelines.stages_of(order.pipeline_id)]
        if not form.validate():
            flash("Выберите этап.", "error")
            return self._back(order.id)
        try:
            move = core_orders.move_order(
                current_actor(), order.id, form.stage.data, form.comment.data or ""
            )
            flash(
                f"Заказ №{order.number}: «{move.from_stage.name}» → «{move.to_stage.name}».",
                "success",
            )
        except BrigadirError as exc:
            fail(exc)
        return self._back(order.id)

    @expose("/pay/", methods=["POST"])
    def pay_view(self):
        order = self._order_or_404(request.form.get("id"))
        form = PaymentForm()
        if not form.validate():
            for errors in form.errors.values():
                for error in errors:
                    flash(str(error), "error")
            return self._back(order.id)
        try:
            core_payments.add_payment(
                current_actor(),
                order.id,
                form.amount.data,
                kind=form.kind.data,
                method=form.method.data,
            )
            fresh = require_order(current_actor(), order.id)
            rest = f" Остаток: {format_money(fresh.debt)}." if sees("debt") else ""
            flash(f"Оплата {format_money(form.amount.data)} записана.{rest}", "success")
        except BrigadirError as exc:
            fail(exc)
        return self._back(order.id)

    @expose("/reply/", methods=["POST"])
    def reply_view(self):
        order = self._order_or_404(request.form.get("id"))
        form = ReplyForm()
        if not form.validate():
            flash("Напишите сообщение (до 4000 символов).", "error")
            return self._back(order.id)
        try:
            with database.atomic():
                threads.ask_client(current_actor(), order.id, form.text.data)
                threads.mark_read(current_actor(), order.id)
            flash("Сообщение поставлено в очередь на отправку клиенту.", "success")
        except BrigadirError as exc:
            fail(exc)
        return self._back(order.id)

    @expose("/document/", methods=["POST"])
    def document_view(self):
        """Issue a paper for the order: numbered, rendered, stored, listed on the card."""
        order = self._order_or_404(request.form.get("id"))
        kind = request.form.get("kind", "")
        if kind not in issue.kinds_for(order, current_actor()):
            flash("Выберите документ из списка.", "error")
            return self._back(order.id)
        try:
            document = issue.issue_document(
                current_actor(),
                kind,
                order.id,
                current_app.config["BRIGADIR_FILE_STORE"],
            )
            flash(issue.issued_words(kind, document.number), "success")
        except BrigadirError as exc:
            fail(exc)
        return self._back(order.id)

    @expose("/document/send/", methods=["POST"])
    def document_send_view(self):
        order = self._order_or_404(request.form.get("id"))
        try:
            document_id = int(request.form.get("document", ""))
        except ValueError:
            abort(404)
        if register.document_of_order(current_actor(), order.id, document_id) is None:
            abort(404)
        try:
            issue.send_document(current_actor(), document_id)
            flash("Документ поставлен в очередь на отправку клиенту.", "success")
        except BrigadirError as exc:
            fail(exc)
        return self._back(order.id)

    @expose("/share/", methods=["POST"])
    def share_view(self):
        """A public link to the order's folder: only on this button, logged, revocable."""
        order = self._order_or_404(request.form.get("id"))
        store = current_app.config["BRIGADIR_FILE_STORE"]
        try:
            if request.form.get("close"):
                shares.unshare_folder(current_actor(), order.id, store)
                flash("Доступ по ссылке к папке заказа закрыт.", "success")
            else:
                share = shares.share_folder(current_actor(), order.id, store)
                flash(f"Ссылка на папку заказа открыта: {share.url}", "success")
        except BrigadirError as exc:
            fail(exc)
        except StorageError as exc:
            flash(exc.message, "error")
        return self._back(order.id)

    @expose("/subcontract/", methods=["POST"])
    def subcontract_view(self):
        """ "Перезаказ получен": the subcontracted item is in, its reminders stop."""
        order = self._order_or_404(request.form.get("id"))
        try:
            tasks.receive_subcontract(current_actor(), order.id)
            flash(
                f"Заказ №{order.number}: перезаказ получен, напоминаний о нём больше не будет.",
                "success",
            )
        except BrigadirError as exc:
            fail(exc)
        return self._back(order.id)

    @expose("/read/", methods=["POST"])
    def read_view(self):
        order = self._order_or_404(request.form.get("id"))
        threads.mark_read(current_actor(), order.id)
        return self._back(order.id)


def _folder_context(actor, order: Order, hidden) -> dict:
    """The order's folder as the card shows it: its path and the stored link, if a person made
    one. Read from the database only: no call to the file store while a page is drawn."""
    if "folder" in hidden:
        return {"folder_path": "", "folder_share": None, "share_history": []}
    store = current_app.config.get("BRIGADIR_FILE_STORE")
    path = order.folder or (order_folder_key(order, store) if store is not None else "")
    history = shares.share_history(order.id)
    return {
        "folder_path": path,
        "folder_share": next((s for s in history if s.revoked_at is None), None),
        "share_history": history if actor.is_staff_office else [],
        # local folders have no public links: no button that could only fail
        "can_share": actor.is_staff_office and getattr(store, "can_share", False),
    }
