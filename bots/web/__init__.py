"""The web chat: the same flows in a browser page (try the bot with no messenger)."""

from bots.web.chat import make_blueprint

__all__ = ["make_blueprint"]
