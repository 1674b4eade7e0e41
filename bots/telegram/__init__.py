"""Telegram: long polling (aiogram), a webhook blueprint, and the outbox transport."""

from bots.telegram.bot import build_dispatcher, make_bot, run_polling
from bots.telegram.transport import TelegramSender
from bots.telegram.webhook import make_blueprint, register_webhook

__all__ = [
    "TelegramSender",
    "build_dispatcher",
    "make_blueprint",
    "make_bot",
    "register_webhook",
    "run_polling",
]
