"""A Telegram-Bot-API-shaped fake that counts, enforces a per-second limit and knows
blocked chats — and the smallest sender that speaks to it. The sender is a test double
for the outbox (the real one is bots/telegram/transport.py); it maps answers the same
way: 429 -> retry_after, 403 -> permanent."""

from __future__ import annotations

import collections
import threading
import time

import requests

from core.base.interfaces import DeliveryError, OutgoingMessage
from tests.fakes.http import FakeHTTPServer, Reply


class CountingTelegram(FakeHTTPServer):
    """`per_second`: 429 above that many requests in any 1-second window (per bot);
    `per_chat`: 429 when one chat gets two messages closer than this many seconds."""

    def __init__(
        self, per_second: float | None = None, delay: float = 0.0, per_chat: float | None = None
    ):
        self.per_second = per_second
        self.per_chat = per_chat
        self.delay = delay
        self.last_in_chat: dict[str, float] = {}
        self.chat_times: collections.defaultdict[str, list[float]] = collections.defaultdict(list)
        self.blocked: set[str] = set()
        self.delivered: collections.Counter[str] = collections.Counter()  # chat_id -> count
        self.texts: collections.Counter[tuple[str, str]] = collections.Counter()  # (chat, text)
        self.times: list[float] = []
        self.too_many = 0
        self._window: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()
        self._ids = iter(range(1, 10**9))
        super().__init__(self._handle)

    def _handle(self, req):
        if not req.path.endswith("/sendMessage"):
            return Reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        try:
            body = req.json() or {}
        except ValueError:
            body = {}
        if not body.get("chat_id") or not body.get("text"):  # e.g. a sender killed mid-request
            return Reply(400, {"ok": False, "error_code": 400,
                               "description": "Bad Request: message text is empty"})  # fmt: skip
        chat = str(body.get("chat_id"))
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            now = time.monotonic()
            if self.per_second:
                while self._window and now - self._window[0] >= 1.0:
                    self._window.popleft()
                if len(self._window) >= self.per_second:
                    self.too_many += 1
                    return Reply(429, {"ok": False, "error_code": 429,
                                       "description": "Too Many Requests: retry after 1",
                                       "parameters": {"retry_after": 1}})  # fmt: skip
            if self.per_chat and now - self.last_in_chat.get(chat, -1e9) < self.per_chat:
                self.too_many += 1
                return Reply(429, {"ok": False, "error_code": 429,
                                   "description": "Too Many Requests: retry after 1",
                                   "parameters": {"retry_after": 1}})  # fmt: skip
            if self.per_second:
                self._window.append(now)
            self.last_in_chat[chat] = now
            if chat in self.blocked:
                return Reply(403, {"ok": False, "error_code": 403,
                                   "description": "Forbidden: bot was blocked by the user"})  # fmt: skip
            self.delivered[chat] += 1
            self.texts[(chat, str(body.get("text")))] += 1
            self.times.append(now)
            self.chat_times[chat].append(now)
            return Reply(200, {"ok": True, "result": {"message_id": next(self._ids)}})


class TelegramLikeSender:
    channel = "telegram"

    def __init__(self, base: str, token: str = "T"):
        self.url = f"{base}/bot{token}/sendMessage"
        self.session = requests.Session()

    def send(self, message: OutgoingMessage) -> str | None:
        try:
            r = self.session.post(
                self.url, json={"chat_id": message.address, "text": message.text}, timeout=5
            )
        except requests.RequestException as exc:
            raise DeliveryError(f"Telegram недоступен: {type(exc).__name__}") from exc
        body = r.json()
        if body.get("ok"):
            return str(body["result"]["message_id"])
        if r.status_code == 429:
            raise DeliveryError(body["description"], retry_after=body["parameters"]["retry_after"])
        raise DeliveryError(body.get("description", ""), permanent=r.status_code == 403)
