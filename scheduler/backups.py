"""The nightly backup: once per night at [backup] hour, caught up after downtime, old copies
pruned (the last N days and the last copy of each of M months), optionally a copy on
Yandex Disk, the director told in the messenger when it fails.

The archive itself is made by a `take(target)` the composition root hands in (cli.backup),
so the scheduler stays free of database dumps and tar streams."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from core import backups
from core.base.clock import to_local, utcnow
from core.base.config import Config

__all__ = ["NightlyBackup", "slot_date", "to_keep"]

log = logging.getLogger(__name__)

NAME = re.compile(r"^brigadir-(\d{8})-(\d{6})\.tar$")
RETRY_AFTER = timedelta(hours=1)  # a failed night is tried again hourly, not every tick


def slot_date(now_local: datetime, hour: int) -> date:
    """The night whose backup is due at `now_local`: today once the hour has come, else
    yesterday (so a machine that was off at night still takes yesterday's in the morning)."""
    day = now_local.date()
    return day if now_local.hour >= hour else day - timedelta(days=1)


def to_keep(names: Iterable[str], keep_daily: int, keep_monthly: int) -> set[str]:
    """Of the archive names (brigadir-YYYYMMDD-HHMMSS.tar), the ones retention keeps: the
    newest of each of the last `keep_daily` days, and the newest of each of the last
    `keep_monthly` months."""
    dated = sorted((m.group(1) + m.group(2), n) for n in names if (m := NAME.match(n)))
    dated.reverse()  # newest first
    days: dict[str, str] = {}
    months: dict[str, str] = {}
    for stamp, name in dated:
        days.setdefault(stamp[:8], name)
        months.setdefault(stamp[:6], name)
    return set(list(days.values())[:keep_daily]) | set(list(months.values())[:keep_monthly])


class NightlyBackup:
    """run_once() is the scheduler job; it does nothing until a night's backup is due."""

    def __init__(self, config: Config, take: Callable[[Path], Any], remote: Any | None = None):
        self.config = config
        self.take = take
        self.remote = remote  # a YandexDiskStore rooted at [backup] yadisk_folder, or None

    def run_once(self, now: datetime | None = None) -> Path | None:
        now = now or utcnow()
        settings = self.config.backup
        night = slot_date(to_local(now), settings.hour)
        if backups.done_for(night) or self._failed_recently(now):
            return None
        folder = self.config.backup_dir
        target = folder / f"brigadir-{to_local(now).strftime('%Y%m%d-%H%M%S')}.tar"
        try:
            result = self.take(target)
        except Exception as exc:  # noqa: BLE001 - any failure: tell the director, retry later
            log.exception("nightly backup failed")
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            backups.record_failure(message, at=now)
            self._tell_directors(
                night, f"Резервная копия за {night:%d.%m.%Y} не сделана: {message}"
            )
            return None
        backups.record_success(result.size, result.path.name, at=now)
        backups.mark_done(night)
        keep = to_keep(
            [p.name for p in folder.iterdir()], settings.keep_daily, settings.keep_monthly
        )
        for path in folder.iterdir():
            if NAME.match(path.name) and path.name not in keep:
                path.unlink()
        if self.remote is not None:
            self._copy_to_disk(result.path, night)
        return result.path

    def _failed_recently(self, now: datetime) -> bool:
        failed = backups.last().failed_at
        return failed is not None and now - failed < RETRY_AFTER

    def _copy_to_disk(self, path: Path, night: date) -> None:
        """Upload tonight's archive and prune the Disk folder by the same rule. The local copy
        is good either way, so a failure here is reported, not retried as a failed backup."""
        from storage.errors import StorageError

        settings = self.config.backup
        try:
            self.remote.put_file(path.name, path)
            names = [Path(k).name for k, _, _ in self.remote.walk()]
            keep = to_keep(names, settings.keep_daily, settings.keep_monthly)
            for name in names:
                if NAME.match(name) and name not in keep:
                    self.remote.delete(name, permanently=True)
        except StorageError as exc:
            log.warning("backup copy to Yandex Disk failed: %s", exc.message)
            self._tell_directors(
                night,
                f"Резервная копия {path.name} сделана, но не ушла на Яндекс Диск: {exc.message}",
            )

    @staticmethod
    def _tell_directors(night: date, text: str) -> None:
        from core.conversations import outbox
        from core.conversations.models import Notification
        from core.people.models import Employee

        for director in Employee.select().where((Employee.role == "director") & Employee.active):
            key = f"backup:{director.id}:{night.isoformat()}:{text[:20]}"[:200]
            if not Notification.select().where(Notification.idempotency_key == key).exists():
                outbox.notify_staff(director, text, key=key)
