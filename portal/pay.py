"""Paying an order online from the portal: off to the provider's page and back."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, url_for

from core.base.errors import BrigadirError, NotFound
from core.money import online_payments
from portal.auth import signed_in
from portal.blueprint import bp


@bp.route("/orders/<int:order_id>/pay", methods=["POST"])
@signed_in
def pay(actor, order_id: int):
    gateway = current_app.config.get("BRIGADIR_PAYMENT_GATEWAY")
    if gateway is None:
        abort(404)
    back = url_for("portal.paid", order_id=order_id, _external=True)
    try:
        target = online_payments.start_payment(actor, gateway, order_id, back)
    except NotFound:
        abort(404)
    except BrigadirError as exc:
        flash(exc.message, "error")
        return redirect(url_for("portal.order", order_id=order_id))
    return redirect(target)


@bp.route("/orders/<int:order_id>/paid")
@signed_in
def paid(actor, order_id: int):
    """Back from the provider's page: the payment is fetched now, so the order shows paid
    even when YooKassa's notification cannot reach us (no public address)."""
    gateway = current_app.config.get("BRIGADIR_PAYMENT_GATEWAY")
    if gateway is None:
        abort(404)
    try:
        outcomes = online_payments.check_on_return(actor, gateway, order_id)
    except NotFound:
        abort(404)
    if any(o in ("recorded", "already recorded") for o in outcomes):
        flash("Оплата получена. Спасибо!", "success")
    return redirect(url_for("portal.order", order_id=order_id))
