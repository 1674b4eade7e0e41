"""Date filters of the stock lists read dates as the firm writes them.

Flask-Admin's date filters parse only "2026-11-01 to 2026-11-30" — what its date picker
puts into the filter field, in view of the person. admin/static/daterange-ru.js makes the
picker Russian (month names, Monday first, «Применить») and write "01.11.2026 — 30.11.2026";
`install()` teaches the filters to read that, and still the ISO form of old bookmarks.
"""

from __future__ import annotations

import datetime as dt
import re

_RANGE = re.compile(r"\s+(?:—|–|-|to|по)\s+")
_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d")
_DATETIME_FORMATS = ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


def parse_datetime(text: str, formats: tuple[str, ...] = _DATETIME_FORMATS) -> dt.datetime:
    """The first of `formats` the text fits; ValueError when none does."""
    for fmt in formats:
        try:
            return dt.datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    raise ValueError(text)


def parse_date(text: str) -> dt.date:
    return parse_datetime(text, _DATE_FORMATS).date()


def _range(parse):
    def clean(self, value: str) -> list:
        return [parse(part) for part in _RANGE.split(value.strip(), maxsplit=1)]

    def validate(self, value: str) -> bool:
        try:
            bounds = clean(self, value)
        except ValueError:
            return False
        return len(bounds) == 2 and bounds[0] <= bounds[1]

    return clean, validate


def install() -> None:
    from flask_admin.model import filters

    filters.BaseDateFilter.clean = lambda self, value: parse_date(value)
    filters.BaseDateFilter.validate = _valid(parse_date)
    filters.BaseDateTimeFilter.clean = lambda self, value: parse_datetime(value)
    filters.BaseDateTimeFilter.validate = _valid(parse_datetime)
    filters.BaseDateBetweenFilter.clean, filters.BaseDateBetweenFilter.validate = _range(parse_date)
    (filters.BaseDateTimeBetweenFilter.clean,
     filters.BaseDateTimeBetweenFilter.validate) = _range(parse_datetime)  # fmt: skip


def _valid(parse):
    def validate(self, value: str) -> bool:
        try:
            parse(value)
        except ValueError:
            return False
        return True

    return validate
