"""Fixed-window rate limits kept in the database, so every web worker shares them (like
the admin's login limit). One conditional UPDATE takes a hit: it either raises the count
under the limit or changes nothing — two workers can never both take the last hit."""

from __future__ import annotations

import random
import time

import peewee as pw

from core.db import database
from core.models import RateCount

__all__ = ["take"]


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
