"""Pacing per channel and per chat, and the pause a platform orders with retry_after.

Sends are spaced evenly (never two closer than 1/rate) rather than bursting up to a
budget, and no more than `rate` of them start within a second of an earlier one's answer:
a platform that counts a sliding window then never sees more, however its clock jitters
against ours (a request that reached it late was answered no sooner). One limiter lives in
the one deliverer process, so the limits hold for the whole bot."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
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
        self.clock = clock
        self._next: dict[str, float] = {}
        self._next_chat: dict[tuple[str, str], float] = {}
        self._paused_until: dict[str, float] = {}
        # the answers of the last `rate` sends per key: the window the platform counts
        self._answers = {
            key: deque(maxlen=max(1, math.floor(rate)))
            for key, rate in per_second.items()
            if rate > 0
        }
        self._lock = threading.Lock()

    def delay(self, channel: str, address: str, lane: str | None = None) -> float:
        """Seconds until `channel` may send to `address` (0 = now). A `lane` with a rate of
        its own (bulk mailings) is paced by it too, on top of the channel's pace."""
        now = self.clock()
        with self._lock:
            ready = max(
                self._next.get(channel, 0.0),
                self._next.get(lane, 0.0) if lane else 0.0,
                self._next_chat.get((channel, address), 0.0),
                self._paused_until.get(channel, 0.0),
                *(self._window_opens(key) for key in (channel, lane) if key),
            )
        return max(0.0, ready - now)

    def _window_opens(self, key: str) -> float:
        answers = self._answers.get(key)
        if not answers or len(answers) < answers.maxlen:
            return 0.0
        return answers[0] + 1.0

    def sent(
        self,
        channel: str,
        address: str,
        at: float | None = None,
        lane: str | None = None,
        answered_at: float | None = None,
    ) -> None:
        """Record a send whose slot was granted at `at` (the clock's reading before the
        request): the next slot counts from then, so the request's own latency is not added
        to the pace. The chat's own spacing and the one-second window count from `answered_at`
        (the deliverer passes the moment the answer came, so platform-side jitter cannot
        bring two closer)."""
        now = self.clock() if at is None else at
        with self._lock:
            for key in (channel, lane):
                if key in self._interval:
                    step, due = self._interval[key], self._next.get(key, 0.0)
                    # A send a little late (a busy loop, a sleep that overslept) keeps the
                    # grid, so small delays do not add up to a slower pace; later than half
                    # a step, the grid starts again from now (no burst to catch up).
                    self._next[key] = (due if now - due < step / 2 else now) + step
                    self._answers[key].append(now if answered_at is None else max(now, answered_at))
            if channel in self._chat_interval:
                left = now if answered_at is None else max(now, answered_at)
                self._next_chat[(channel, address)] = left + self._chat_interval[channel]
                if len(self._next_chat) > 50_000:  # forget chats whose wait is long over
                    self._next_chat = {k: v for k, v in self._next_chat.items() if v > now}

    def min_interval(self, channel: str) -> float:
        """The channel's own spacing between two sends (0 when it has no rate)."""
        return self._interval.get(channel, 0.0)

    @property
    def chat_intervals(self) -> dict[str, float]:
        return dict(self._chat_interval)

    def pause(self, channel: str, seconds: float) -> None:
        """The platform said "retry after": the whole channel waits, not one chat."""
        until = self.clock() + max(0.0, seconds)
        with self._lock:
            self._paused_until[channel] = max(self._paused_until.get(channel, 0.0), until)
