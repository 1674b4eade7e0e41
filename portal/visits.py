"""Booking in the portal: the calendar of free slots, book, move, cancel."""

from __future__ import annotations

from datetime import date, datetime

from flask import abort, flash, redirect, render_template, request, url_for

from core.base.clock import format_datetime, to_local, utcnow
from core.base.errors import BrigadirError, NotFound, ValidationError
from core.clients.models import Client
from core.selfservice import booking
from core.selfservice.models import Visit
from portal.auth import signed_in
from portal.blueprint import bp

WEEKDAYS = booking.WEEKDAYS
MONTHS = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
          "октябрь", "ноябрь", "декабрь"]  # fmt: skip


def _months(days: list[date]) -> str:
    """ "ноябрь — декабрь 2026" over the calendar's days."""
    if not days:
        return ""
    first, last = days[0], days[-1]
    if (first.year, first.month) == (last.year, last.month):
        return f"{MONTHS[first.month - 1]} {first.year}"
    year = "" if first.year == last.year else f" {first.year}"
    return f"{MONTHS[first.month - 1]}{year} — {MONTHS[last.month - 1]} {last.year}"


def _slot(text: str | None) -> datetime:
    try:
        return datetime.fromisoformat(text or "")
    except ValueError:
        raise ValidationError("Выберите время из календаря.") from None


def _calendar(action: str, **extra):
    """The days with free slots and the chosen day's slots, as the template shows them."""
    days = booking.free_slots()
    open_days = [d for d, slots in days.items() if slots]
    try:
        chosen = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        chosen = open_days[0] if open_days else None
    return render_template(
        "portal/book.html", days=days, open_days=open_days, chosen=chosen,
        slots=days.get(chosen, []) if chosen else [], weekdays=WEEKDAYS, action=action,
        months=_months(list(days)),
        **extra,
    )  # fmt: skip


@bp.route("/book", methods=["GET", "POST"])
@signed_in
def book(actor):
    client = Client.get_by_id(actor.client_id)
    if request.method == "POST":
        form = request.form
        try:
            visit = booking.book_visit(
                actor, actor.client_id, _slot(form.get("slot")), form.get("address", ""),
                form.get("description", ""), source="portal",
            )  # fmt: skip
        except booking.SlotTaken as exc:
            flash(exc.message, "error")
            return _calendar(url_for("portal.book"), address=form.get("address", ""),
                             description=form.get("description", ""),
                             offer=[(to_local(a).date().isoformat(), format_datetime(a))
                                    for a in exc.alternatives]), 409  # fmt: skip
        except BrigadirError as exc:
            flash(exc.message, "error")
            return _calendar(url_for("portal.book"), address=form.get("address", ""),
                             description=form.get("description", "")), 400  # fmt: skip
        flash(
            f"Вы записаны: {booking.slot_label(visit)}. Бригада приедет по адресу {visit.address}.",
            "info",
        )
        return redirect(url_for("portal.order", order_id=visit.order_id))
    return _calendar(url_for("portal.book"), address=client.address, description="")


def _own(actor, visit_id: int) -> Visit:
    try:
        return booking.visit_of(actor, visit_id)
    except NotFound:
        abort(404)


@bp.route("/visits/<int:visit_id>/move", methods=["GET", "POST"])
@signed_in
def move(actor, visit_id: int):
    visit = _own(actor, visit_id)
    if request.method == "POST":
        try:
            moved = booking.move_visit(actor, visit.id, _slot(request.form.get("slot")))
        except NotFound:
            abort(404)
        except BrigadirError as exc:
            flash(exc.message, "error")
            return redirect(url_for("portal.move", visit_id=visit.id))
        flash(f"Запись перенесена: {booking.slot_label(moved)}.", "info")
        return redirect(url_for("portal.order", order_id=moved.order_id))
    return _calendar(url_for("portal.move", visit_id=visit.id), moving=visit)


@bp.route("/visits/<int:visit_id>/cancel", methods=["POST"])
@signed_in
def cancel(actor, visit_id: int):
    visit = _own(actor, visit_id)
    try:
        booking.cancel_visit(actor, visit.id, now=utcnow())
        flash("Запись отменена.", "info")
    except NotFound:
        abort(404)
    except BrigadirError as exc:
        flash(exc.message, "error")
    return redirect(url_for("portal.order", order_id=visit.order_id))
