"""The channel registry: channel name -> a factory of a core.base.interfaces.Sender.

Adding a channel is one line here. Factories are imported lazily, so a process that has
no Viber token never imports viberbot (nor aiogram without a Telegram token: importing it
alone costs ~140 MB of resident memory, vkbottle ~40 MB). A factory returns None when its channel is not
configured (no token, no SMTP host): that channel is simply absent from delivery."""

from __future__ import annotations

import importlib
import logging

from core.base.config import Config
from core.base.interfaces import Sender

__all__ = ["TRANSPORTS", "build_transports"]

log = logging.getLogger(__name__)

TRANSPORTS: dict[str, str] = {
    "telegram": "bots.telegram.transport:TelegramSender",
    "viber": "bots.viber.transport:build",
    "vk": "bots.vk.transport:build",
    "max": "bots.maxbot.transport:build",
    "sms": "bots.sms.transport:build",
    "email": "bots.email.mailboxes:build_sender",
    "web": "bots.web.delivery:build",
}


# Channels whose library is imported only when their config section has a token.
TOKEN_SECTIONS: dict[str, str] = {
    "telegram": "telegram",
    "viber": "viber",
    "vk": "vk",
    "max": "max",
}


def build_transports(config: Config, only: tuple[str, ...] | None = None) -> dict[str, Sender]:
    """Build every configured channel's sender (the composition root calls this once)."""
    built: dict[str, Sender] = {}
    for channel, path in TRANSPORTS.items():
        if only is not None and channel not in only:
            continue
        section = TOKEN_SECTIONS.get(channel)
        if section and not getattr(config, section).token:
            continue  # not configured: its library is not even imported
        module_name, _, attr = path.partition(":")
        try:
            factory = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            log.warning("channel %s unavailable: %s", channel, exc)
            continue
        sender = factory(config)
        if sender is not None:
            built[channel] = sender
    return built
