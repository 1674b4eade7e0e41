"""Outbox benchmark (prints figures; not a test).

1. Bulk send: 1 000 messages through the real Deliverer to a fake Telegram server that
   answers 429 above 30 requests in any 1-second window. Reports the achieved rate as a
   share of 30/s and the number of 429s.
2. Claim + mark cost per message on SQLite and PostgreSQL: core.delivery.claim + finish
   (conditional UPDATE, then UPDATE + INSERT of the attempt in one transaction), beside
   the same statements sent as raw SQL through the same connection, in the same run.

    python bench/outbox.py            # PostgreSQL from BRIGADIR_TEST_PG, skipped if absent
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import db as dbmod  # noqa: E402
from core import delivery, runtime  # noqa: E402
from core.clock import utcnow  # noqa: E402
from core.config import Config, NotifySection  # noqa: E402
from core.models import Client, MessengerLink, Notification  # noqa: E402
from core.setup import prepare  # noqa: E402
from scheduler.deliverer import Deliverer  # noqa: E402
from tests.fakes.telegram_like import CountingTelegram, TelegramLikeSender  # noqa: E402

LIMIT = 30
N = 1000
PG = os.environ.get("BRIGADIR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def seed(n: int, prefix: str) -> list[int]:
    Client.insert_many([{"name": f"{prefix} {i}"} for i in range(n)]).execute()
    ids = [c.id for c in Client.select(Client.id).where(Client.name.startswith(prefix + " "))]
    MessengerLink.insert_many(
        [
            {"channel": "telegram", "external_id": f"{prefix}-{i}", "client": c}
            for i, c in enumerate(ids)
        ]
    ).execute()
    Notification.insert_many(
        [{"audience": "client", "client": c, "text": f"Ваш заказ готов {i}", "idempotency_key": f"{prefix}:{i}"}
         for i, c in enumerate(ids)]
    ).execute()  # fmt: skip
    return [
        n.id
        for n in Notification.select(Notification.id).where(
            Notification.idempotency_key.startswith(prefix + ":")
        )
    ]


def bulk_send() -> None:
    config = Config(notify=NotifySection(telegram_per_second=LIMIT * 0.985, batch_size=N))
    runtime.init(config)
    seed(N, "bulk")
    with CountingTelegram(per_second=LIMIT) as api:
        deliverer = Deliverer({"telegram": TelegramLikeSender(api.url)}, config)
        started = time.monotonic()
        while Notification.select().where(Notification.status == "pending").exists():
            deliverer.run_once()
        wall = time.monotonic() - started
        times = sorted(api.times)
    rate = (len(times) - 1) / (times[-1] - times[0])
    print(f"bulk send: {len(times)} delivered in {wall:.1f} s wall; rate {rate:.2f}/s "
          f"= {100 * rate / LIMIT:.1f} % of {LIMIT}/s; 429 answers: {api.too_many}")  # fmt: skip


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
