"""Telegram in webhook mode: a Flask blueprint the web app mounts.

The secret token set with setWebhook comes back in X-Telegram-Bot-Api-Secret-Token; a
missing or wrong one gets 403 and nothing is processed. The request is handled in the
WSGI worker by the same path as long polling (bots.telegram.updates.process). A failing update
answers 200 after an apology: Telegram would otherwise redeliver a poisoned update for a
day. Redeliveries of good ones are harmless: the flows are idempotent by update id.

The endpoint must be exempt from CSRF (Telegram cannot send a form token):
    csrf.exempt(bp)"""

from __future__ import annotations

import hmac
import json

from aiogram.types import Update
from flask import Blueprint, abort, request

from bots import payloads
from bots.flows import Deps
from bots.telegram.api import BotApi
from bots.telegram.mapping import ALLOWED_UPDATES, COMMANDS
from bots.telegram.updates import process
from core.base.config import Config
from core.base.interfaces import FileStore

__all__ = ["URL_PREFIX", "make_blueprint", "register_webhook", "webhook_url"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
URL_PREFIX = "/telegram"  # the web app mounts the blueprint here


def webhook_url(config: Config) -> str:
    return f"{config.app.base_url.rstrip('/')}{URL_PREFIX}/webhook"


def register_webhook(config: Config, *, api: BotApi | None = None) -> str:
    """Tell Telegram where to post updates, with the secret it must send back. Pending
    updates are kept (a restart loses nothing). Returns the URL registered."""
    api = api or BotApi(config.telegram.token, config.telegram.api_base, timeout=15)
    url = webhook_url(config)
    api.call("setWebhook", {
        "url": url, "secret_token": config.telegram.webhook_secret,
        "allowed_updates": json.dumps(ALLOWED_UPDATES), "drop_pending_updates": "false",
    })  # fmt: skip
    commands = [{"command": c, "description": d} for c, d in COMMANDS]
    api.call("setMyCommands", {"commands": json.dumps(commands, ensure_ascii=False)})
    return url


def make_blueprint(
    config: Config, store: FileStore, *, api: BotApi | None = None, name: str = "telegram"
) -> Blueprint:
    """POST <prefix>/webhook. Register with url_prefix, e.g. "/telegram", and call
    setWebhook(url=<base>/telegram/webhook, secret_token=config.telegram.webhook_secret)."""
    bp = Blueprint(name, __name__)
    secret = config.telegram.webhook_secret
    deps = Deps(store=store, config=config)
    client = api or BotApi(config.telegram.token, config.telegram.api_base)

    @bp.post("/webhook")
    def webhook():
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            abort(403)
        try:
            body = payloads.json_body()
            payloads.require(body.get("update_id"), int, "update_id")
            update = Update.model_validate(body)
        except payloads.Refused as exc:
            return payloads.refusal(exc)
        except ValueError:  # aiogram's own check of the Bot API's shape
            return payloads.refusal(payloads.Refused("Неверный запрос: не обновление Telegram."))
        process(client, update, deps)
        return {"ok": True}

    return bp
