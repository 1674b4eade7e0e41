"""Telegram in webhook mode: a Flask blueprint the web app mounts.

The secret token set with setWebhook comes back in X-Telegram-Bot-Api-Secret-Token; a
missing or wrong one gets 403 and nothing is processed. The request is handled in the
WSGI worker with the synchronous BotApi (no event loop per request). A failing update
answers 200 after an apology: Telegram would otherwise redeliver a poisoned update for a
day. Redeliveries of good ones are harmless: the flows are idempotent by update id.

The endpoint must be exempt from CSRF (Telegram cannot send a form token):
    csrf.exempt(bp)"""

from __future__ import annotations

import hmac
import logging
from dataclasses import replace

from aiogram.types import Update
from flask import Blueprint, abort, request

from bots.flows import Deps, InFile, already_handled, handle, texts
from bots.telegram.api import BotApi, TelegramApiError
from bots.telegram.mapping import MAX_DOWNLOAD, to_incoming
from core import links
from core.config import Config
from core.interfaces import FileStore

__all__ = ["make_blueprint", "process_sync"]

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def process_sync(api: BotApi, update: Update, deps: Deps) -> None:
    mapped = to_incoming(update)
    if mapped is None:
        return
    incoming, ref = mapped
    chat_id = incoming.external_id
    try:
        if update.callback_query is not None:
            api.call("answerCallbackQuery", {"callback_query_id": update.callback_query.id})
        if ref is not None:
            if already_handled("telegram", incoming.update_key):
                return
            if ref.too_big:
                api.send_text(chat_id, texts.FILE_TOO_BIG)
                return
            try:
                path = api.get_file(ref.file_id)["file_path"]
                data = api.download(path, MAX_DOWNLOAD)
            except TelegramApiError:
                api.send_text(chat_id, texts.FILE_TOO_BIG)
                return
            incoming = replace(incoming, file=InFile(ref.name, data, ref.mime, ref.is_photo))
        for reply in handle(incoming, deps):
            api.send_reply(chat_id, reply)
    except TelegramApiError as exc:
        if exc.code == 403:
            links.mark_blocked("telegram", chat_id)
        else:
            log.warning("telegram update %s: %s", update.update_id, exc)
    except Exception:
        log.exception("telegram update %s failed", update.update_id)
        try:
            api.send_text(chat_id, texts.APOLOGY)
        except Exception:  # noqa: BLE001 - the apology is best effort
            log.warning("could not apologise for update %s", update.update_id)


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
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or "update_id" not in body:
            abort(400)
        try:
            update = Update.model_validate(body)
        except ValueError:
            abort(400)
        process_sync(client, update, deps)
        return {"ok": True}

    return bp
