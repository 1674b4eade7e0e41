"""The outbox's MAX transport: one OutgoingMessage to one MAX user id. A 403/404 from MAX
(the person blocked the bot or is gone) is permanent; 429 means wait."""

from __future__ import annotations

from maxapi.exceptions.max import MaxApiError, MaxConnection

from bots.maxbot.api import send_text
from core.base.config import Config
from core.base.interfaces import DeliveryError, OutgoingMessage

__all__ = ["MaxSender", "build"]


class MaxSender:
    channel = "max"

    def __init__(self, config: Config):
        self.config = config

    def send(self, message: OutgoingMessage) -> str | None:
        if (
            message.attachments
        ):  # the deliverer sends a download link instead (core.conversations.delivery)
            raise DeliveryError("MAX: файлы этим каналом не передаются", permanent=True)
        if not message.address.isdigit():
            raise DeliveryError(f"MAX: неверный адрес {message.address!r}", permanent=True)
        try:
            sent = send_text(self.config, int(message.address), message.text,
                             buttons=[list(r) for r in message.buttons])  # fmt: skip
        except MaxApiError as exc:
            if exc.code in (403, 404):
                raise DeliveryError(f"MAX: {exc}", permanent=True) from exc
            raise DeliveryError(f"MAX: {exc}", retry_after=2 if exc.code == 429 else None) from exc
        except MaxConnection as exc:
            raise DeliveryError(f"MAX недоступен: {exc}") from exc
        body = getattr(getattr(sent, "message", None), "body", None)
        return getattr(body, "mid", None)


def build(config: Config) -> MaxSender | None:
    return MaxSender(config) if config.max.token else None
