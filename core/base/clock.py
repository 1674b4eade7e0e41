"""Time: stored in UTC (naive datetimes in the database), shown in the configured zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

__all__ = ["format_date", "format_datetime", "local_today", "to_local", "utcnow"]

_zone = ZoneInfo("Europe/Moscow")


def set_zone(name: str) -> None:
    """Called once by the composition root with the configured zone."""
    global _zone
    _zone = ZoneInfo(name)


def zone() -> ZoneInfo:
    return _zone


def utcnow() -> datetime:
    """Naive UTC: what the database stores (peewee and both backends agree on naive values)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_local(value: datetime) -> datetime:
    """A stored naive-UTC datetime in the configured zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(_zone)


def from_local(value: datetime) -> datetime:
    """A local wall-clock time (naive or aware) as naive UTC for storage."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_zone)
    return value.astimezone(UTC).replace(tzinfo=None)


def local_today() -> date:
    return datetime.now(_zone).date()


def format_datetime(value: datetime | None) -> str:
    """ "07.12.2026 14:30" in the configured zone. A moment at the local midnight to the
    microsecond is a date nobody gave a time (an imported table's "07.12.2026"): the date
    alone, not "00:00" (nor "03:00" when such a date was once stored as UTC midnight)."""
    if not value:
        return ""
    local = to_local(value)
    if local.time() == time.min:
        return local.strftime("%d.%m.%Y")
    return local.strftime("%d.%m.%Y %H:%M")


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d.%m.%Y")
