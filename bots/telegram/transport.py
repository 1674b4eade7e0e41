"""The outbox's Telegram transport: one OutgoingMessage to one chat id.

Synchronous on purpose (a plain HTTP call through BotApi), so the scheduler's worker
thread can call send() with no event loop. Errors carry a decision for the deliverer:
permanent (blocked, deleted, unknown chat: stop trying this channel for this person)
or retry_after (a 429 flood limit: pause the whole sender that long)."""

from __future__ import annotations

import logging

import requests

from bots.flows.types import Reply
from bots.telegram.api import BotApi, TelegramApiError
from core.base.config import Config
from core.base.interfaces import DeliveryError, OutgoingMessage
from core.channels.outage import auth_error, outage, server_error

__all__ = ["PERMANENT_ERRORS", "TelegramSender"]

log = logging.getLogger(__name__)
UPLOAD_TIMEOUT = 120.0  # a file takes longer than a text: its own, longer wait

PERMANENT_ERRORS = (
    "bot was blocked by the user",
    "chat not found",
    "user is deactivated",
    "bot can't initiate conversation",
    "bot was kicked",
    "not enough rights to send",
)


class TelegramSender:
    """Sender (core/interfaces.py) for channel "telegram"; address = chat id."""

    channel = "telegram"

    def __init__(self, config: Config | None = None, *, api: BotApi | None = None):
        if api is None:
            if config is None or not config.telegram.token:
                raise ValueError("TelegramSender: нужен [telegram] token")
            timeout = (min(3.0, config.notify.platform_timeout), config.notify.platform_timeout)
            api = BotApi(config.telegram.token, config.telegram.api_base, timeout=timeout)
        self.api = api

    def probe(self) -> None:
        """The light check: getMe answers when the platform is up and the token is right."""
        try:
            self.api.call("getMe")
        except TelegramApiError as exc:
            raise _decide(exc) from exc
        except requests.RequestException as exc:
            raise outage("Telegram", exc) from exc

    def send(self, message: OutgoingMessage) -> str | None:
        reply = Reply(message.text, buttons=[[tuple(b) for b in row] for row in message.buttons])
        try:
            for name, data, mime in message.attachments:
                self.api.send_file(message.address, name, data, mime, timeout=UPLOAD_TIMEOUT)
            result = self.api.send_reply(message.address, reply)
        except TelegramApiError as exc:
            raise _decide(exc) from exc
        except requests.RequestException as exc:
            raise outage("Telegram", exc) from exc
        return str(result.get("message_id")) if result else None


def _decide(exc: TelegramApiError) -> DeliveryError:
    text = exc.description.lower()
    if exc.code == 429:
        return DeliveryError(
            f"Telegram: {exc.description}", retry_after=float(exc.retry_after or 30)
        )
    if exc.code in (401, 404) and not any(p in text for p in PERMANENT_ERRORS):
        return auth_error("Telegram", f"{exc.code} {exc.description}")  # the bot's token
    if any(p in text for p in PERMANENT_ERRORS) or exc.code == 403:
        return DeliveryError(f"Telegram: {exc.description}", permanent=True)
    if exc.code >= 500:
        return server_error("Telegram", exc.code)
    return DeliveryError(f"Telegram: {exc.code} {exc.description}")
