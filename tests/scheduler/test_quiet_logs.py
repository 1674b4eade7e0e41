"""What an operator sees at INFO: no scheduler complaint every tick about a delivery
still running, no font-subsetting chatter from every PDF."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from cli.main import _logging
from core.base.config import Config, NotifySection
from core.clients.models import Client, MessengerLink
from core.conversations.models import Notification
from core.documents.fonts import subset_fonts
from core.documents.pdf import SYSTEM_FONT_DIR
from scheduler.app import build_scheduler
from tests.conftest import need_service
from tests.fakes.channels import FakeSender


class SlowSender(FakeSender):
    def send(self, message):
        time.sleep(0.3)  # a batch that outlasts the delivery interval many times over
        return super().send(message)


def test_a_long_delivery_batch_makes_no_scheduler_warnings(db, caplog):
    Notification.delete().execute()
    Client.insert_many([{"name": f"Медленный {i}"} for i in range(20)]).execute()
    ids = [c.id for c in Client.select().where(Client.name.startswith("Медленный "))]
    MessengerLink.insert_many(
        [{"channel": "telegram", "external_id": f"m{i}", "client": c} for i, c in enumerate(ids)]
    ).execute()
    Notification.insert_many(
        [{"audience": "client", "client": c, "text": "Готово", "idempotency_key": f"slow:{c}"}
         for c in ids]
    ).execute()  # fmt: skip
    sender = SlowSender("telegram")
    config = Config(notify=NotifySection(deliver_every_seconds=0.2, telegram_per_second=100))
    scheduler = build_scheduler(config, {"telegram": sender})
    caplog.set_level(logging.INFO)
    scheduler.start()
    try:
        deadline = time.monotonic() + 20
        while len(sender.sent) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.shutdown()
    assert len(sender.sent) >= 8
    complaints = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert complaints == [], [r.getMessage() for r in complaints]


def test_font_subsetting_says_nothing_at_info(tmp_path, caplog):
    if not (Path(SYSTEM_FONT_DIR) / "DejaVuSans.ttf").exists():
        need_service("DejaVu fonts", "fonts-dejavu-core is not installed")
    root, fonttools = logging.getLogger(), logging.getLogger("fontTools")
    saved = root.level, fonttools.level
    try:
        root.setLevel(logging.INFO)
        fonttools.setLevel(logging.NOTSET)
        subset_fonts(tmp_path / "before")
        chatter = [r for r in caplog.records if r.name.startswith("fontTools")]
        assert chatter, "fontTools said nothing: this test would prove nothing"
        caplog.clear()

        _logging()  # what every `brigadir` process sets up
        subset_fonts(tmp_path / "after")
        assert [r for r in caplog.records if r.name.startswith("fontTools")] == []
    finally:
        root.setLevel(saved[0])
        fonttools.setLevel(saved[1])
