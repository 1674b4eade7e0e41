"""maxapi's Bot at the configured base URL (a fake on 127.0.0.1 in tests) and one call to
send a message with its buttons. MAX has no persistent reply keyboard, so the menu comes as
buttons too: their payload "menu:<label>" reads back as the label typed."""

from __future__ import annotations

import asyncio
from typing import Any

from maxapi import Bot
from maxapi.client.default import DefaultConnectionProperties
from maxapi.types import CallbackButton, RequestContactButton
from maxapi.utils.inline_keyboard import InlineKeyboardBuilder

from core.base.config import Config

__all__ = ["MENU", "call", "make_bot", "send_text"]

MENU = "menu:"
MAX_TEXT = 4000  # MAX's limit for one message


def _markup(buttons: list[list[tuple[str, str]]], menu: list[list[str]] | None,
            ask_contact: bool = False):  # fmt: skip
    rows = buttons or [[(label, MENU + label) for label in row] for row in (menu or [])]
    if not rows and not ask_contact:
        return None
    builder = InlineKeyboardBuilder()
    if ask_contact:  # MAX's own «share my phone»: the contact comes back verified
        builder.row(RequestContactButton(text="Поделиться номером"))
    for row in rows[:30]:
        builder.row(*(CallbackButton(text=label[:64], payload=payload[:1024])
                      for label, payload in row[:7]))  # fmt: skip
    return builder.as_markup()


def make_bot(config: Config) -> Bot:
    """maxapi's Bot at the configured address. No retries inside maxapi (its own back-off
    takes 7 s on a dead network): the outbox retries, and a dead platform must be seen at
    once so messages move to the next channel."""
    limit = config.notify.platform_timeout
    connection = DefaultConnectionProperties(
        timeout=limit, sock_connect=int(max(1, min(3, limit))), max_retries=0
    )
    bot = Bot(config.max.token, auto_check_subscriptions=False, default_connection=connection)
    bot.set_api_url(config.max.api_base)
    return bot


def call(config: Config, method: str, **kwargs: Any) -> Any:
    """One Bot method (e.g. "get_me") in its own event loop, the session closed after."""

    async def run() -> Any:
        bot = make_bot(config)
        try:
            return await getattr(bot, method)(**kwargs)
        finally:
            await bot.close_session()

    return asyncio.run(run())


def send_text(
    config: Config,
    user_id: int,
    text: str,
    *,
    buttons: list[list[tuple[str, str]]] | None = None,
    menu: list[list[str]] | None = None,
    ask_contact: bool = False,
) -> Any:
    async def run() -> Any:
        bot = make_bot(config)
        markup = _markup(buttons or [], menu, ask_contact)
        try:
            return await bot.send_message(user_id=user_id, text=text[:MAX_TEXT],
                                          attachments=[markup] if markup else None)  # fmt: skip
        finally:
            await bot.close_session()

    return asyncio.run(run())
