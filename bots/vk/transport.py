"""The outbox's VK transport: one OutgoingMessage to one VK user (peer id).

VK answers errors in the body: 901 (the person forbade messages from the community) and 7
(no permission) mean this person cannot be reached here — permanent; 6 and 9 are flood
limits — retry later."""

from __future__ import annotations

import aiohttp
from vkbottle import VKAPIError

from bots.vk.api import keyboard, send_text
from core.base.config import Config
from core.base.interfaces import DeliveryError, OutgoingMessage

__all__ = ["VkSender", "build"]

PERMANENT = {7, 900, 901, 902}
FLOOD = {6, 9}


class VkSender:
    channel = "vk"

    def __init__(self, config: Config):
        self.config = config

    def send(self, message: OutgoingMessage) -> str | None:
        if (
            message.attachments
        ):  # the deliverer sends a download link instead (core.conversations.delivery)
            raise DeliveryError("VK: файлы этим каналом не передаются", permanent=True)
        if not message.address.lstrip("-").isdigit():
            raise DeliveryError(f"VK: неверный адрес {message.address!r}", permanent=True)
        key = message.idempotency_key or f"{message.address}:{message.text}"
        try:
            answer = send_text(self.config, int(message.address), message.text, key=key,
                               kb=keyboard([list(r) for r in message.buttons], None))  # fmt: skip
        except VKAPIError as exc:
            code = getattr(exc, "code", -1)
            if code in PERMANENT:
                raise DeliveryError(f"VK: {exc}", permanent=True) from exc
            raise DeliveryError(f"VK: {exc}", retry_after=2 if code in FLOOD else None) from exc
        except (OSError, aiohttp.ClientError) as exc:
            raise DeliveryError(f"VK недоступен: {type(exc).__name__}") from exc
        response = answer.get("response") if isinstance(answer, dict) else answer
        return str(response) if response is not None else None


def build(config: Config) -> VkSender | None:
    return VkSender(config) if config.vk.token else None
