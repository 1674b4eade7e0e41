"""One scheduler at a time: a lease row in the database, held by a process.

Several web workers (or a `brigadir run` and a stray `brigadir scheduler`) may each start
a scheduler. In each process one LeaseKeeper thread takes and renews the lease; the
process's jobs only read its answer (`keeper.held`), so they never race one another for
the database row. The others stand by, checking every second, and take over when the
holder lets go (SIGTERM, Ctrl+C), when its lease runs out, or at once when the holder was
a process of this same host that no longer exists (killed, crashed, restarted).
Compare-and-set on the stored text makes it safe on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from datetime import datetime, timedelta

import peewee as pw

from core.base.clock import utcnow
from core.base.db import database
from core.base.models import Setting

__all__ = ["Lease", "LeaseKeeper", "holder_is_dead"]

log = logging.getLogger(__name__)

STANDBY_CHECK = 1.0  # a standby looks at the lease this often (seconds)


def holder_is_dead(holder: str) -> bool:
    """A name of the form host:pid:… whose host is this one and whose process is gone."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


class Lease:
    def __init__(self, name: str = "scheduler", ttl_seconds: float = 60, holder: str | None = None):
        self.key = f"lease:{name}"
        self.ttl = timedelta(seconds=ttl_seconds)
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._lock = threading.Lock()  # one process's threads take turns, never collide

    def _raw(self) -> str | None:
        row = (
            Setting.select(pw.fn.COALESCE(Setting.value, "").coerce(False).alias("raw"))
            .where(Setting.key == self.key)
            .dicts()
            .first()
        )
        return None if row is None else row["raw"]

    def current(self) -> dict:
        """The stored lease: {"holder": …, "until": …}, or {} when nobody holds it."""
        raw = self._raw()
        return json.loads(raw) if raw else {}

    def acquire(self, now: datetime | None = None) -> bool:
        """Take or renew the lease; True while we hold it."""
        with self._lock:
            return self._acquire(now or utcnow())

    def _acquire(self, now: datetime) -> bool:
        value = {"holder": self.holder, "until": (now + self.ttl).isoformat()}
        raw = self._raw()
        if raw is None:
            try:
                with database.atomic():
                    Setting.insert(key=self.key, value=value).execute()
                return True
            except pw.IntegrityError:
                raw = self._raw()
                if raw is None:
                    return False
        current = json.loads(raw) if raw else {}
        mine = current.get("holder") == self.holder
        until = datetime.fromisoformat(current.get("until", "1970-01-01T00:00:00"))
        free = until <= now or holder_is_dead(str(current.get("holder", "")))
        if not (mine or free):
            return False
        changed = (
            Setting.update(value=value)
            .where((Setting.key == self.key) & (Setting.value == pw.Value(raw, converter=False)))
            .execute()
        )
        if changed == 1:
            return True
        # Someone wrote in between: it is ours only if that someone was us.
        return self.current().get("holder") == self.holder

    def release(self) -> None:
        with self._lock:
            raw = self._raw()
            if raw and json.loads(raw).get("holder") == self.holder:
                Setting.delete().where(
                    (Setting.key == self.key) & (Setting.value == pw.Value(raw, converter=False))
                ).execute()


class LeaseKeeper:
    """The process's one hand on the lease: renews it every third of its duration while
    held, checks every second while standing by. `held` is a local answer (no query),
    valid until shortly before the stored lease would run out."""

    def __init__(self, lease: Lease, clock=time.monotonic):
        self.lease = lease
        self.clock = clock
        self._held_until = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.reason = "аренда ещё не получена"
        self.other = ""  # who holds the lease when we do not

    @property
    def held(self) -> bool:
        return self.clock() < self._held_until

    def check(self) -> bool:
        """One attempt to take or renew the lease (the keeper's thread calls this)."""
        ttl = self.lease.ttl.total_seconds()
        started = self.clock()
        was = self.held
        try:
            ok = self.lease.acquire()
            if not ok:
                other = self.lease.current()
                self.other = str(other.get("holder", "?"))
                self.reason = f"аренду держит {self.other} до {other.get('until', '?')} UTC"
        except Exception as exc:  # noqa: BLE001 - a database hiccup: stand by, try again
            log.warning("scheduler lease check failed: %s", exc)
            self.reason = f"база данных недоступна: {type(exc).__name__}"
            self.other = "?"
            ok = False
        finally:
            if not database.is_closed():
                database.close()
        # Held until a margin before the stored expiry, counted from before the query.
        self._held_until = started + ttl * 0.9 if ok else 0.0
        if ok != was:
            log.info(
                "scheduler lease %s (%s)",
                "taken: this process works" if ok else "not ours: standing by",
                self.lease.holder if ok else self.reason,
            )
        return ok

    def start(self) -> None:
        self.check()
        self._thread = threading.Thread(target=self._run, name="lease", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        ttl = self.lease.ttl.total_seconds()
        while not self._stop.wait(ttl / 3 if self.held else min(STANDBY_CHECK, ttl / 3)):
            self.check()

    def stop(self) -> None:
        """Stop renewing and give the lease back, so a standby takes over at once."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self._held_until = 0.0
        try:
            self.lease.release()
        except Exception as exc:  # noqa: BLE001 - it will run out by itself
            log.warning("scheduler lease not released: %s", exc)
        finally:
            if not database.is_closed():
                database.close()
