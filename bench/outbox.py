"""Outbox benchmark (prints figures; not a test).

1. Bulk send: 1 000 messages to 431 chats (up to 7 per chat) through the real Deliverer
   to a fake Telegram server that answers 429 above 30 requests in any 1-second window or
   above one message per second to one chat. Reports the rate while at least 30 chats had
   messages waiting, as a share of the configured rate, the 429s and the closest gap
   between two messages to one chat.
2. Claim + mark cost per message on SQLite and PostgreSQL: core.conversations.delivery.claim + finish
   (conditional UPDATE, then UPDATE + INSERT of the attempt in one transaction), beside
   the same statements sent as raw SQL through the same connection, in the same run.

    python bench/outbox.py            # PostgreSQL from BRIGADIR_TEST_PG, skipped if absent
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.base import db as dbmod  # noqa: E402
from core.base import runtime
from core.base.clock import utcnow  # noqa: E402
from core.base.config import Config, NotifySection  # noqa: E402
from core.base.interfaces import OutgoingMessage  # noqa: E402
from core.clients.models import Client, MessengerLink  # noqa: E402
from core.conversations import delivery  # noqa: E402
from core.conversations.models import Notification
from core.setup import prepare  # noqa: E402
from scheduler.deliverer import Deliverer, limiter_for  # noqa: E402
from tests.fakes.telegram_like import CountingTelegram, TelegramLikeSender  # noqa: E402

LIMIT = 30  # the fake platform: 30 messages/s per bot, 1/s per chat
RATE = 29.0  # [notify] telegram_per_second: what the deliverer is told
N = 1000
CHATS = 431
FIFO_N = 300
PG = os.environ.get("BRIGADIR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def seed(n: int, prefix: str, chats: int | None = None, seed_: int = 11) -> list[int]:
    """n messages to `chats` clients (one each when None), each client with a Telegram
    chat; with fewer chats than messages, up to 7 per chat, written in shuffled order."""
    chats = chats or n
    Client.insert_many([{"name": f"{prefix} {i}"} for i in range(chats)]).execute()
    ids = [c.id for c in Client.select(Client.id).where(Client.name.startswith(prefix + " "))]
    MessengerLink.insert_many(
        [
            {"channel": "telegram", "external_id": f"{prefix}-{i}", "client": c}
            for i, c in enumerate(ids)
        ]
    ).execute()
    rnd = random.Random(seed_)
    per_chat = [1] * chats
    while sum(per_chat) < n:  # spread the rest, never more than 7 to one chat
        i = rnd.randrange(chats)
        if per_chat[i] < 7:
            per_chat[i] += 1
    recipients = [c for c, k in zip(ids, per_chat, strict=True) for _ in range(k)]
    rnd.shuffle(recipients)
    Notification.insert_many(
        [{"audience": "client", "client": c, "text": f"Ваш заказ готов {i}", "idempotency_key": f"{prefix}:{i}"}
         for i, c in enumerate(recipients)]
    ).execute()  # fmt: skip
    return [
        n.id
        for n in Notification.select(Notification.id).where(
            Notification.idempotency_key.startswith(prefix + ":")
        )
    ]


def busy_rate(chat_times: dict[str, list[float]], floor: int = 30) -> tuple[float, int, float]:
    """Messages per second while at least `floor` distinct chats still had messages
    waiting (what per-chat scheduling must keep at the cap), the number of messages in that
    stretch, and the smallest gap between two messages to one chat."""
    events = sorted((t, chat) for chat, times in chat_times.items() for t in times)
    left = {chat: len(times) for chat, times in chat_times.items()}
    busy = len(left)
    stretch = [events[0][0]]
    for t, chat in events:
        if busy < floor:
            break
        stretch.append(t)
        left[chat] -= 1
        busy -= left[chat] == 0
    gaps = [b - a for times in chat_times.values() for a, b in zip(times, times[1:], strict=False)]
    rate = (len(stretch) - 2) / (stretch[-1] - stretch[1]) if len(stretch) > 2 else 0.0
    return rate, len(stretch) - 1, min(gaps, default=float("inf"))


def bulk_send() -> None:
    config = Config(notify=NotifySection(telegram_per_second=RATE))
    runtime.init(config)
    seed(N, "bulk", chats=CHATS)
    with CountingTelegram(per_second=LIMIT, per_chat=1.0) as api:
        deliverer = Deliverer({"telegram": TelegramLikeSender(api.url)}, config)
        started = time.monotonic()
        while Notification.select().where(Notification.status == "pending").exists():
            deliverer.run_once()
        wall = time.monotonic() - started
        chat_times = dict(api.chat_times)
    rate, counted, gap = busy_rate(chat_times)
    print(f"bulk send: {N} messages to {CHATS} Telegram chats (1-7 each) in {wall:.1f} s; "
          f"while ≥ 30 chats were waiting ({counted} messages): {rate:.2f}/s = "
          f"{100 * rate / RATE:.1f} % of the configured {RATE:g}/s "
          f"({100 * rate / LIMIT:.1f} % of the platform's {LIMIT}/s); "
          f"429 answers: {api.too_many}; closest two messages to one chat: {gap:.3f} s")  # fmt: skip
    fifo = fifo_rate(list(Notification.select().order_by(Notification.id).limit(FIFO_N)))
    print(f"  baseline, same run: the first {FIFO_N} of these messages sent strictly in the order "
          f"written, each waiting in line for its chat's slot (no database, same limiter and "
          f"fake): {fifo:.2f}/s = {100 * fifo / RATE:.1f} % of {RATE:g}/s")  # fmt: skip


def fifo_rate(notes: list[Notification]) -> float:
    """What in-line delivery (the deliverer before per-chat scheduling) reaches on this mix."""
    limiter = limiter_for(Config(notify=NotifySection(telegram_per_second=RATE)))
    address = {link.client_id: link.external_id for link in MessengerLink.select()}
    with CountingTelegram(per_second=LIMIT, per_chat=1.0) as api:
        sender = TelegramLikeSender(api.url)
        for note in notes:
            chat = address[note.client_id]
            time.sleep(limiter.delay("telegram", chat))
            slot = time.monotonic()
            sender.send(OutgoingMessage(chat, note.text))
            limiter.sent("telegram", chat, at=slot, answered_at=time.monotonic())
        times = sorted(api.times)
    return (len(times) - 1) / (times[-1] - times[0])


def claim_mark(label: str, n: int = 2000) -> None:
    ids = seed(n, f"cm{uuid.uuid4().hex[:6]}")
    half = n // 2
    route = delivery.Route("telegram", "x")
    started = time.perf_counter()
    for note_id in ids[:half]:
        assert delivery.claim(note_id, "bench")
        note = Notification(id=note_id, audience="staff")  # no thread row to write
        delivery.finish(
            note, "bench", route, delivery.Verdict("sent", 1, utcnow()), external_id="1"
        )
    core_us = (time.perf_counter() - started) / half * 1e6

    database = dbmod.database.obj
    p = "%s" if dbmod.is_postgres() else "?"
    started = time.perf_counter()
    for note_id in ids[half:]:
        now = utcnow()
        cur = database.execute_sql(
            f"UPDATE notification SET status='sending', claimed_at={p}, claimed_by={p} "
            f"WHERE id={p} AND status='pending' AND next_attempt_at <= {p}",
            (now, "bench", note_id, now),
        )
        assert cur.rowcount == 1
        with database.atomic():
            database.execute_sql(
                f"UPDATE notification SET status='sent', attempts={p}, next_attempt_at={p}, "
                f"failed_channels='[]', claimed_by=NULL, claimed_at=NULL, sent_at={p}, "
                f"sent_channel={p}, external_id={p} WHERE id={p} AND status='sending' AND claimed_by={p}",
                (1, now, now, "telegram", "1", note_id, "bench"),
            )
            database.execute_sql(
                f"INSERT INTO delivery_attempt (notification_id, at, channel, ok, error, external_id) "
                f"VALUES ({p}, {p}, {p}, {p}, {p}, {p})",
                (note_id, now, "telegram", True, "", "1"),
            )
    raw_us = (time.perf_counter() - started) / (n - half) * 1e6
    print(f"claim+mark on {label}: core {core_us:.0f} µs/message, raw SQL {raw_us:.0f} µs/message "
          f"(overhead ×{core_us / raw_us:.2f}; {half} messages each)")  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        dbmod.connect(f"sqlite:///{tmp}/bench.db")
        prepare()
        bulk_send()
        claim_mark("SQLite (WAL)")
        dbmod.disconnect()
    try:
        import psycopg2

        admin = psycopg2.connect(PG, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001
        print(f"claim+mark on PostgreSQL: skipped ({str(exc).strip()})")
        return
    admin.autocommit = True
    name = f"brigadir_bench_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        dbmod.connect(f"{PG.rsplit('/', 1)[0]}/{name}")
        prepare()
        claim_mark("PostgreSQL")
        dbmod.disconnect()
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


if __name__ == "__main__":
    main()
