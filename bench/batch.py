"""A whole batch as the clients get it: 1 000 messages to 431 Telegram chats (1-7 each),
delivered by the real scheduler process at the configured 25 messages a second, the process
SIGKILLed twice on the way and started again — from the first message's arrival to the last,
tail and restarts included.

The physical limit of a batch is max(messages ÷ configured rate, the busiest chat's messages
× the per-chat spacing): nothing can be faster. The figure is the share of it reached. Printed
beside it: the time the restarts took (from the kill to the new process's first message: the
process starting, not delivering), so the share without them is the deliverer's own.

Baseline in the same run: the same batch, same fake and same limits, with the ready chats
taken strictly oldest first, the deliverer's order before it gave a chat whose queue would
outlast the rest of the batch its slots first.

    python -m bench batch"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import load  # noqa: E402
from core.base import db as dbmod  # noqa: E402
from core.base import runtime  # noqa: E402
from core.base.config import Config  # noqa: E402
from core.clients.models import Client, MessengerLink  # noqa: E402
from core.conversations.models import Notification  # noqa: E402
from core.setup import prepare  # noqa: E402
from scheduler.deliverer import CHAT_INTERVAL  # noqa: E402
from tests.fakes.telegram_like import CountingTelegram  # noqa: E402

N, CHATS, RATE, LIMIT = 1000, 431, 25.0, 30
KILLS = (0.33, 0.66)  # the share of the batch delivered when the process is killed

WORKER = """
import sys, time
from core.base import db, runtime
from core.base.config import Config, NotifySection
from core.conversations.models import Notification
from scheduler.app import build_scheduler
from scheduler.deliverer import Deliverer
from tests.fakes.telegram_like import TelegramLikeSender
if sys.argv[4] == "oldest":  # the baseline: the oldest ready chat first, always
    Deliverer._critical = lambda self, head: False
config = Config(notify=NotifySection(telegram_per_second=float(sys.argv[3]), deliver_every_seconds=0.2))
runtime.init(config)
db.connect(sys.argv[1])
scheduler = build_scheduler(config, {"telegram": TelegramLikeSender(sys.argv[2])})
scheduler.start()
try:
    while Notification.select().where(Notification.status.in_(["pending", "sending"])).exists():
        time.sleep(0.2)
finally:
    scheduler.shutdown()
"""


def seed() -> int:
    """N messages to CHATS chats (1-7 each, shuffled); returns the busiest chat's count."""
    Notification.delete().execute()
    MessengerLink.delete().execute()
    Client.delete().execute()
    Client.insert_many([{"name": f"Клиент {i}", "phone": None} for i in range(CHATS)]).execute()
    ids = [c.id for c in Client.select(Client.id).order_by(Client.id)]
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
        [{"audience": "client", "client": ids[c], "text": f"Сообщение {n}",
          "idempotency_key": f"batch:{n}"} for n, c in enumerate(chats)]
    ).execute()  # fmt: skip
    return max(counts)


def _start(url: str, api: str, order: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", WORKER, url, api, str(RATE), order], env=env)


def run(url: str, order: str) -> dict:
    busiest = seed()
    limit = max(N / RATE, busiest * CHAT_INTERVAL)
    restarts = []
    with CountingTelegram(per_second=LIMIT, per_chat=1.0) as api:
        worker = _start(url, api.url, order)
        for share in KILLS:
            while len(api.times) < share * N:
                time.sleep(0.005)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            killed, before = time.monotonic(), len(api.times)
            worker = _start(url, api.url, order)
            while len(api.times) == before:
                time.sleep(0.005)
            restarts.append(api.times[before] - killed)
        worker.wait(timeout=600)
        times = sorted(api.times)
        sent = sum(api.delivered.values())
    whole = times[-1] - times[0]
    return {"whole": whole, "limit": limit, "restarts": restarts, "sent": sent,
            "too_many": api.too_many, "busiest": busiest}  # fmt: skip


def _line(label: str, r: dict) -> str:
    own = r["whole"] - sum(r["restarts"])
    return (
        f"  {label:<38} {r['whole']:6.1f} s = {100 * r['limit'] / r['whole']:5.1f} % of the limit; "
        f"restarts {' + '.join(f'{s:.1f}' for s in r['restarts'])} s; without them "
        f"{100 * r['limit'] / own:5.1f} %; {r['sent']} arrived, {r['too_many']} refused (429)"
    )


def main() -> None:
    runtime.init(Config())
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/batch.db"
        dbmod.connect(url)
        prepare()
        ours = run(url, "critical")
        baseline = run(url, "oldest")
        dbmod.disconnect()
    print(
        f"{N} messages to {CHATS} Telegram chats (busiest {ours['busiest']}), configured "
        f"{RATE:g}/s, platform {LIMIT}/s and 1/s per chat, SIGKILL at "
        f"{' and '.join(f'{int(k * 100)} %' for k in KILLS)}; physical limit "
        f"{ours['limit']:.1f} s; {load()}"
    )
    print(_line("the deliverer", ours))
    print(_line("baseline: oldest ready chat first", baseline))


if __name__ == "__main__":
    main()
