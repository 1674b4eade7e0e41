"""Staff chat in the admin: the common room and a direct chat with each colleague."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import BrigadirView, fail
from core.base.errors import BrigadirError, NotFound
from core.conversations import staffchat

__all__ = ["TeamView"]


class TeamView(BrigadirView):
    roles = ("manager", "executor")

    @expose("/")
    def index(self):
        actor = current_actor()
        chats = staffchat.rooms_of(actor)
        chosen = request.args.get("chat", "")
        try:
            if chosen.startswith("with-"):
                dialogue = staffchat.direct(actor, int(chosen[5:]))
            elif chosen.isdigit():
                dialogue = staffchat.history(actor, int(chosen))[0]
            else:
                dialogue = staffchat.room()
            dialogue, rows = staffchat.history(actor, dialogue.id)
        except (NotFound, ValueError):
            abort(404)
        except BrigadirError as exc:
            fail(exc)
            return redirect(url_for("team.index"))
        chats = staffchat.rooms_of(actor)  # unread marks after reading this one
        title = next((name for d, name, _ in chats if d.id == dialogue.id), "Общий чат")
        return self.render("brigadir/team.html", chats=chats, dialogue=dialogue, rows=rows,
                           title=title, me=actor.employee_id)  # fmt: skip

    @expose("/counters")
    def counters_view(self):
        """The header's numbers for counters.js (every member of staff may ask)."""
        from admin.views.inbox import counters

        return jsonify(counters())

    @expose("/order-note/", methods=["POST"])
    def order_note_view(self):
        """An internal note from the order card (the card lives in admin/views/orders/card.py)."""
        try:
            order_id = int(request.form.get("id", ""))
            staffchat.add_note(current_actor(), request.form.get("text", ""), order_id=order_id)
            flash("Заметка сохранена — клиент её не видит.", "success")
        except (NotFound, ValueError):
            abort(404)
        except BrigadirError as exc:
            fail(exc)
        return redirect(url_for("order.card_view", id=order_id))

    @expose("/post/", methods=["POST"])
    def post_view(self):
        try:
            dialogue_id = int(request.form.get("chat", ""))
        except ValueError:
            abort(404)
        try:
            staffchat.post(current_actor(), dialogue_id, request.form.get("text", ""))
        except NotFound:
            abort(404)
        except BrigadirError as exc:
            flash(str(exc), "error")
        return redirect(url_for("team.index", chat=dialogue_id))
