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
    back = url_for("portal.order", order_id=order_id, _external=True)
    try:
        target = online_payments.start_payment(actor, gateway, order_id, back)
    except NotFound:
        abort(404)
    except BrigadirError as exc:
        flash(exc.message, "error")
        return redirect(url_for("portal.order", order_id=order_id))
    return redirect(target)
