"""How long our handling of one Telegram update takes (flow + database), network
excluded, next to a bare aiogram echo handler measured in the same run.

Both go through the real Dispatcher.feed_update. The echo answers through aiogram, ours
through BotApi (requests), as in production; each with an in-process session that
serialises the request and parses a JSON answer but sends nothing. The database holds 100 000 orders.

    python bench/bot_update.py [--orders 100000] [--runs 300] [--db sqlite|postgres]

Prints figures; it is not a test and asserts nothing."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot, Dispatcher, F  # noqa: E402
from aiogram.client.session.base import BaseSession  # noqa: E402
from aiogram.types import Message, Update  # noqa: E402
from requests import Response, Session  # noqa: E402
from requests.adapters import BaseAdapter  # noqa: E402

from bots.flows import Deps  # noqa: E402
from bots.telegram import build_dispatcher  # noqa: E402
from bots.telegram.api import BotApi  # noqa: E402
from core.access import SYSTEM  # noqa: E402
from core.base import db as dbmod  # noqa: E402
from core.base import runtime  # noqa: E402
from core.base.clock import utcnow  # noqa: E402
from core.base.config import Config  # noqa: E402
from core.base.models import Sequence
from core.clients.links import accept_invite  # noqa: E402
from core.clients.models import Client  # noqa: E402
from core.money.cash import issue_advance  # noqa: E402
from core.orders.models import Order, Pipeline, Stage
from core.people.staff import create_crew, create_employee, create_invite  # noqa: E402
from core.setup import prepare  # noqa: E402


class OfflineSession(BaseSession):
    """aiogram's session minus the socket: the request is serialised and a Bot API JSON
    answer is parsed back through check_response, as the aiohttp session would."""

    def __init__(self) -> None:
        super().__init__()
        self.ids = itertools.count(1)
        self.sent = 0

    async def make_request(self, bot, method, timeout=None):
        files: dict = {}
        for value in method.model_dump(warnings=False).values():
            self.prepare_value(value, bot=bot, files=files)
        self.sent += 1
        if method.__api_method__ in ("sendMessage", "sendDocument", "sendPhoto"):
            result = {"message_id": next(self.ids), "date": 1_700_000_000,
                      "chat": {"id": int(method.chat_id), "type": "private"},
                      "text": getattr(method, "text", "") or ""}  # fmt: skip
        else:
            result = True
        body = json.dumps({"ok": True, "result": result})
        response = self.check_response(bot=bot, method=method, status_code=200, content=body)
        return response.result

    async def close(self) -> None:
        return None

    async def stream_content(
        self, url, headers=None, timeout=30, chunk_size=65536, raise_for_status=True
    ):
        yield b""


class OfflineAdapter(BaseAdapter):
    """requests minus the socket: the request is prepared (body encoded) and a Bot API
    JSON answer comes back, as from api.telegram.org."""

    def __init__(self) -> None:
        super().__init__()
        self.ids = itertools.count(1)

    def send(self, request, **kwargs) -> Response:
        result = {"message_id": next(self.ids), "date": 1_700_000_000,
                  "chat": {"id": 1, "type": "private"}, "text": ""}  # fmt: skip
        response = Response()
        response.status_code = 200
        response._content = json.dumps({"ok": True, "result": result}).encode()
        response.headers["Content-Type"] = "application/json"
        response.request = request
        return response

    def close(self) -> None:
        return None


class NullStore:
    def save(self, folder, name, data, content_type=None):
        raise RuntimeError("the benchmark sends no files")

    def read(self, key):
        raise FileNotFoundError(key)

    def exists(self, key):
        return False

    def delete(self, key):
        return None

    def share_link(self, key):
        return None


def fill(orders: int) -> dict:
    """Staff, 20 000 clients and `orders` orders by bulk insert (one transaction)."""
    crew = create_crew(SYSTEM, "Бригада 1")
    director = create_employee(SYSTEM, "Директор", "director")
    manager = create_employee(SYSTEM, "Менеджер", "manager")
    crew_member = create_employee(SYSTEM, "Иван Монтажников", "executor", crew_id=crew.id)
    others = [create_employee(SYSTEM, f"Исполнитель {i}", "executor") for i in range(8)]
    pipeline = Pipeline.get(Pipeline.code == "printing")
    stages = list(Stage.select().where(Stage.pipeline == pipeline).order_by(Stage.position))
    rnd = random.Random(7)
    now = utcnow()
    database = dbmod.database
    with database.atomic():
        client_rows = [
            {"name": f"Клиент {i}", "phone": f"+7912{i:07d}", "created_at": now}
            for i in range(20_000)
        ]
        for start in range(0, len(client_rows), 2000):
            Client.insert_many(client_rows[start : start + 2000]).execute()
        first_client = Client.select(Client.id).order_by(Client.id).first().id
        batch = []
        for n in range(1, orders + 1):
            mine = n % 2000 == 0  # ~50 orders for the crew member, the rest spread out
            stage = stages[rnd.randrange(len(stages))]
            batch.append({
                "number": n, "pipeline": pipeline.id, "stage": stage.id,
                "client": first_client + rnd.randrange(20_000), "description": f"Баннер {n}",
                "cost": 450_000, "debt": 450_000, "manager": manager.id,
                "executor": crew_member.id if mine else others[n % len(others)].id,
                "is_archived": stage.is_archive, "due_date": (now + timedelta(days=n % 30)).date(),
                "created_at": now - timedelta(minutes=n), "updated_at": now,
            })  # fmt: skip
            if len(batch) == 5000:
                Order.insert_many(batch).execute()
                batch = []
        if batch:
            Order.insert_many(batch).execute()
        Sequence.insert(name="order", value=orders).on_conflict_replace().execute()
    issue_advance(SYSTEM, crew_member.id, 10_000_000)
    return {"director": director, "crew": crew_member}


def update(n: int, chat: int, text: str | None = None, button: str | None = None) -> Update:
    user = {"id": chat, "is_bot": False, "first_name": "Иван"}
    if button is not None:
        return Update.model_validate({"update_id": n, "callback_query": {
            "id": f"cb{n}", "from": user, "chat_instance": "x", "data": button,
            "message": {"message_id": 1, "date": 1_700_000_000, "chat": {"id": chat, "type": "private"}, "text": "…"}}})  # fmt: skip
    return Update.model_validate({"update_id": n, "message": {
        "message_id": n, "date": 1_700_000_000, "chat": {"id": chat, "type": "private"},
        "from": user, "text": text}})  # fmt: skip


def stats(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return statistics.median(ordered), p95, statistics.fmean(ordered)


async def measure(dp: Dispatcher, bot: Bot, make, runs: int, ids) -> list[float]:
    for _ in range(20):  # warm-up: caches, prepared statements, thread pool
        await dp.feed_update(bot, make(next(ids)))
    samples = []
    for _ in range(runs):
        upd = make(next(ids))
        start = time.perf_counter()
        await dp.feed_update(bot, upd)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--db", default=os.environ.get("BRIGADIR_BENCH_DB", "sqlite"))
    args = parser.parse_args([] if __name__ != "__main__" else None)
    runtime.init(Config())
    tmp = tempfile.mkdtemp(prefix="brigadir-bench-")
    url = f"sqlite:///{tmp}/bench.db" if args.db == "sqlite" else args.db
    dbmod.connect(url)
    prepare()
    started = time.perf_counter()
    people = fill(args.orders)
    # Planner statistics, as `PRAGMA optimize` / autovacuum keep them on a live database;
    # without them SQLite scans the is_archived index for "my orders" (~30 ms at 100k).
    dbmod.database.execute_sql("ANALYZE")
    print(f"database: {url.split('@')[-1]}, {Order.select().count()} orders "
          f"(filled in {time.perf_counter() - started:.1f} s)")  # fmt: skip
    chat = 4242
    accept_invite("telegram", str(chat), create_invite(SYSTEM, employee_id=people["crew"].id).code)
    one_of_mine = Order.select().where(Order.executor == people["crew"].id).first()

    bot = Bot("123456:BENCH", session=OfflineSession())
    echo = Dispatcher()

    @echo.message(F.text)
    async def repeat(message: Message) -> None:
        await message.answer(message.text)

    offline = Session()
    offline.mount("https://", OfflineAdapter())
    api = BotApi("123456:BENCH", session=offline)
    ours = build_dispatcher(Deps(store=NullStore(), config=Config()), api=api)
    ids = itertools.count(10_000)
    scenarios = [
        ("echo (bare aiogram)", echo, lambda n: update(n, chat, text="баланс")),
        ("«баланс»", ours, lambda n: update(n, chat, text="баланс")),
        ("«бензин 1000» (writes an expense)", ours, lambda n: update(n, chat, text="бензин 1000")),
        ("/tasks (list of own orders)", ours, lambda n: update(n, chat, text="/tasks")),
        ("button: open order card", ours, lambda n: update(n, chat, button=f"order:{one_of_mine.number}")),
    ]  # fmt: skip
    results = {}
    for name, dp, make in scenarios:
        results[name] = stats(await measure(dp, bot, make, args.runs, ids))
    base_p95 = results["echo (bare aiogram)"][1]
    print(f"{'update':38} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'p95/echo':>9}")
    for name, (p50, p95, mean) in results.items():
        print(f"{name:38} {p50:8.2f} {p95:8.2f} {mean:8.2f} {p95 / base_p95:9.2f}")
    await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main())
