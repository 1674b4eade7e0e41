"""vkbottle's API client pointed at the configured base URL (a fake on 127.0.0.1 in tests),
and one call to send a message. Each call runs in its own event loop and closes its HTTP
session: the webhook and the deliverer are synchronous."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import aiohttp
from vkbottle import API, AiohttpClient, Keyboard, Text
from vkbottle.api.request_rescheduler import ABCRequestRescheduler

from core.base.config import Config

__all__ = ["VkUnavailable", "call", "keyboard", "send_text"]

MAX_TEXT = 4000  # VK's limit for one message is 4096 characters
LABEL = 40  # VK cuts button labels at 40 characters


class VkUnavailable(Exception):
    """VK answered something that is not its JSON (an HTML 5xx page, an empty body)."""


class _GiveUp(ABCRequestRescheduler):
    """vkbottle's default rescheduler repeats such a request forever, 5 s more each time: a
    dead VK would hold the deliverer. The outbox retries by itself; say it failed."""

    async def reschedule(self, ctx_api: Any, method: str, data: dict[str, Any],
                         recent_response: Any) -> dict[str, Any]:  # fmt: skip
        raise VkUnavailable(str(recent_response)[:200])


def _api(config: Config) -> API:
    limit = config.notify.platform_timeout
    timeout = aiohttp.ClientTimeout(total=limit, sock_connect=min(3.0, limit))
    api = API(token=config.vk.token, http_client=AiohttpClient(timeout=timeout),
              request_rescheduler=_GiveUp())  # fmt: skip
    api.API_URL = config.vk.api_base.rstrip("/") + "/"  # vkbottle reads it per request
    return api


def call(config: Config, method: str, params: dict[str, Any]) -> Any:
    """One VK API method in its own event loop, the session closed after."""

    async def run() -> Any:
        api = _api(config)
        try:
            return await api.request(method, params)
        finally:
            await api.http_client.close()

    return asyncio.run(run())


def keyboard(buttons: list[list[tuple[str, str]]], menu: list[list[str]] | None) -> str | None:
    """Inline buttons under the message (payload back to the flows), else the menu."""
    if buttons:
        kb = Keyboard(inline=True)
        for i, row in enumerate(buttons[:6]):  # VK: at most 6 rows inline
            if i:
                kb.row()
            for label, payload in row[:5]:
                kb.add(Text(label[:LABEL], payload={"p": payload[:200]}))
        return kb.get_json()
    if menu:
        kb = Keyboard(one_time=False)
        for i, row in enumerate(menu[:10]):
            if i:
                kb.row()
            for label in row[:5]:
                kb.add(Text(label[:LABEL]))
        return kb.get_json()
    return None


def random_id(key: str) -> int:
    """VK drops a second message with the same random_id: a retried delivery sends once."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") & 0x7FFFFFFF


def send_text(config: Config, peer_id: int, text: str, *, key: str, kb: str | None = None) -> Any:
    async def run() -> Any:
        api = _api(config)
        try:
            params: dict[str, Any] = {"peer_id": peer_id, "message": text[:MAX_TEXT],
                                      "random_id": random_id(key)}  # fmt: skip
            if kb:
                params["keyboard"] = kb
            return await api.request("messages.send", params)
        finally:
            await api.http_client.close()

    return asyncio.run(run())
