"""The deliverer is SIGKILLed in the middle of 1 000 messages and started again: every
message arrives, and each crash costs at most one duplicate."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from core.models import Client, MessengerLink, Notification
from tests.fakes.telegram_like import CountingTelegram

WORKER = Path(__file__).with_name("deliver_worker.py")
N = 1000


def _seed(n: int) -> None:
    Notification.delete().execute()
    Client.insert_many([{"name": f"Клиент {i}", "phone": None} for i in range(n)]).execute()
    ids = [
        c.id
        for c in Client.select(Client.id)
        .where(Client.name.startswith("Клиент "))
        .order_by(Client.id)
    ]
    MessengerLink.insert_many(
        [
            {"channel": "telegram", "external_id": f"chat-{i}", "client": cid}
            for i, cid in enumerate(ids)
        ]
    ).execute()
    Notification.insert_many(
        [{"audience": "client", "client": cid, "text": f"Сообщение {i}", "idempotency_key": f"bulk:{i}"}
         for i, cid in enumerate(ids)]
    ).execute()  # fmt: skip


def _start(url: str, api: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(WORKER.parents[2])}
    return subprocess.Popen([sys.executable, str(WORKER), url, api], env=env)


def _wait_for(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_sigkill_mid_batch_loses_nothing_and_duplicates_at_most_one_per_crash(db, database_url):
    _seed(N)
    with CountingTelegram(delay=0.002) as api:
        crashes = 0
        for kill_at in (250, 600):
            worker = _start(database_url, api.url)
            _wait_for(lambda k=kill_at: sum(api.delivered.values()) >= k, 60)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            crashes += 1
        worker = _start(database_url, api.url)
        assert worker.wait(timeout=120) == 0

    statuses = {n.status for n in Notification.select(Notification.status)}
    assert statuses == {"sent"}
    assert set(api.delivered) == {f"chat-{i}" for i in range(N)}  # every message arrived
    duplicates = sum(c - 1 for c in api.delivered.values())
    assert duplicates <= crashes
