"""Conversation flows written once for every channel: plain Incoming in, Replies out."""

from bots.flows.engine import already_handled, answers, handle
from bots.flows.types import Deps, Incoming, InFile, OutFile, Reply

__all__ = ["Deps", "InFile", "Incoming", "OutFile", "Reply", "already_handled", "answers", "handle"]
