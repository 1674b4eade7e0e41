"""The one limit primitive: every door that counts (portal codes and code requests, staff and
portal sign-in, the site widget, call-backs) counts here.

A try is counted first and compared after, in one statement
(INSERT … ON CONFLICT DO UPDATE … RETURNING, SQLite ≥ 3.35 and PostgreSQL alike): a hundred
requests sent at once get the numbers 1…100, and only the first `limit` pass. Checking first
and counting after lets every request in flight see the old count and pass together.

Counters are RateCount rows per (key, window), in the database so every web worker shares
them and a restart forgets nothing. A try that turns out well may be given back (a right
password is not a failure), which keeps the count of failures while still reserving the
slot during the check."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from datetime import datetime

from core.base.clock import utcnow
from core.base.db import database
from core.base.errors import BrigadirError
from core.base.models import RateCount

__all__ = ["TooManyAttempts", "clear", "give_back", "hit", "hit_all", "window_of"]

KEY_LENGTH = 180  # room for "/<seconds>" within the column's 200


class TooManyAttempts(BrigadirError):
    """A rate limit was hit: the caller answers 429 with this Russian message."""


def _now(now: float | datetime | None) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):  # naive UTC, as the database keeps times
        return (now - datetime(1970, 1, 1)).total_seconds()
    return now


def window_of(seconds: int, now: float | datetime | None = None) -> int:
    """The start of the fixed window of `seconds` that `now` falls in (epoch seconds)."""
    return int(_now(now) // seconds * seconds)


def _key(key: str, seconds: int) -> str:
    return f"{key[:KEY_LENGTH]}/{seconds}"  # each window size counts apart


def hit(
    key: str,
    limit: int,
    seconds: int,
    *,
    now: float | datetime | None = None,
    start: int | None = None,
) -> bool:
    """Count one try of `key`, then compare: True while this try is within `limit` in its
    window. `start` anchors the window (e.g. a code's creation) instead of the clock's grid."""
    window = window_of(seconds, now) if start is None else int(start)
    query = (
        RateCount.insert(key=_key(key, seconds), window=window, count=1)
        .on_conflict(
            conflict_target=[RateCount.key, RateCount.window],
            update={RateCount.count: RateCount.count + 1},
        )
        .returning(RateCount.count)
    )
    with database.atomic():
        (count,) = database.execute(query).fetchall()[0]
        if random.random() < 0.01:  # now and then, windows long gone go
            RateCount.delete().where(RateCount.window < window - 2 * 86400).execute()
    return limit > 0 and count <= limit


def hit_all(
    limits: Mapping[str, int], seconds: int, *, now: float | datetime | None = None
) -> bool:
    """One try against several keys at once (say, the contact and the address): every key is
    counted, and the try passes only if it is within every limit. The keys are counted in one
    transaction and in one order: two tries at once could otherwise each pass one key and be
    refused by the other, and a burst would let fewer than the limit through."""
    with database.atomic():
        passed = [hit(key, limit, seconds, now=now) for key, limit in sorted(limits.items())]
    return all(passed)


def give_back(
    key: str, seconds: int, *, now: float | datetime | None = None, start: int | None = None
) -> None:
    """Return a counted try that went well (a right password): the count stays a count of
    failures, and while the check ran the slot was held like any other."""
    window = window_of(seconds, now) if start is None else int(start)
    RateCount.update(count=RateCount.count - 1).where(
        (RateCount.key == _key(key, seconds)) & (RateCount.window == window) & (RateCount.count > 0)
    ).execute()


def clear(key: str, seconds: int) -> None:
    """Forget every window of `key` (a successful sign-in clears that person's failures)."""
    RateCount.delete().where(RateCount.key == _key(key, seconds)).execute()


def utc_seconds(value: datetime | None = None) -> float:
    """A stored naive-UTC time as epoch seconds (for `start`)."""
    return _now(value or utcnow())
