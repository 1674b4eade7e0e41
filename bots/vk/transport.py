"""The outbox's VK transport: one OutgoingMessage to one VK user (peer id).

VK answers errors in the body: 901 (the person forbade messages from the community) and 7
(no permission) mean this person cannot be reached here — permanent; 6 and 9 are flood
limits — retry later; 5 (the community's key refused) and 10 (VK's internal error) mean the
channel is down for everyone (core.channels.health), as does no connection at all."""

from __future__ import annotations

import asyncio

import aiohttp
from vkbottle import VKAPIError

from bots.vk.api import VkUnavailable, call, keyboard, send_text
from core.base.config import Config
from core.base.interfaces import DeliveryError, OutgoingMessage
from core.channels.outage import auth_error, outage, server_error

__all__ = ["VkSender", "build", "vk_error"]

PERMANENT = {7, 900, 901, 902}
FLOOD = {6, 9}
AUTH = {5, 27, 28}  # the access key refused / a group key where a user's is needed
SERVER = {1, 10}  # unknown error, internal server error


def vk_error(exc: BaseException) -> DeliveryError:
    """vkbottle's exception as a decision for the deliverer."""
    if isinstance(exc, VKAPIError):
        code = getattr(exc, "code", -1)
        if code in PERMANENT:
            return DeliveryError(f"VK: {exc}", permanent=True)
        if code in AUTH:
            return auth_error("ВКонтакте", f"ошибка {code}")
        if code in SERVER:
            return server_error("ВКонтакте", f"{code}")
        return DeliveryError(f"VK: {exc}", retry_after=2 if code in FLOOD else None)
    if isinstance(exc, VkUnavailable):
        return server_error("ВКонтакте", "(ответ не от API)")
    if isinstance(exc, aiohttp.ClientResponseError):
        return server_error("ВКонтакте", exc.status)
    return outage("ВКонтакте", exc)


_ERRORS = (VKAPIError, VkUnavailable, OSError, aiohttp.ClientError, asyncio.TimeoutError)


class VkSender:
    channel = "vk"

    def __init__(self, config: Config):
        self.config = config

    def send(self, message: OutgoingMessage) -> str | None:
        if message.attachments:  # the deliverer sends a download link instead
            raise DeliveryError("VK: файлы этим каналом не передаются", permanent=True)
        if not message.address.lstrip("-").isdigit():
            raise DeliveryError(f"VK: неверный адрес {message.address!r}", permanent=True)
        key = message.idempotency_key or f"{message.address}:{message.text}"
        try:
            answer = send_text(self.config, int(message.address), message.text, key=key,
                               kb=keyboard([list(r) for r in message.buttons], None))  # fmt: skip
        except _ERRORS as exc:
            raise vk_error(exc) from exc
        response = answer.get("response") if isinstance(answer, dict) else answer
        return str(response) if response is not None else None

    def probe(self) -> None:
        """The light check: groups.getById answers when VK is up and the key is right."""
        try:
            call(self.config, "groups.getById", {"group_id": self.config.vk.group_id or ""})
        except _ERRORS as exc:
            raise vk_error(exc) from exc


def build(config: Config) -> VkSender | None:
    return VkSender(config) if config.vk.token else None
