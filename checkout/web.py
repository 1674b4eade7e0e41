"""The notification endpoint (POST /yookassa/notify) and the gateway the app uses.

The source address is the TCP peer, unless that peer is one of [yookassa] trusted_proxies:
then the nearest X-Forwarded-For hop that is not itself a trusted proxy. A client cannot
fake its way in by sending the header, since only a trusted proxy's header is read."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, current_app, jsonify, request

from core.base.config import Config
from core.money.online_payments import NotificationRefused, UntrustedSource, accept_notification

__all__ = ["bp", "init_app", "source_ip"]

log = logging.getLogger("brigadir.checkout")
bp = Blueprint("checkout", __name__)


def source_ip(trusted_proxies: tuple[str, ...]) -> str:
    peer = request.remote_addr or ""
    if peer not in trusted_proxies:
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop
    return peer


@bp.route("/yookassa/notify", methods=["POST"])
def notify():
    gateway = current_app.config.get("BRIGADIR_PAYMENT_GATEWAY")
    config: Config = current_app.config["BRIGADIR_CONFIG"]
    if gateway is None:
        return jsonify(error="off"), 404
    ip = source_ip(config.yookassa.trusted_proxies)
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
