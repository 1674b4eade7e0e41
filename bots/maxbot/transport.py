"""The outbox's MAX transport: one OutgoingMessage to one MAX user id. A 403/404 from MAX
(the person blocked the bot or is gone) is permanent; 429 means wait; a wrong token, a 5xx
or no connection at all means the channel is down (core.channels.health)."""

from __future__ import annotations

import aiohttp
from maxapi.exceptions.max import InvalidToken, MaxApiError, MaxConnection

from bots.maxbot.api import call, send_text
from core.base.config import Config
from core.base.interfaces import DeliveryError, OutgoingMessage
from core.channels.outage import auth_error, outage, server_error

__all__ = ["MaxSender", "build", "max_error"]


def max_error(exc: BaseException) -> DeliveryError:
    """maxapi's exception as a decision for the deliverer."""
    if isinstance(exc, InvalidToken):
        return auth_error("MAX")
    if isinstance(exc, MaxApiError):
        if exc.code == 401:
            return auth_error("MAX")
        if exc.code in (403, 404):
            return DeliveryError(f"MAX: {exc}", permanent=True)
        if exc.code >= 500:
            return server_error("MAX", exc.code)
        return DeliveryError(f"MAX: {exc}", retry_after=2 if exc.code == 429 else None)
    return outage("MAX", exc)


class MaxSender:
    channel = "max"

    def __init__(self, config: Config):
        self.config = config

    def send(self, message: OutgoingMessage) -> str | None:
        if message.attachments:  # the deliverer sends a download link instead
            raise DeliveryError("MAX: файлы этим каналом не передаются", permanent=True)
        if not message.address.isdigit():
            raise DeliveryError(f"MAX: неверный адрес {message.address!r}", permanent=True)
        try:
            sent = send_text(self.config, int(message.address), message.text,
                             buttons=[list(r) for r in message.buttons])  # fmt: skip
        except (TimeoutError, MaxApiError, InvalidToken, MaxConnection, aiohttp.ClientError, OSError) as exc:  # fmt: skip
            raise max_error(exc) from exc
        body = getattr(getattr(sent, "message", None), "body", None)
        return getattr(body, "mid", None)

    def probe(self) -> None:
        """The light check: GET /me answers when MAX is up and the token is right."""
        try:
            call(self.config, "get_me")
        except (TimeoutError, MaxApiError, InvalidToken, MaxConnection, aiohttp.ClientError, OSError) as exc:  # fmt: skip
            raise max_error(exc) from exc


def build(config: Config) -> MaxSender | None:
    return MaxSender(config) if config.max.token else None
