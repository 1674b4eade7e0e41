"""What the director knows about backups: the last one's time, size and outcome, and which
nightly slot is already done. Kept in the Setting table, so every process sees the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from core.base.clock import utcnow
from core.base.models import Setting

__all__ = [
    "LastBackup",
    "done_for",
    "format_size",
    "last",
    "mark_done",
    "record_failure",
    "record_success",
]

LAST_KEY = "backup:last"
DONE_KEY = "backup:done"


@dataclass(frozen=True)
class LastBackup:
    at: datetime | None  # the last good backup (naive UTC)
    size: int = 0
    name: str = ""
    failed_at: datetime | None = None  # the last failure, if after the last good backup
    error: str = ""


def _put(key: str, value: dict) -> None:
    Setting.insert(key=key, value=value).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: value}
    ).execute()


def _get(key: str) -> dict:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row is not None and isinstance(row.value, dict) else {}


def record_success(size: int, name: str, at: datetime | None = None) -> None:
    _put(LAST_KEY, {"at": (at or utcnow()).isoformat(), "size": size, "name": name})


def record_failure(error: str, at: datetime | None = None) -> None:
    _put(LAST_KEY, {**_get(LAST_KEY), "failed_at": (at or utcnow()).isoformat(), "error": error})


def last() -> LastBackup:
    raw = _get(LAST_KEY)
    at = datetime.fromisoformat(raw["at"]) if raw.get("at") else None
    failed = datetime.fromisoformat(raw["failed_at"]) if raw.get("failed_at") else None
    if failed is not None and at is not None and failed < at:
        failed = None  # a later backup succeeded: the failure is history
    return LastBackup(
        at=at,
        size=int(raw.get("size", 0)),
        name=raw.get("name", ""),
        failed_at=failed,
        error=raw.get("error", "") if failed else "",
    )


def done_for(day: date) -> bool:
    """True once the nightly backup for the slot of `day` was taken."""
    value = _get(DONE_KEY).get("date")
    return value is not None and value >= day.isoformat()


def mark_done(day: date) -> None:
    _put(DONE_KEY, {"date": day.isoformat()})


def format_size(value: int) -> str:
    """Bytes as people read them: "830 КБ", "1,4 ГБ"."""
    for unit, scale in (("ГБ", 1 << 30), ("МБ", 1 << 20), ("КБ", 1 << 10)):
        if value >= scale:
            number = f"{value / scale:.1f}".rstrip("0").rstrip(".")
            return f"{number.replace('.', ',')} {unit}"
    return f"{value} Б"
