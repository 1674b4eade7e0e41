"""Pacing per channel and per chat, and the pause a platform orders with retry_after.

Sends are spaced evenly (never two closer than 1/rate) rather than bursting up to a
budget: a platform that counts a sliding window then never sees a burst above its limit.
One limiter lives in the one deliverer process, so the limits hold for the whole bot."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

__all__ = ["RateLimiter"]


class RateLimiter:
    def __init__(
        self,
        per_second: Mapping[str, float],
        per_chat_interval: Mapping[str, float] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._interval = {ch: 1.0 / rate for ch, rate in per_second.items() if rate > 0}
        self._chat_interval = dict(per_chat_interval or {})
        self._clock = clock
        self._next: dict[str, float] = {}
        self._next_chat: dict[tuple[str, str], float] = {}
        self._paused_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def delay(self, channel: str, address: str) -> float:
        """Seconds until `channel` may send to `address` (0 = now)."""
        now = self._clock()
        with self._lock:
            ready = max(
                self._next.get(channel, 0.0),
                self._next_chat.get((channel, address), 0.0),
                self._paused_until.get(channel, 0.0),
            )
        return max(0.0, ready - now)

    def sent(self, channel: str, address: str, at: float | None = None) -> None:
        """Record a send that started at `at` (the clock's reading before the request): the
        next slot counts from the start, so the request's own latency is not added to it."""
        now = self._clock() if at is None else at
        with self._lock:
            if channel in self._interval:
                self._next[channel] = (
                    max(now, self._next.get(channel, 0.0)) + self._interval[channel]
                )
            if channel in self._chat_interval:
                self._next_chat[(channel, address)] = now + self._chat_interval[channel]
                if len(self._next_chat) > 50_000:  # forget chats whose wait is long over
                    self._next_chat = {k: v for k, v in self._next_chat.items() if v > now}

    def pause(self, channel: str, seconds: float) -> None:
        """The platform said "retry after": the whole channel waits, not one chat."""
        until = self._clock() + max(0.0, seconds)
        with self._lock:
            self._paused_until[channel] = max(self._paused_until.get(channel, 0.0), until)
