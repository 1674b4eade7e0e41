"""One scheduler at a time: a lease row in the database, renewed by its holder.

Several web workers (or a `brigadir run` and a stray `brigadir scheduler`) may each start
a scheduler; every job first asks the lease. The holder renews it well before it expires;
the others stand by and take over once a dead holder's lease runs out. Compare-and-set
on the stored text makes it safe on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import os
import socket
import uuid
from datetime import datetime, timedelta

import peewee as pw

from core.clock import utcnow
from core.models import Setting

__all__ = ["Lease"]


class Lease:
    def __init__(self, name: str = "scheduler", ttl_seconds: float = 60, holder: str | None = None):
        self.key = f"lease:{name}"
        self.ttl = timedelta(seconds=ttl_seconds)
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def _raw(self) -> str | None:
        row = (
            Setting.select(pw.fn.COALESCE(Setting.value, "").coerce(False).alias("raw"))
            .where(Setting.key == self.key)
            .dicts()
            .first()
        )
        return None if row is None else row["raw"]

    def acquire(self, now: datetime | None = None) -> bool:
        """Take or renew the lease; True while we hold it."""
        now = now or utcnow()
        value = {"holder": self.holder, "until": (now + self.ttl).isoformat()}
        raw = self._raw()
        if raw is None:
            try:
                Setting.insert(key=self.key, value=value).execute()
                return True
            except pw.IntegrityError:
                raw = self._raw()
                if raw is None:
                    return False
        current = json.loads(raw) if raw else {}
        mine = current.get("holder") == self.holder
        expired = datetime.fromisoformat(current.get("until", "1970-01-01T00:00:00")) <= now
        if not (mine or expired):
            return False
        changed = (
            Setting.update(value=value)
            .where((Setting.key == self.key) & (Setting.value == pw.Value(raw, converter=False)))
            .execute()
        )
        return changed == 1

    def release(self) -> None:
        raw = self._raw()
        if raw and json.loads(raw).get("holder") == self.holder:
            Setting.delete().where(
                (Setting.key == self.key) & (Setting.value == pw.Value(raw, converter=False))
            ).execute()
