"""The PBX webhooks: POST /pbx/novofon and POST /pbx/mango/events/<kind>.

    app.register_blueprint(make_blueprint())
    csrf.exempt(bp)          # the provider signs each request instead

Every request: the provider must be the one chosen in Настройки → Телефония, and the
signature must check out — otherwise 403 (404 for a provider that is off) and nothing is
read further or written. A well-signed request with broken fields: 400, nothing written."""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, request

from bots.phone import mango, novofon
from core.base import runtime
from core.base.errors import ValidationError
from core.base.security import client_address
from core.calls import log, options

__all__ = ["MANGO", "NOVOFON", "make_blueprint"]

logger = logging.getLogger(__name__)
NOVOFON = "/pbx/novofon"
MANGO = "/pbx/mango"
_ECHO = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _address() -> str:
    """Who sent it, by the one rule (X-Forwarded-For only from [web] trusted_proxies)."""
    return client_address(request.environ, runtime.config().trusted_proxies)


def _text(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/plain")


def _ingest(event) -> Response:
    if event is not None:
        log.ingest(event)
    return _text("ok")


def make_blueprint() -> Blueprint:
    bp = Blueprint("pbx", __name__)

    @bp.route(NOVOFON, methods=["GET", "POST"])
    def novofon_notify() -> Response:
        settings = options.telephony()
        if settings["provider"] != "novofon" or not settings["novofon_secret"]:
            return _text("off", 404)
        if request.method == "GET":  # the cabinet checks the address: ?zd_echo=<code>
            echo = request.args.get("zd_echo", "")
            return _text(echo) if _ECHO.fullmatch(echo) else _text("", 400)
        form = request.form.to_dict()
        if not novofon.genuine(
            form, request.headers.get("Signature", ""), settings["novofon_secret"]
        ):
            logger.warning("refused a Novofon notification from %s", _address())
            return _text("forbidden", 403)
        try:
            return _ingest(novofon.read_event(form))
        except (ValueError, ValidationError) as exc:
            return _text(f"bad field {exc}", 400)

    @bp.post(f"{MANGO}/<path:kind>")
    def mango_event(kind: str) -> Response:
        settings = options.telephony()
        if settings["provider"] != "mango" or not settings["mango_salt"]:
            return _text("off", 404)
        form = request.form.to_dict()
        if not mango.genuine(form, settings["mango_key"], settings["mango_salt"]):
            logger.warning("refused a Mango event from %s", _address())
            return _text("forbidden", 403)
        try:
            return _ingest(mango.read_event(kind, form["json"]))
        except (ValueError, ValidationError) as exc:
            return _text(f"bad field {exc}", 400)

    return bp
