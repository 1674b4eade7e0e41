"""The Telegram bot in long polling mode (a laptop, a small VPS): aiogram fetches the
updates; each one goes through the same path as a webhook update
(bots.telegram.updates.process), in a worker thread because the flows use the database."""

from __future__ import annotations

import asyncio

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand, CallbackQuery, Message, Update

from bots.flows import Deps
from bots.telegram.api import BotApi
from bots.telegram.mapping import ALLOWED_UPDATES, COMMANDS
from bots.telegram.updates import process
from core.base.config import Config
from core.base.interfaces import FileStore

__all__ = ["COMMANDS", "build_dispatcher", "make_bot", "run_polling"]


def make_bot(config: Config) -> Bot:
    """A Bot whose API base URL comes from the configuration (tests point it at 127.0.0.1)."""
    server = TelegramAPIServer.from_base(config.telegram.api_base)
    return Bot(config.telegram.token, session=AiohttpSession(api=server))


def build_dispatcher(deps: Deps, *, api: BotApi | None = None) -> Dispatcher:
    """A Dispatcher whose only router sends every private message and button press to
    the flows. The flows do the routing, so Viber and the web chat behave the same."""
    telegram = deps.config.telegram
    client = api or BotApi(telegram.token, telegram.api_base)
    router = Router(name="brigadir")

    @router.message()
    async def on_message(message: Message, event_update: Update) -> None:
        await asyncio.to_thread(process, client, event_update, deps)

    @router.callback_query()
    async def on_button(query: CallbackQuery, event_update: Update) -> None:
        await asyncio.to_thread(process, client, event_update, deps)

    dp = Dispatcher()
    dp.include_router(router)
    return dp


async def run_polling(config: Config, store: FileStore) -> None:
    """Long polling until cancelled (Ctrl+C in `brigadir run`). A webhook left from
    webhook mode is removed first: Telegram refuses getUpdates while one is set."""
    bot = make_bot(config)
    dp = build_dispatcher(Deps(store=store, config=config))
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        await bot.set_my_commands([BotCommand(command=c, description=d) for c, d in COMMANDS])
        await dp.start_polling(bot, handle_signals=False, allowed_updates=ALLOWED_UPDATES)
    finally:
        await bot.session.close()
