"""A scheduler process for the crash test: `python deliver_worker.py DB_URL API_BASE`.
The real scheduler (lease keeper, delivery loop) with a Telegram-like transport; works
until nothing is pending or in flight, then stops as `brigadir scheduler` does and exits 0."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.base import db, runtime  # noqa: E402
from core.base.config import Config, NotifySection  # noqa: E402
from core.conversations.models import Notification  # noqa: E402
from scheduler.app import build_scheduler  # noqa: E402
from tests.fakes.telegram_like import TelegramLikeSender  # noqa: E402


def main(url: str, base: str) -> None:
    # Default lease and claim timeouts: a restart must not wait for either to run out.
    config = Config(notify=NotifySection(telegram_per_second=10_000, deliver_every_seconds=0.2))
    runtime.init(config)
    db.connect(url)
    scheduler = build_scheduler(config, {"telegram": TelegramLikeSender(base)})
    scheduler.start()
    try:
        while Notification.select().where(Notification.status.in_(["pending", "sending"])).exists():
            time.sleep(0.2)
    finally:
        scheduler.shutdown()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
