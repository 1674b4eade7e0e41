"""A deliverer process for the crash test: `python deliver_worker.py DB_URL API_BASE`.
Works until nothing is pending or in flight, then exits 0."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core import db, runtime  # noqa: E402
from core.config import Config, NotifySection  # noqa: E402
from core.models import Notification  # noqa: E402
from scheduler.deliverer import Deliverer  # noqa: E402
from tests.fakes.telegram_like import TelegramLikeSender  # noqa: E402


def main(url: str, base: str) -> None:
    config = Config(
        notify=NotifySection(telegram_per_second=10_000, claim_timeout_seconds=1, batch_size=50)
    )
    runtime.init(config)
    db.connect(url)
    deliverer = Deliverer({"telegram": TelegramLikeSender(base)}, config)
    while True:
        deliverer.run_once()
        left = Notification.select().where(Notification.status.in_(["pending", "sending"])).count()
        if not left:
            return
        time.sleep(0.1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
