"""The notification endpoint (POST /yookassa/notify) and the gateway the app uses.

The source address follows the one rule of core.base.security.client_address ([web]
trusted_proxies, and the older [yookassa] trusted_proxies): a client cannot fake its way in
by sending X-Forwarded-For, since only a trusted proxy's header is read."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, current_app, jsonify, request

from core.base.config import Config
from core.base.security import client_address
from core.money.online_payments import NotificationRefused, UntrustedSource, accept_notification

__all__ = ["bp", "init_app"]

log = logging.getLogger("brigadir.checkout")
bp = Blueprint("checkout", __name__)


@bp.route("/yookassa/notify", methods=["POST"])
def notify():
    gateway = current_app.config.get("BRIGADIR_PAYMENT_GATEWAY")
    config: Config = current_app.config["BRIGADIR_CONFIG"]
    if gateway is None:
        return jsonify(error="off"), 404
    ip = client_address(request.environ, config.trusted_proxies)
    try:
        result = accept_notification(gateway, request.get_json(silent=True), ip)
    except NotificationRefused as exc:
        log.warning("refused a YooKassa notification from %s: %s", ip, exc)
        return jsonify(error=str(exc)), 403 if isinstance(exc, UntrustedSource) else 400
    return jsonify(result=result), 200


def init_app(app: Flask, config: Config, gateway: object = None) -> None:
    """Online payment is on when [yookassa] shop_id is set (or a gateway is given)."""
    if gateway is None and config.yookassa.shop_id:
        from checkout.yookassa import YooKassaGateway

        gateway = YooKassaGateway(config.yookassa)
    app.config["BRIGADIR_PAYMENT_GATEWAY"] = gateway
    app.extensions["csrf"].exempt(bp)  # YooKassa cannot send our CSRF token; see notify()
    app.register_blueprint(bp)
