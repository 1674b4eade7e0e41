"""Attempt counters kept in the database (LoginFailure rows), shared by every web worker
and surviving restarts: an in-memory counter would give an attacker N workers' worth of
tries and forget them on every deploy."""

from __future__ import annotations

from datetime import timedelta

from core.clock import utcnow
from core.errors import BrigadirError
from core.models import LoginFailure

__all__ = ["TooManyAttempts", "blocked", "clear", "record"]

WINDOW = timedelta(minutes=15)


def _count(key: str) -> int:
    since = utcnow() - WINDOW
    return (
        LoginFailure.select().where((LoginFailure.key == key) & (LoginFailure.at >= since)).count()
    )


def blocked(limits: dict[str, int]) -> bool:
    """True when any key has reached its limit within the window."""
    return any(_count(key[:200]) >= limit for key, limit in limits.items())


def record(*keys: str) -> None:
    now = utcnow()
    LoginFailure.insert_many([{"key": k[:200], "at": now} for k in keys]).execute()
    LoginFailure.delete().where(LoginFailure.at < now - WINDOW * 4).execute()


def clear(key: str) -> None:
    LoginFailure.delete().where(LoginFailure.key == key[:200]).execute()


class TooManyAttempts(BrigadirError):
    """A rate limit was hit: the caller answers 429 with this Russian message."""
