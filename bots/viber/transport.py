"""The outbox's Viber transport: one OutgoingMessage to one Viber user id.

viberbot raises a bare Exception carrying the API status; statuses 5/6 (not registered,
not subscribed) mean the person left: permanent. 12 is Viber's own flood limit."""

from __future__ import annotations

import re

import requests
from viberbot.api.messages import TextMessage

from bots.viber.api import keyboard, make_api
from core.base.config import Config
from core.base.interfaces import DeliveryError, OutgoingMessage

__all__ = ["ViberSender", "build"]

_STATUS = re.compile(r"status[:\s]+(\d+)")
PERMANENT = {5, 6}  # receiverNotRegistered, receiverNotSubscribed
FLOOD = 12  # tooManyRequests


class ViberSender:
    channel = "viber"

    def __init__(self, config: Config, api=None):
        self.api = api or make_api(config)

    def send(self, message: OutgoingMessage) -> str | None:
        if (
            message.attachments
        ):  # the deliverer sends a download link instead (core.conversations.delivery)
            raise DeliveryError("Viber: файлы этим каналом не передаются", permanent=True)
        text = message.text
        kb = keyboard([list(row) for row in message.buttons])
        try:
            tokens = self.api.send_messages(
                message.address, [TextMessage(text=text[:7000], keyboard=kb)]
            )
        except requests.RequestException as exc:
            raise DeliveryError(f"Viber недоступен: {type(exc).__name__}") from exc
        except Exception as exc:  # noqa: BLE001 - viberbot raises a plain Exception
            text = str(exc)
            match = _STATUS.search(text)
            status = int(match.group(1)) if match else -1
            lowered = text.lower()
            if status in PERMANENT or "notsubscribed" in lowered or "notregistered" in lowered:
                raise DeliveryError(f"Viber: {text}", permanent=True) from exc
            if status == FLOOD:
                raise DeliveryError(f"Viber: {text}", retry_after=60) from exc
            raise DeliveryError(f"Viber: {text}") from exc
        return str(tokens[-1]) if tokens else None


def build(config: Config) -> ViberSender | None:
    return ViberSender(config) if config.viber.token else None
