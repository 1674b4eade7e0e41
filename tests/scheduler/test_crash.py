"""The scheduler is SIGKILLed twice in the middle of 1 000 messages to 300 chats (up to 7
each) and started again: every message arrives, each crash costs at most one duplicate,
and delivery resumes within 5 s of the restart — the dead process's lease and its claim
are recognised at once, not after the lease or the claim timeout runs out."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from core.clients.models import Client, MessengerLink
from core.conversations.models import Notification
from tests.fakes.telegram_like import CountingTelegram

WORKER = Path(__file__).with_name("deliver_worker.py")
N, CHATS = 1000, 300


def _seed() -> list[tuple[str, str]]:
    """N messages to CHATS chats, 1-7 each, written in shuffled order; (chat, text) pairs."""
    Notification.delete().execute()
    Client.insert_many([{"name": f"Клиент {i}", "phone": None} for i in range(CHATS)]).execute()
    ids = [
        c.id
        for c in Client.select(Client.id)
        .where(Client.name.startswith("Клиент "))
        .order_by(Client.id)
    ]
    MessengerLink.insert_many(
        [
            {"channel": "telegram", "external_id": f"chat-{i}", "client": c}
            for i, c in enumerate(ids)
        ]
    ).execute()
    rnd = random.Random(7)
    counts = [1] * CHATS
    while sum(counts) < N:
        i = rnd.randrange(CHATS)
        counts[i] += counts[i] < 7
    chats = [i for i, k in enumerate(counts) for _ in range(k)]
    rnd.shuffle(chats)
    Notification.insert_many(
        [{"audience": "client", "client": ids[c], "text": f"Сообщение {n}", "idempotency_key": f"bulk:{n}"}
         for n, c in enumerate(chats)]
    ).execute()  # fmt: skip
    return [(f"chat-{c}", f"Сообщение {n}") for n, c in enumerate(chats)]


def _start(url: str, api: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(WORKER.parents[2])}
    return subprocess.Popen([sys.executable, str(WORKER), url, api], env=env)


def _wait_for(predicate, timeout: float) -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, "timed out"
        time.sleep(0.01)
    return time.monotonic() - started


def test_sigkill_mid_batch_loses_nothing_duplicates_at_most_one_per_crash_resumes_fast(
    db, database_url
):
    expected = _seed()
    with CountingTelegram(delay=0.002, per_chat=1.0) as api:
        crashes, resumed_after = 0, []
        worker = _start(database_url, api.url)
        for kill_at in (250, 600):
            _wait_for(lambda k=kill_at: api.texts.total() >= k, 180)  # liveness, not speed
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            crashes += 1
            before = api.texts.total()
            worker = _start(database_url, api.url)
            resumed_after.append(_wait_for(lambda b=before: api.texts.total() > b, 30))
        assert worker.wait(timeout=120) == 0
        too_many = api.too_many

    statuses = {n.status for n in Notification.select(Notification.status)}
    assert statuses == {"sent"}
    assert set(api.texts) == set(expected)  # every message arrived
    duplicates = sum(c - 1 for c in api.texts.values())
    assert duplicates <= crashes, duplicates
    assert too_many == 0, (
        too_many
    )  # one chat never got two messages within a second, restarts included
    assert max(resumed_after) <= 5, resumed_after
