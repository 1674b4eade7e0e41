"""The Telegram bot on aiogram: long polling for a laptop. Every update goes through
one handler: map it to Incoming, download the file (largest photo size, ≤ 20 MB), run
the flows in a worker thread (they use the database), send the replies back.

One failing update never stops the bot: it is logged with its update id and the person
gets a short apology."""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import replace

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import BotCommand, BufferedInputFile, CallbackQuery, Message, Update

from bots.flows import Deps, InFile, Reply, already_handled, handle, texts
from bots.telegram.mapping import chunks, markup_for, to_incoming
from core import links
from core.config import Config
from core.interfaces import FileStore

__all__ = ["COMMANDS", "build_dispatcher", "make_bot", "run_polling"]

log = logging.getLogger(__name__)

COMMANDS = [
    ("tasks", "Мои задачи"),
    ("balance", "Баланс: деньги на руках"),
    ("order", "Открыть заказ: /order 123"),
    ("help", "Что умеет бот"),
    ("cancel", "Отменить текущее действие"),
]


def make_bot(config: Config) -> Bot:
    """A Bot whose API base URL comes from the configuration (tests point it at 127.0.0.1)."""
    server = TelegramAPIServer.from_base(config.telegram.api_base)
    return Bot(config.telegram.token, session=AiohttpSession(api=server))


async def send_replies(bot: Bot, chat_id: int | str, replies: list[Reply]) -> None:
    for reply in replies:
        markup = markup_for(reply)
        if reply.file is not None:
            document = BufferedInputFile(reply.file.data, filename=reply.file.name)
            caption = reply.text if len(reply.text) <= 1024 else None
            await bot.send_document(chat_id, document, caption=caption, reply_markup=markup)
            if caption is not None:
                continue
        parts = chunks(reply.text)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            await bot.send_message(chat_id, part, reply_markup=markup if last else None)


async def _download(bot: Bot, file_id: str) -> bytes:
    buffer = io.BytesIO()
    await bot.download(file_id, destination=buffer)
    return buffer.getvalue()


async def process(bot: Bot, update: Update, deps: Deps) -> None:
    mapped = to_incoming(update)
    if mapped is None:
        return
    incoming, ref = mapped
    chat_id = incoming.external_id
    try:
        if update.callback_query is not None:
            await bot.answer_callback_query(update.callback_query.id)
        if ref is not None:
            if await asyncio.to_thread(already_handled, "telegram", incoming.update_key):
                return
            if ref.too_big:
                await bot.send_message(chat_id, texts.FILE_TOO_BIG)
                return
            try:
                data = await _download(bot, ref.file_id)
            except TelegramBadRequest:  # "file is too big" when the size was not announced
                await bot.send_message(chat_id, texts.FILE_TOO_BIG)
                return
            incoming = replace(incoming, file=InFile(ref.name, data, ref.mime, ref.is_photo))
        replies = await asyncio.to_thread(handle, incoming, deps)
        await send_replies(bot, chat_id, replies)
    except TelegramForbiddenError:
        log.info("telegram chat %s blocked the bot", chat_id)
        await asyncio.to_thread(links.mark_blocked, "telegram", chat_id)
    except Exception:
        log.exception("telegram update %s failed", update.update_id)
        try:
            await bot.send_message(chat_id, texts.APOLOGY)
        except Exception:  # noqa: BLE001 - the apology is best effort
            log.warning("could not apologise for update %s", update.update_id)


def build_dispatcher(deps: Deps) -> Dispatcher:
    """A Dispatcher whose only router sends every private message and button press to
    the flows. The flows do the routing, so Viber and the web chat behave the same."""
    router = Router(name="brigadir")

    @router.message()
    async def on_message(message: Message, bot: Bot, event_update: Update) -> None:
        await process(bot, event_update, deps)

    @router.callback_query()
    async def on_button(query: CallbackQuery, bot: Bot, event_update: Update) -> None:
        await process(bot, event_update, deps)

    dp = Dispatcher()
    dp.include_router(router)
    return dp


async def run_polling(config: Config, store: FileStore) -> None:
    """Long polling until cancelled (Ctrl+C in `brigadir run`)."""
    bot = make_bot(config)
    dp = build_dispatcher(Deps(store=store, config=config))
    try:
        await bot.delete_webhook(drop_pending_updates=False)
        await bot.set_my_commands([BotCommand(command=c, description=d) for c, d in COMMANDS])
        await dp.start_polling(
            bot, handle_signals=False, allowed_updates=["message", "callback_query"]
        )
    finally:
        await bot.session.close()
