"""A bot update as the platform sees it: from the moment Telegram hands an update out to the
moment the bot's answer reaches Telegram, through the real processes over HTTP.

A fake Telegram on 127.0.0.1 that long-polls like the real one (getUpdates waits for an update
instead of answering empty) stamps both moments. Measured, in the same run:
- `brigadir bots` (long polling) over the prepared database, a linked crew member asking
  «баланс», «мои задачи» and a client asking a question;
- `brigadir web` in webhook mode: the update POSTed to its webhook → the answer's sendMessage
  (and the POST's own round trip);
- the floor: a bare aiogram echo bot, long polling the same fake.

    BENCH_SIZES=1000000 BENCH_CACHE=/some/dir python -m bench bot_real

Targets (issue 22): seen from the platform p50 ≤ 5 ms, p95 ≤ 10 ms; webhook POST → reply ≤ 10 ms."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

from bench.common import load, p95, prepared_folder, sizes
from bench.real import _wait_up

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.telegram import FakeTelegram  # noqa: E402

RUNS = int(os.environ.get("BENCH_BOT_RUNS", "200"))
SECRET = "bench-secret"


class LongPollTelegram(FakeTelegram):
    """getUpdates waits for an update (as Telegram's long polling does); the moment an update
    is handed out and the moment a sendMessage arrives are stamped per chat."""

    def __init__(self) -> None:
        super().__init__()
        self.handed: dict[int, float] = {}
        self.answered_at: dict[int, float] = {}
        self.arrived = threading.Condition()
        self._wake: asyncio.Event | None = None

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        self.pending.append(update)
        loop, wake = self._thread_loop, self._wake
        if loop is not None and wake is not None:
            loop.call_soon_threadsafe(wake.set)
        return update

    async def _api(self, request):
        method = request.match_info["method"].lower()
        if method == "getupdates":
            self.calls.append(("getUpdates", {}))
            if self._wake is None:
                self._wake = asyncio.Event()
            params = dict(await request.post()) | dict(request.query)
            offset = int(params.get("offset", 0) or 0)
            deadline = time.monotonic() + float(params.get("timeout", 0) or 0)
            while True:
                self.pending = [u for u in self.pending if u["update_id"] >= offset]
                if self.pending or time.monotonic() >= deadline:
                    break
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), deadline - time.monotonic())
            now = time.perf_counter()
            for u in self.pending:
                chat = (u.get("message") or {}).get("chat", {}).get("id")
                if chat is not None:
                    self.handed.setdefault(chat, now)
            from aiohttp import web

            return web.json_response({"ok": True, "result": list(self.pending)})
        response = await super()._api(request)
        if method == "sendmessage":
            chat = int(self.calls[-1][1]["chat_id"])
            with self.arrived:
                self.answered_at.setdefault(chat, time.perf_counter())
                self.arrived.notify_all()
        return response

    def wait_polling(self, timeout: float = 300) -> None:
        """Until a bot asks for updates (a process under load takes a while to start)."""
        deadline = time.monotonic() + timeout
        asked = sum(1 for m, _ in self.calls if m.lower() == "getupdates")
        while sum(1 for m, _ in self.calls if m.lower() == "getupdates") == asked:
            if time.monotonic() > deadline:
                raise RuntimeError("the bot never polled")
            time.sleep(0.1)

    def wait_answer(self, chat: int, timeout: float = 30) -> float:
        with self.arrived:
            self.arrived.wait_for(lambda: chat in self.answered_at, timeout)
        return self.answered_at.pop(chat)


SETUP = """
import json, sys
from core.access import SYSTEM
from core.base import db, runtime
from core.base.config import load_config
from core.clients.links import accept_invite
from core.clients.models import MessengerLink
from core.orders.models import Order
from core.people.models import Employee
from core.people.staff import create_employee, create_invite
config = load_config(sys.argv[1]); runtime.init(config); db.connect(config.database_url)
crew = Employee.get_or_none(Employee.name == "Монтажник замера")
crew = crew or create_employee(SYSTEM, "Монтажник замера", "executor")
if not MessengerLink.get_or_none(MessengerLink.channel == "telegram", MessengerLink.external_id == "810001"):
    accept_invite("telegram", "810001", create_invite(SYSTEM, employee_id=crew.id).code)
order = Order.select().where(~Order.is_archived).first()
if not MessengerLink.get_or_none(MessengerLink.channel == "telegram", MessengerLink.external_id == "810002"):
    accept_invite("telegram", "810002", create_invite(SYSTEM, client_id=order.client_id).code)
print(json.dumps({"crew": 810001, "client": 810002}))
"""


def _python(code: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         env=env, check=True)  # fmt: skip
    return out.stdout.strip().splitlines()[-1]


def _configure(config: Path, telegram: str, mode: str) -> None:
    text = re.sub(r"\n\[telegram\][^\[]*", "\n", config.read_text(encoding="utf-8"))
    text = re.sub(r'base_url = "[^"]*"\n', "", text)
    port = re.search(r"port = (\d+)", text).group(1)
    text = text.replace("[app]\n", f'[app]\nbase_url = "https://127.0.0.1:{port}"\n', 1)
    text += (
        f'\n[telegram]\ntoken = "42:BENCH"\napi_base = "{telegram}"\nmode = "{mode}"\n'
        f'webhook_secret = "{SECRET}"\n'
    )
    config.write_text(text, encoding="utf-8")


def _start(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)  # fmt: skip


def _texts() -> list[tuple[str, str]]:
    return [("crew", "баланс"), ("crew", "мои задачи"), ("client", "Когда будет готово?")]


def _polled(fake: LongPollTelegram, chats: dict[str, int], runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    n = 0
    for who, text in _texts():
        samples = []
        for i in range(runs + 5):
            n += 1
            chat = chats[who]
            fake.handed.pop(chat, None)
            fake.push(fake.message_update(chat, text=text, update_id=10_000_000 + n))
            answered = fake.wait_answer(chat)
            if i >= 5:
                samples.append((answered - fake.handed.pop(chat)) * 1000)
            time.sleep(0.02)
        out[f"polling: «{text}»"] = samples
    return out


def _webhook(fake, base: str, chats: dict[str, int], runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    s = requests.Session()
    n = 0
    for who, text in _texts()[:2]:
        replies, posts = [], []
        for i in range(runs + 5):
            n += 1
            chat = chats[who]
            update = fake.message_update(chat, text=text, update_id=20_000_000 + n)
            started = time.perf_counter()
            resp = s.post(f"{base}/telegram/webhook", json=update,
                          headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}, timeout=30)  # fmt: skip
            done = time.perf_counter()
            assert resp.status_code == 200, resp.status_code
            answered = fake.wait_answer(chat)
            if i >= 5:
                replies.append((answered - started) * 1000)
                posts.append((done - started) * 1000)
        out[f"webhook: POST → reply «{text}»"] = replies
        out[f"webhook: POST answered «{text}»"] = posts
    return out


ECHO = """
import asyncio, sys
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message
bot = Bot("42:ECHO", session=AiohttpSession(api=TelegramAPIServer.from_base(sys.argv[1])))
dp = Dispatcher()
@dp.message()
async def echo(message: Message) -> None:
    await message.answer(message.text or "…")
asyncio.run(dp.start_polling(bot, handle_signals=False))
"""


def main() -> None:
    for size in sizes():
        config, _password = prepared_folder(size)
        port = int(re.search(r"port = (\d+)", config.read_text()).group(1))
        fake = LongPollTelegram().start_in_thread()
        results: dict[str, list[float]] = {}
        try:
            _configure(config, fake.base, "polling")
            chats = json.loads(_python(SETUP, str(config)))
            proc = _start(["-m", "cli", "--config", str(config), "bots"])
            try:
                fake.wait_polling()
                results |= _polled(fake, chats, RUNS)
            finally:
                proc.terminate()
                proc.wait(timeout=20)
            echo = _start(["-c", ECHO, fake.base])
            try:
                fake.wait_polling()
                results |= {
                    k.replace("polling", "floor: bare aiogram echo"): v
                    for k, v in _polled(fake, {"crew": 810099, "client": 810098}, RUNS).items()
                    if "баланс" in k
                }
            finally:
                echo.terminate()
                echo.wait(timeout=20)
            _configure(config, fake.base, "webhook")
            web = _start(["-m", "cli", "--config", str(config), "web"])
            try:
                _wait_up(f"http://127.0.0.1:{port}", web)
                results |= _webhook(fake, f"http://127.0.0.1:{port}", chats, RUNS)
            finally:
                web.terminate()
                web.wait(timeout=20)
        finally:
            fake.stop_thread()
        print(f"\n{size} orders, SQLite; {load()}")
        print(f"  {'update, as Telegram sees it':<48}{'p50 ms':>9}{'p95 ms':>9}")
        for label, ms in results.items():
            print(f"  {label:<48}{sorted(ms)[len(ms) // 2]:9.1f}{p95(ms):9.1f}")


if __name__ == "__main__":
    main()
