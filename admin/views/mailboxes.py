"""Settings → mailboxes: who may read each mailbox (the director decides; he reads all).
How to reach a mailbox (IMAP/SMTP and passwords) stays in the config file."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import BrigadirView, fail
from core.base.errors import BrigadirError, NotFound
from core.conversations import mailboxes
from core.conversations.models import Mailbox
from core.people.models import Employee

__all__ = ["MailboxView"]


class MailboxView(BrigadirView):
    roles = ()  # the director only

    @expose("/")
    def index(self):
        boxes = list(Mailbox.select().order_by(Mailbox.id))
        members = {b.id: {e.id for e in mailboxes.members_of(b.id)} for b in boxes}
        managers = list(
            Employee.select()
            .where(Employee.active & (Employee.role == "manager"))
            .order_by(Employee.name)
        )
        return self.render(
            "brigadir/mailboxes.html", boxes=boxes, members=members, managers=managers
        )

    @expose("/<int:mailbox_id>/", methods=["POST"])
    def members_view(self, mailbox_id: int):
        ids = []
        for raw in request.form.getlist("member"):
            try:
                ids.append(int(raw))
            except ValueError:
                abort(400)
        try:
            box = mailboxes.set_members(current_actor(), mailbox_id, ids)
            flash(f"Доступ к ящику «{box.name}» сохранён.", "success")
        except NotFound:
            abort(404)
        except BrigadirError as exc:
            fail(exc)
        return redirect(url_for("mailboxes.index"))
