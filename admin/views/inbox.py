"""The inbox: letters of every mailbox and chats of every channel in one list, a
conversation read like in a mail program, and what a manager does with it.

Thin: lists, access and actions are core.conversations.inbox / core.conversations.inbox_actions / core.conversations.staffchat;
a conversation or letter the person may not see is a 404 like a missing one."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import BrigadirView, fail
from core.access import require_order, visible_orders
from core.base.clock import format_datetime
from core.base.errors import BrigadirError, NotFound, ValidationError
from core.base.money import parse_money
from core.base.phones import display_phone
from core.clients import leads
from core.conversations import inbox, inbox_actions, mailboxes, staffchat
from core.conversations.letters import safe_html
from core.conversations.models import Mailbox
from core.files import attachments
from core.orders.models import Order
from core.people.models import Employee

__all__ = ["InboxView", "counters"]

EXPORT_ROWS = 10_000


def counters() -> dict[str, int]:
    """The header's two numbers: unread conversations and unread staff-chat messages."""
    from flask_login import current_user

    if not current_user.is_authenticated:
        return {}
    actor = current_actor()
    return {"inbox": inbox.unread_total(actor), "team": staffchat.unread_count(actor)}


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


def _filter() -> inbox.InboxFilter:
    args = request.args
    status = args.get("status", "open")
    return inbox.InboxFilter(
        status=status if status in inbox.STATUSES else "open",
        mailbox_id=_int(args.get("mailbox")),
        channel=args.get("channel", "") if args.get("channel") in inbox.CHANNEL_NAMES else "",
        assignee_id=_int(args.get("assignee")),
        unread=args.get("unread") == "1",
        query=(args.get("q") or "")[:200],
    )


def _office() -> list[Employee]:
    return list(
        Employee.select()
        .where(Employee.active & Employee.role.in_(["director", "manager"]))
        .order_by(Employee.name)
    )


class InboxView(BrigadirView):
    roles = ("manager",)

    def _page(self, dialogue_id: int | None = None, *, images: int | None = None):
        actor = current_actor()
        flt = _filter()
        try:
            rows = inbox.inbox_page(actor, flt)
            opened = inbox.open_dialogue(actor, dialogue_id) if dialogue_id else None
        except NotFound:
            abort(404)
        letters = {}
        files: dict = {}
        if opened is not None:
            for m in opened[1]:
                if m.html:
                    letters[m.id] = safe_html(m.html, remote_images=images == m.id)
            files = attachments.files_of_messages(actor, [m.id for m in opened[1]])
        names = {e.id: e.name for e in Employee.select(Employee.id, Employee.name)}
        args = {k: v for k, v in request.args.items() if k not in ("images",)}
        return self.render(
            "brigadir/inbox.html", rows=rows, flt=flt, opened=opened, letters=letters, files=files,
            names=names, boxes=mailboxes.visible_mailboxes(actor), office=_office(),
            channels=inbox.CHANNEL_NAMES, statuses=inbox.STATUSES, args=args,
            box_names={b.id: b.name for b in Mailbox.select()}, phone=display_phone,
        )  # fmt: skip

    @expose("/")
    def index(self):
        return self._page()

    @expose("/<int:dialogue_id>/")
    def dialogue_view(self, dialogue_id: int):
        return self._page(dialogue_id, images=_int(request.args.get("images")))

    def _back(self, dialogue_id: int | None):
        keep = {k: v for k, v in request.form.items() if k.startswith("f_") and v}
        query = {k[2:]: v for k, v in keep.items()}
        if dialogue_id:
            return redirect(url_for("inbox.dialogue_view", dialogue_id=dialogue_id, **query))
        return redirect(url_for("inbox.index", **query))

    def _act(self, dialogue_id: int, action, done: str):
        try:
            action()
            flash(done, "success")
        except NotFound:
            abort(404)
        except BrigadirError as exc:
            fail(exc)
        return self._back(dialogue_id)

    @expose("/<int:dialogue_id>/reply/", methods=["POST"])
    def reply_view(self, dialogue_id: int):
        text = request.form.get("text", "")
        return self._act(
            dialogue_id,
            lambda: inbox_actions.reply(current_actor(), dialogue_id, text),
            "Ответ поставлен в очередь на отправку.",
        )

    @expose("/<int:dialogue_id>/note/", methods=["POST"])
    def note_view(self, dialogue_id: int):
        text = request.form.get("text", "")
        return self._act(
            dialogue_id,
            lambda: staffchat.add_note(current_actor(), text, dialogue_id=dialogue_id),
            "Заметка сохранена — клиент её не видит.",
        )

    @expose("/<int:dialogue_id>/assign/", methods=["POST"])
    def assign_view(self, dialogue_id: int):
        who = _int(request.form.get("assignee"))
        return self._act(
            dialogue_id,
            lambda: inbox.assign(current_actor(), dialogue_id, who),
            "Ответственный назначен." if who else "Ответственный снят.",
        )

    @expose("/<int:dialogue_id>/status/", methods=["POST"])
    def status_view(self, dialogue_id: int):
        status = request.form.get("status", "")
        done = {"open": "Переписка снова открыта.", "closed": "Переписка закрыта.",
                "spam": "Отмечено как спам."}.get(status, "")  # fmt: skip
        return self._act(
            dialogue_id, lambda: inbox.set_status(current_actor(), dialogue_id, status), done
        )

    @expose("/<int:dialogue_id>/order/", methods=["POST"])
    def link_view(self, dialogue_id: int):
        """Tie a whole conversation (a chat, say) to an order by its number."""
        actor = current_actor()
        number = _int(request.form.get("number", "").strip().lstrip("№"))
        try:
            inbox.messages_of(actor, dialogue_id)  # someone else's conversation: a 404
        except NotFound:
            abort(404)
        try:
            if number is None:
                raise ValidationError("Укажите номер заказа.")
            order = require_order(actor, number=number)
            inbox.link_order(actor, dialogue_id, order.id)
            flash(f"Переписка привязана к заказу №{order.number}.", "success")
        except BrigadirError as exc:
            fail(exc)
        return self._back(dialogue_id)

    @expose("/<int:dialogue_id>/is-client/", methods=["POST"])
    def is_client_view(self, dialogue_id: int):
        """«Это клиент …»: a new person's conversation joins the card the manager names."""
        who = request.form.get("who", "")
        return self._act(
            dialogue_id,
            lambda: leads.confirm_client(current_actor(), dialogue_id, leads.client_named(who).id),
            "Переписка присоединена к карточке клиента.",
        )

    @expose("/<int:dialogue_id>/lead-order/", methods=["POST"])
    def lead_order_view(self, dialogue_id: int):
        """A new person's request becomes an order in one click."""
        actor = current_actor()
        try:
            dialogue, _ = inbox.messages_of(actor, dialogue_id)
        except NotFound:
            abort(404)
        try:
            order = leads.order_from_lead(actor, dialogue.client_id or 0)
        except BrigadirError as exc:
            fail(exc)
            return self._back(dialogue_id)
        flash(f"Заказ №{order.number} оформлен, переписка в нём.", "success")
        return redirect(url_for("order.card_view", id=order.id))

    @expose("/letter/<int:message_id>/forward/", methods=["POST"])
    def forward_view(self, message_id: int):
        actor = current_actor()
        number = _int(request.form.get("number", "").strip().lstrip("№"))
        try:
            message, dialogue = inbox.letter_of(actor, message_id)
        except NotFound:
            abort(404)
        if number is None:
            flash("Укажите номер заказа.", "error")
            return self._back(dialogue.id)
        try:
            order = require_order(actor, number=number)
            inbox_actions.forward_letter(actor, message.id, order.id, self._store())
            flash(f"Письмо и вложения перенесены в заказ №{order.number}.", "success")
        except BrigadirError as exc:
            fail(exc)
        return self._back(dialogue.id)

    def _store(self):
        store = current_app.config.get("BRIGADIR_FILE_STORE")
        if store is None:
            abort(503)
        return store

    @expose("/letter/<int:message_id>/order/", methods=["GET", "POST"])
    def order_view(self, message_id: int):
        """A client and an order from a letter: the form comes prefilled."""
        actor = current_actor()
        try:
            message, dialogue = inbox.letter_of(actor, message_id)
            data = inbox_actions.prefill(actor, message_id)
        except NotFound:
            abort(404)
        errors: list[str] = []
        if request.method == "POST":
            data.update(
                name=request.form.get("name", "").strip(),
                phone=request.form.get("phone", "").strip(),
                description=request.form.get("description", "").strip(),
            )
            try:
                cost = parse_money(request.form.get("cost", "").strip() or "0", allow_zero=True)
                order = inbox_actions.order_from_letter(
                    actor, message.id, self._store(), name=data["name"], phone=data["phone"],
                    description=data["description"], cost=cost,
                )  # fmt: skip
                flash(f"Заказ №{order.number} создан, письмо и вложения в нём.", "success")
                return redirect(url_for("order.card_view", id=order.id))
            except BrigadirError as exc:
                errors.append(str(exc))
        return self.render(
            "brigadir/inbox_order.html", message=message, dialogue=dialogue, data=data,
            errors=errors, cost=request.form.get("cost", ""),
        )  # fmt: skip

    @expose("/export.csv")
    def export_view(self):
        """The list as CSV, under the same filter and the same access rule."""
        actor = current_actor()
        rows = inbox.inbox_query(actor, _filter()).limit(EXPORT_ROWS)
        boxes = {b.id: b.name for b in Mailbox.select()}
        names = {e.id: e.name for e in Employee.select(Employee.id, Employee.name)}
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["Когда", "Канал", "Ящик", "От кого", "Адрес", "Тема", "Непрочитано",
                         "Ответственный", "Заказ", "Последнее сообщение"])  # fmt: skip
        orders = {o.id: o.number for o in visible_orders(actor, Order.id, Order.number).where(
            Order.id.in_([r.order_id for r in rows if r.order_id] or [-1]))}  # fmt: skip
        for r in rows:
            writer.writerow([
                format_datetime(r.last_at), inbox.CHANNEL_NAMES.get(r.channel, r.channel),
                boxes.get(r.mailbox_id, ""), r.contact_name, r.contact, r.subject, r.unread,
                names.get(r.assignee_id, ""), orders.get(r.order_id, ""), r.last_text,
            ])  # fmt: skip
        data = "\ufeff" + out.getvalue()  # Excel opens UTF-8 CSV with a BOM
        return Response(
            data, mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=inbox.csv"},
        )  # fmt: skip
