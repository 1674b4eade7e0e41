"""Reading what people type at the counter: "Баннер 3х6, 4500, до пятницы, аванс 2000".

Only the shape of words is decided here; every rule about sums and dates is core's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from core.base.errors import ValidationError
from core.base.money import parse_money

__all__ = ["OrderLine", "parse_due", "parse_order_line"]

_WEEKDAYS = {
    "понедельник": 0, "пн": 0, "вторник": 1, "вт": 1, "среда": 2, "среду": 2, "среды": 2, "ср": 2,
    "четверг": 3, "четверга": 3, "чт": 3, "пятница": 4, "пятницу": 4, "пятницы": 4, "пт": 4,
    "суббота": 5, "субботу": 5, "субботы": 5, "сб": 5,
    "воскресенье": 6, "воскресенья": 6, "вс": 6, "понедельника": 0, "вторника": 1,
}  # fmt: skip
_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?$")
_IN_DAYS = re.compile(r"^через\s+(\d{1,3})\s+(?:дн\w*|день)$")
_ADVANCE = re.compile(r"^(?:аванс|предоплата|предоплату)\s*[:\-]?\s*(.+)$", re.I)


def parse_due(text: str, today: date) -> date | None:
    """ "до пятницы", "пт", "25.11", "25.11.2026", "завтра", "через 3 дня" -> a date;
    None when the words are not a date at all."""
    words = re.sub(r"\s+", " ", text.lower().replace("ё", "е")).strip(" .")
    words = re.sub(r"^(?:до|к|срок|на|в)\s+", "", words)
    words = re.sub(r"^(?:до|к)\s+", "", words)
    if words == "сегодня":
        return today
    if words == "завтра":
        return today + timedelta(days=1)
    if words == "послезавтра":
        return today + timedelta(days=2)
    if words in _WEEKDAYS:
        ahead = (_WEEKDAYS[words] - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    match = _IN_DAYS.match(words)
    if match:
        return today + timedelta(days=int(match[1]))
    match = _DATE.match(words)
    if match:
        day, month, year = int(match[1]), int(match[2]), match[3]
        y = (2000 + int(year) if len(year) == 2 else int(year)) if year else today.year
        try:
            due = date(y, month, day)
        except ValueError:
            raise ValidationError(f"Нет такой даты: «{text.strip()}».") from None
        if not year and due < today:
            due = date(y + 1, month, day)  # "10.01" typed in December means next January
        return due
    return None


@dataclass(frozen=True)
class OrderLine:
    description: str
    cost: int | None
    due: date | None
    advance: int | None


def _money(part: str) -> int | None:
    try:
        return parse_money(part)
    except ValidationError:
        if re.match(r"^\s*[-−]\s*\d", part):
            raise
        return None


def parse_order_line(text: str, today: date) -> OrderLine:
    """Split a counter line into description, cost, due date and advance. Parts are
    separated by commas; a part that is a sum, a date or "аванс N" is taken as such."""
    parts = [p.strip() for p in re.split(r"[,;\n]", text or "") if p.strip()]
    description: list[str] = []
    cost = due = advance = None
    for part in parts:
        adv = _ADVANCE.match(part)
        if adv and advance is None:
            advance = parse_money(adv[1])
            continue
        if cost is None and (value := _money(part)) is not None:
            cost = value
            continue
        if due is None and (when := parse_due(part, today)) is not None:
            due = when
            continue
        description.append(part)
    if cost is None and len(parts) == 1:
        # "Визитки 1000 шт 3500" without commas: the last bare number is the price.
        match = re.search(r"\s(\d[\d ]*(?:[.,]\d{1,2})?)\s*(?:₽|р\.?|руб\w*)?$", parts[0])
        if match:
            cost = _money(match[1])
            if cost is not None:
                description = [parts[0][: match.start()].strip()]
    return OrderLine(", ".join(description), cost, due, advance)
