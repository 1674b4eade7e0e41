"""«Звонки»: the call log, «Обзвон» (the calls to make, one click each through the PBX),
the managers' statistics, and the live caller's card every admin page asks for."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import BrigadirView, back_url, fail, period_from_request
from core.base.clock import from_local
from core.base.errors import AccessDenied, BrigadirError, NotFound
from core.base.ratelimit import TooManyAttempts
from core.calls import actions, cards, options, queries
from core.calls.models import Call
from core.calls.pbx import PbxError
from core.calls.stats import call_stats

__all__ = ["CallsView", "calls_of", "install", "pbx_on"]

PAGE = 50
FILTERS = {"": "Все", "in": "Входящие", "out": "Исходящие", "missed": "Пропущенные"}


def pbx_on() -> bool:
    """Whether a PBX is chosen (the pages then ask for ringing calls)."""
    return bool(options.telephony()["provider"])


def calls_of(kind: str, record_id: int) -> list[Call]:
    """The calls of an order or a client card as the person of this request may hear them."""
    actor = current_actor()
    if kind == "order":
        return queries.calls_of_order(actor, record_id)
    return queries.calls_of_client(actor, record_id)


def _pbx():
    from bots.phone import pbx

    return pbx()


def _links(card: cards.CallerCard) -> dict:
    links = {"counter": url_for("order.create_view", phone=card.phone or None)}
    if card.client_id:
        links["client"] = url_for("client.card_view", id=card.client_id)
    for o in card.orders:
        o["url"] = url_for("order.card_view", id=o["id"])
    return links


class CallsView(BrigadirView):
    roles = ("manager", "executor")

    @expose("/")
    def index(self):
        actor = current_actor()
        tab = request.args.get("tab", "log")
        if tab == "list":
            return self.render("brigadir/calls.html", tab=tab, rows=actions.call_list(actor),
                               extension=actions.extension_of(actor))  # fmt: skip
        if tab == "stats" and actor.is_staff_office:
            start, end = period_from_request()
            stats = call_stats(actor, from_local(datetime.combine(start, time())),
                               from_local(datetime.combine(end + timedelta(days=1), time())))  # fmt: skip
            return self.render("brigadir/calls.html", tab=tab, stats=stats, start=start, end=end)
        shown = request.args.get("show", "")
        query = queries.visible_calls(actor).where(Call.ended_at.is_null(False))
        if shown in ("in", "out"):
            query = query.where(Call.direction == shown)
        elif shown == "missed":
            query = query.where((Call.direction == "in") & ~Call.answered)
        page = max(0, min(19, request.args.get("page", 0, type=int)))
        rows = list(
            query.order_by(Call.started_at.desc(), Call.id.desc())
            .offset(page * PAGE)
            .limit(PAGE + 1)
        )
        return self.render("brigadir/calls.html", tab="log", rows=rows[:PAGE], more=len(rows) > PAGE,
                           page=page, shown=shown, filters=FILTERS, card=lambda c: cards.caller_card(actor, c))  # fmt: skip

    @expose("/live")
    def live_view(self):
        """The ringing calls this person may see, as cards (calls.js asks every second)."""
        actor = current_actor()
        found = []
        for call in queries.live_calls(actor):
            card = cards.caller_card(actor, call)
            found.append({**card.as_json(), "links": _links(card)})
        return jsonify(calls=found)

    @expose("/call-back/", methods=["POST"])
    def call_back_view(self):
        """One click: the PBX rings my extension, then the client (a task's, or a call's)."""
        actor = current_actor()
        try:
            if request.form.get("task"):
                _task, client = actions.call_task(actor, int(request.form["task"]))
                phone = client.phone or ""
            else:
                phone = queries.require_call(actor, int(request.form.get("call", ""))).phone
            extension = actions.call_back(actor, _pbx(), phone)
            flash(f"Звоним: сначала ваш телефон (доб. {extension}), затем клиент.", "success")
        except (NotFound, ValueError):
            abort(404)
        except AccessDenied:
            abort(403)
        except TooManyAttempts as exc:
            fail(exc)
        except PbxError as exc:
            flash(str(exc), "error")
        except BrigadirError as exc:
            fail(exc)
        return redirect(back_url(url_for("calls.index", tab="list")))

    @expose("/lead/", methods=["POST"])
    def lead_view(self):
        """«Сделать лидом» on a new number's card."""
        try:
            lead = actions.lead_from_call(current_actor(), int(request.form.get("call", "")))
        except (NotFound, ValueError):
            abort(404)
        except AccessDenied:
            abort(403)
        except BrigadirError as exc:
            fail(exc)
            return redirect(back_url(url_for("calls.index")))
        flash("Номер записан как новое обращение.", "success")
        return redirect(url_for("client.card_view", id=lead.id))


def install(app, admin) -> None:
    """«Звонки» (in the menu beside «Задачи»), Настройки → Телефония (after the other
    settings pages), and the template helpers: the caller's card on every page, calls on
    the order and client cards."""
    from admin.views.telephony import TelephonyView
    from core.calls.log import describe

    admin.add_view(TelephonyView(name="Телефония", endpoint="telephony", category="Настройки"))
    admin.add_view(CallsView(name="Звонки", endpoint="calls"))
    menu = admin._menu  # Flask-Admin keeps the menu in the order views were added
    tasks = next((n for n, item in enumerate(menu) if item.name == "Задачи"), None)
    if tasks is not None:
        menu.insert(tasks + 1, menu.pop())
    app.jinja_env.globals.update(pbx_on=pbx_on, calls_of=calls_of, call_line=describe)
