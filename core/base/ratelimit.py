"""Rate limits kept in the database, shared by every web worker and surviving restarts (an
in-memory counter would give an attacker N workers' worth of tries and forget them on every
deploy): attempt counters over LoginFailure rows (sign-in codes), and fixed windows over
RateCount rows (the site widget) taken with one conditional UPDATE, so two workers can never
both take the last hit."""

from __future__ import annotations

import random
import time
from datetime import timedelta

import peewee as pw

from core.base.clock import utcnow
from core.base.db import database
from core.base.errors import BrigadirError
from core.base.models import LoginFailure, RateCount

__all__ = ["TooManyAttempts", "blocked", "clear", "record", "take"]

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


def take(key: str, limit: int, seconds: int, now: float | None = None) -> bool:
    """One hit for `key` in the current window of `seconds`: True while under `limit`."""
    if limit <= 0:
        return False
    window = int((time.time() if now is None else now) // seconds * seconds)
    key = f"{key[:180]}/{seconds}"  # each window size counts apart
    with database.atomic():
        try:
            with database.atomic():
                RateCount.insert(key=key, window=window, count=0).execute()
            # A new window: this key's old ones go (and, now and then, everybody's old ones).
            gone = RateCount.window < window
            if random.random() < 0.01:
                RateCount.delete().where(RateCount.window < window - 2 * 86400).execute()
            RateCount.delete().where((RateCount.key == key) & gone).execute()
        except pw.IntegrityError:
            pass  # the window is already open
        taken = (
            RateCount.update(count=RateCount.count + 1)
            .where(
                (RateCount.key == key) & (RateCount.window == window) & (RateCount.count < limit)
            )
            .execute()
        )
    return bool(taken)
