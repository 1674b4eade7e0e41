"""Local-first storage with a durable upload queue to Yandex Disk.

`SyncingStore.save` writes the file to the local store (fsynced) and queues an upload
item: one small JSON file per item in a spool folder, written atomically. The scheduler
calls `sync_pending()` every minute or so; items that fail stay queued with back-off, so
a dropped network or an expired token loses nothing: files wait and go up later.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from core.base.interfaces import FileStore, StoredFile
from storage.errors import StorageError
from storage.local import LocalStore

__all__ = ["QueueItem", "RemoteStore", "SpoolQueue", "SyncReport", "SyncingStore", "sync_pending"]

BACKOFF_START = 30.0  # seconds after the first failure
BACKOFF_MAX = 3600.0  # never wait more than an hour between tries


class RemoteStore(FileStore, Protocol):
    def put(self, key: str, data: bytes) -> None:
        """Upload at exactly this key, replacing it."""

    def makedirs(self, folder: str, *, retries: int | None = None) -> None:
        """Make a folder and its parents (an existing one is fine)."""


@dataclass
class QueueItem:
    id: str
    op: str  # "upload" | "delete"
    key: str
    created: float
    attempts: int = 0
    next_try: float = 0.0
    last_error: str | None = None


@dataclass
class SyncReport:
    uploaded: int = 0
    deleted: int = 0
    dropped: int = 0  # uploads whose local file was deleted before they went up
    pending: int = 0
    error: str | None = None  # the Russian message of the failure that stopped the run
    permanent: bool = False  # True: someone must act (token, full disk); tell the director
    busy: bool = False  # another process is syncing right now
    failed_keys: list[str] = field(default_factory=list)


class SpoolQueue:
    """A folder of JSON items; file names sort in creation order."""

    def __init__(self, folder: str | os.PathLike[str]):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def add(self, op: str, key: str) -> QueueItem:
        now = time.time()
        item = QueueItem(
            id=f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}", op=op, key=key, created=now
        )
        self._write(item)
        return item

    def items(self) -> list[QueueItem]:
        out = []
        for path in sorted(self.folder.glob("*.json")):
            with contextlib.suppress(FileNotFoundError):  # done by a concurrent run
                out.append(QueueItem(**json.loads(path.read_text("utf-8"))))
        return out

    def done(self, item: QueueItem) -> None:
        (self.folder / f"{item.id}.json").unlink(missing_ok=True)

    def failed(self, item: QueueItem, message: str, now: float) -> None:
        item.attempts += 1
        item.last_error = message
        item.next_try = now + min(BACKOFF_START * 2 ** (item.attempts - 1), BACKOFF_MAX)
        self._write(item)

    @contextlib.contextmanager
    def lock(self) -> Iterator[bool]:
        """Yield True if this process holds the sync lock (gunicorn workers + scheduler)."""
        with open(self.folder / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _write(self, item: QueueItem) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(item), fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.folder / f"{item.id}.json")


class SyncingStore:
    """FileStore that answers from local disk at once and mirrors to a remote store."""

    can_share = True  # the remote store publishes links

    def __init__(self, local: LocalStore, remote: RemoteStore, queue: SpoolQueue):
        self.local = local
        self.remote = remote
        self.queue = queue

    def save(
        self, folder: str, name: str, data: bytes, content_type: str | None = None
    ) -> StoredFile:
        stored = self.local.save(folder, name, data, content_type)
        self.queue.add("upload", stored.key)
        return stored

    def read(self, key: str) -> bytes:
        if self.local.exists(key):
            return self.local.read(key)
        return self.remote.read(key)  # e.g. uploaded from another machine

    def exists(self, key: str) -> bool:
        return self.local.exists(key) or self.remote.exists(key)

    def delete(self, key: str) -> None:
        self.local.delete(key)
        self.queue.add("delete", key)

    def order_folder(
        self, client_name: str, order_date: dt.date, number: int, description: str
    ) -> str:
        return self.local.order_folder(client_name, order_date, number, description)

    def share_link(self, key: str) -> str | None:
        """The client asked for a link now: push this file first if it is still queued."""
        for item in self.queue.items():
            if item.op == "upload" and item.key == key:
                self.remote.put(key, self.local.read(key))
                self.queue.done(item)
        if self.local.is_folder(key):
            self.remote.makedirs(key, retries=0)  # its files follow with the sync queue
        return self.remote.share_link(key)

    def unshare_link(self, key: str) -> None:
        self.remote.unshare_link(key)

    def sync_pending(self, now: float | None = None) -> SyncReport:
        return sync_pending(self.local, self.remote, self.queue, now=now)


def sync_pending(
    local: LocalStore, remote: RemoteStore, queue: SpoolQueue, now: float | None = None
) -> SyncReport:
    """Push due queue items in order. Stops at the first failure: when the disk is
    unreachable or the token is bad, every other item would fail the same way."""
    report = SyncReport()
    with queue.lock() as mine:
        if not mine:
            report.busy = True
            report.pending = len(queue.items())
            return report
        now = time.time() if now is None else now
        for item in queue.items():
            if item.next_try > now:
                continue
            try:
                if item.op == "upload":
                    try:
                        data = local.read(item.key)
                    except FileNotFoundError:
                        report.dropped += 1  # deleted locally before it went up
                    else:
                        remote.put(item.key, data)
                        report.uploaded += 1
                else:
                    remote.delete(item.key)
                    report.deleted += 1
            except StorageError as exc:
                queue.failed(item, exc.message, now)
                report.error, report.permanent = exc.message, exc.permanent
                report.failed_keys.append(item.key)
                break
            queue.done(item)
        report.pending = len(queue.items())
    return report
