"""Where files live: local folders (default) or Yandex Disk behind a local spool.

`build_store(config)` is the one place that picks the backend; everyone else sees a
core.base.interfaces.FileStore."""

from __future__ import annotations

from core.base.config import Config
from core.base.interfaces import FileStore
from storage.local import LocalStore

__all__ = ["build_store"]


def build_store(config: Config) -> FileStore:
    """Local folders under data_dir, or Yandex Disk with every file kept locally first and
    uploaded by the scheduler's sync job, so a dropped network loses nothing."""
    local = LocalStore(config.storage_root)
    if config.storage.backend != "yadisk":
        return local
    from storage.sync import SpoolQueue, SyncingStore
    from storage.yadisk_store import YandexDiskStore

    remote = YandexDiskStore(
        config.storage.yadisk_token,
        root="disk:" + config.storage.yadisk_root.removeprefix("disk:"),
        base_url=config.storage.yadisk_base_url,
        timeout=config.storage.yadisk_timeout,
    )
    return SyncingStore(local, remote, SpoolQueue(config.data_dir / "spool"))
