"""One path for every Telegram update, long polling and webhook alike: map it to
Incoming, drop a replay, answer a button, download the file (largest photo size,
≤ 20 MB), run the flows, send the replies. Synchronous (BotApi over requests): the
webhook runs it in a WSGI worker, polling in a worker thread (the flows use the database).

A replay (an update id already handled) is dropped before any call to Telegram: its
callback was answered the first time (answering again fails), its file was downloaded.

One failing update never stops the bot: it is logged with its update id and the person
gets a short apology."""

from __future__ import annotations

import logging
from dataclasses import replace

import requests
from aiogram.types import Update

from bots.flows import Deps, Incoming, InFile, already_handled, handle, texts
from bots.telegram.api import BotApi, TelegramApiError
from bots.telegram.mapping import MAX_DOWNLOAD, FileRef, to_incoming
from core.clients import links

__all__ = ["process"]

log = logging.getLogger(__name__)


def process(api: BotApi, update: Update, deps: Deps) -> None:
    mapped = to_incoming(update)
    if mapped is None:
        return
    incoming, ref = mapped
    if already_handled("telegram", incoming.update_key):
        log.info("telegram update %s replayed: dropped", update.update_id)
        return
    chat_id = incoming.external_id
    try:
        if update.callback_query is not None:
            _answer_button(api, update.callback_query.id)
        if ref is not None:
            fetched = _fetch(api, incoming, ref)
            if fetched is None and not ref.what:
                api.send_text(chat_id, texts.FILE_TOO_BIG)
                return
            # a voice note or a video Telegram will not give a bot: a line that it came
            incoming = fetched or replace(
                incoming, note=f"{ref.what} — больше 20 МБ, Telegram не отдаёт его боту"
            )
        for reply in handle(incoming, deps):
            api.send_reply(chat_id, reply)
    except TelegramApiError as exc:
        if exc.code == 403:  # blocked, deactivated: stop writing to them
            log.info("telegram chat %s blocked the bot", chat_id)
            links.mark_blocked("telegram", chat_id)
        else:
            log.warning("telegram update %s: %s", update.update_id, exc)
    except requests.RequestException as exc:
        log.warning("telegram update %s: Telegram unreachable (%s)", update.update_id, exc)
    except Exception:
        log.exception("telegram update %s failed", update.update_id)
        try:
            api.send_text(chat_id, texts.APOLOGY)
        except Exception:  # noqa: BLE001 - the apology is best effort
            log.warning("could not apologise for update %s", update.update_id)


def _answer_button(api: BotApi, query_id: str) -> None:
    """Stop the button's spinner. A query older than Telegram keeps (a bot restarted
    after a pause) cannot be answered, but the tap itself still counts."""
    try:
        api.call("answerCallbackQuery", {"callback_query_id": query_id})
    except TelegramApiError as exc:
        log.info("callback %s not answered: %s", query_id, exc.description)


def _fetch(api: BotApi, incoming: Incoming, ref: FileRef) -> Incoming | None:
    """The update with its file's bytes; None when the file is over the Bot API's 20 MB."""
    if ref.too_big:
        return None
    try:
        path = api.get_file(ref.file_id)["file_path"]
        data = api.download(path, MAX_DOWNLOAD)
    except TelegramApiError as exc:  # "file is too big" when the size was not announced
        if exc.code in (400, 413):
            return None
        raise
    return replace(incoming, file=InFile(ref.name, data, ref.mime, ref.is_photo))
