"""The Telegram bot in long polling mode (a laptop, a small VPS): aiogram fetches the
updates; each one goes through the same path as a webhook update
(bots.telegram.updates.process), in a worker thread because the flows use the database."""

from __future__ import annotations

import asyncio
import logging
import threading

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand, CallbackQuery, Message, Update

from bots.flows import Deps
from bots.telegram.api import BotApi
from bots.telegram.mapping import ALLOWED_UPDATES, COMMANDS
from bots.telegram.updates import process
from core.base.config import Config
from core.base.db import database
from core.base.interfaces import FileStore
from core.channels import health
from core.channels.outage import KINDS, classify

__all__ = ["COMMANDS", "build_dispatcher", "make_bot", "poll_until", "run_polling", "why"]

log = logging.getLogger(__name__)
RETRY_FIRST, RETRY_MAX = 5.0, 300.0  # seconds between attempts to reach Telegram


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
        await asyncio.to_thread(_record, None)
        await dp.start_polling(bot, handle_signals=False, allowed_updates=ALLOWED_UPDATES)
    finally:
        await bot.session.close()


def why(exc: BaseException) -> tuple[str, str]:
    """(kind, the director's words) for an aiogram failure to reach Telegram."""
    name = type(exc).__name__
    if name in ("TelegramUnauthorizedError", "TelegramNotFound"):
        return "auth", "Telegram: неверный токен бота — проверьте [telegram] token"
    if name == "TelegramServerError":
        return "server", "Telegram: сервер ответил ошибкой"
    kind = classify(exc)
    return kind, f"Telegram: {KINDS[kind]}"


def _record(exc: BaseException | None) -> None:
    try:
        if exc is None:
            health.record_ok("telegram")
        else:
            kind, text = why(exc)
            health.record_failure("telegram", text, kind)
    except Exception:  # noqa: BLE001 - the health table must not stop the bot
        log.exception("telegram: health not recorded")
    finally:
        if not database.is_closed():
            database.close()


def poll_until(config: Config, store: FileStore, stop: threading.Event) -> None:
    """Long polling until `stop`, whatever Telegram does: unreachable at start (blocked,
    no DNS, a wrong token) or later, the bot tries again — 5 s, then doubling up to 5 min —
    while the admin, the web chat and the other channels go on. Never raises but for
    Ctrl+C."""
    delay = RETRY_FIRST
    while not stop.is_set():

        async def main() -> None:
            task = asyncio.create_task(run_polling(config, store))
            while not task.done():
                if stop.is_set():
                    task.cancel()
                await asyncio.sleep(0.2)
            if not task.cancelled():
                task.result()

        try:
            asyncio.run(main())
            return
        except asyncio.CancelledError:
            return
        except Exception as exc:  # noqa: BLE001 - any failure of Telegram is waited out
            _record(exc)
            log.warning("%s; следующая попытка через %.0f с", why(exc)[1], delay)
        stop.wait(delay)
        delay = min(delay * 2, RETRY_MAX)
