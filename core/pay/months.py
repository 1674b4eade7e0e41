"""A pay month: "2026-11", its days and its bounds in stored (UTC) time. Months are the
firm's local months (the configured zone), as the director and the crews count them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.base.clock import from_local, local_today
from core.base.errors import ValidationError

__all__ = ["Month", "month_of"]

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def period(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def last(self) -> date:
        return self.next.first - timedelta(days=1)

    @property
    def days(self) -> int:
        return self.last.day

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC, for the stored times of moves and movements."""
        return (
            from_local(datetime.combine(self.first, datetime.min.time())),
            from_local(datetime.combine(self.next.first, datetime.min.time())),
        )

    def has_ended(self) -> bool:
        return local_today() >= self.next.first


def month_of(value: str | date | None = None) -> Month:
    """ "2026-11" or a date as a Month (None: this month). A bad text is a Russian error."""
    if value is None:
        value = local_today()
    if isinstance(value, date):
        return Month(value.year, value.month)
    match = _PERIOD.match(str(value).strip())
    if not match:
        raise ValidationError("Месяц указывается как ГГГГ-ММ, например 2026-11.")
    return Month(int(match[1]), int(match[2]))
