"""The channel registry lives in bots/transports.py (the web's Настройки checks a channel
with it too); the scheduler's deliverer builds its senders from there."""

from bots.transports import TOKEN_SECTIONS, TRANSPORTS, build_transports

__all__ = ["TOKEN_SECTIONS", "TRANSPORTS", "build_transports"]
