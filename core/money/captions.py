"""Which number in a crew's caption is the money: "кабель ВВГ 3х2,5 30 м 1500" -> 1 500 ₽.

Pure text logic, no database. A number is the sum when it is marked as money — a currency
after it (р, руб., ₽, "15к", "2 тыс") or a money word before it (на, за, потратил, итого…).
Numbers that belong to what was bought are never the sum: a size or cross-section (50х50,
3x2.5), a number with a unit (30 м, 2,5кв, 40 л, 3 шт), a model (АИ-95, C16), an order
number (№1504), a date or time (12.11, 10:30), a phone. "по 300" is a price per piece, not
the total. With no marked number, a lone remaining number is the sum; of several, the one
standing free (at the end, before a comma) wins; otherwise the caller asks with buttons.

Decisions: "15к", "1,5к", "15 тыс" are thousands of rubles (crews write it so); "2.500"
(a dot and three digits) is two and a half thousand; a dash stuck to a number ("-500")
makes it negative, a dash between words ("бензин - 500") is punctuation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Caption", "Choice", "read_caption"]

_SP = "[ \u00a0\u202f]"
# A number: "1 500" (thousands groups), "1500", with an optional fraction ",50" / ".5".
_NUMBER = re.compile(rf"(?<!\d)(\d{{1,3}}(?:{_SP}\d{{3}})+(?!\d)|\d+)(?:([.,])(\d+))?(?!\d)")

_LETTERS = "a-zа-яё"
_DIM = re.compile(
    rf"(?<![\d.,])\d+(?:[.,]\d+)?(?:\s*[xх×*]\s*\d+(?:[.,]\d+)?)+(?![\d{_LETTERS}])", re.I
)
_DATE = re.compile(r"(?<![\d.,])(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?(?![\d.,]?\d)")
_TIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")
_MONTHS = "январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр"
_DAY_MONTH = re.compile(rf"(?<!\d)\d{{1,2}}\s+(?:{_MONTHS})\w*", re.I)
_PHONE = re.compile(r"(?:\+7|(?<!\d)8)[\s\-(]*\d{3}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\d)")
_ORDER = re.compile(r"(?:№|#)\s*(\d+)|\bзаказ\w*\s+(?:№\s*)?(\d+)", re.I)

# After a number: a currency (money), thousands (money), or any unit (not money).
_CURRENCY = r"₽|руб\w*\.?|р\.?(?![\w])|rub\w*"
_AFTER_MONEY = re.compile(
    rf"^(?:\s*(?:{_CURRENCY})|(?P<k>[кk](?![\w])|\s*тыс\w*\.?(?:\s*(?:{_CURRENCY}))?))", re.I
)
_UNITS = (
    r"мм[2²]?|см|дм|км|м[23²³]?|метр\w*|кв\w*|квадрат\w*|шт\w*|штук\w*|уп\w*|пач\w*|рул\w*|"
    r"бухт\w*|мешк\w*|мешок|короб\w*|кор|л|литр\w*|мл|кг|гр?|грамм\w*|тонн\w*|лист\w*|"
    r"компл\w*|пар[аы]?|ед|пог\w*|п\.?м|м\.?п|вт|квт|ква|ампер\w*|вольт\w*|ч|час\w*|мин\w*|"
    r"сек\w*|дн\w*|день|сут\w*|недел\w*|месяц\w*|год\w*|лет|раз\w*|чел\w*|этаж\w*|куб\w*|"
    r"mm|cm|m|km|kg|l|pcs|w|kw|%|°"
)
_AFTER_UNIT = re.compile(rf"^(?:\s*(?:{_UNITS})(?![\w])|[{_LETTERS}%°²³]|-[{_LETTERS}])", re.I)
# Before a number: words that say "this is what I paid" (and a dash or colon after them).
_MONEY_WORDS = (
    r"на|за|потрат\w*|потрачен\w*|заплат\w*|оплат\w*|отдал\w*|сумм\w*|итого|всего|"
    r"стоимост\w*|цен\w*|чек\s+на"
)
_BEFORE_MONEY = re.compile(rf"(?:^|(?<=[\s,.;:(]))(?:{_MONEY_WORDS})\s*[:\-—–]?\s*$", re.I)
_PER_PIECE = re.compile(r"(?:^|(?<=[\s,.;:(]))по\s*$", re.I)
# Words that may stand between a free-standing sum and the rest of the sentence.
_FREE_AFTER = re.compile(r"^\s*(?:$|[,.;:!)(\-—–]|(?:на|в|во|за|для|у|с|со|и|от|из)\b)", re.I)
# Fragments a removed sum must not leave hanging at either end of the note.
_DANGLING = re.compile(
    rf"^(?:(?:{_MONEY_WORDS}|по|в|во|для|у|с|со|и|от|из)(?![\w]))\s*|\s*(?<![\w])(?:{_MONEY_WORDS}|по|в|во|для|у|с|со|и|от|из)$",
    re.I,
)


@dataclass(frozen=True)
class Choice:
    """One possible sum and the note that goes with it (the caption without that sum)."""

    amount: int  # kopecks
    note: str


@dataclass(frozen=True)
class Caption:
    amount: int | None  # kopecks; None when no number is the sum or when it is unclear
    note: str  # the caption's words without the sum
    choices: tuple[Choice, ...] = ()  # two or more: ask which one is the sum
    negative: bool = False  # a number written with a minus: refuse, do not guess
    order_number: int | None = None  # "№1504", "заказ 1504"


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    amount: int
    marked: bool  # a currency after it or a money word before it
    free: bool  # followed by the end of the text, punctuation or a small word
    counts: bool  # followed by another word: "3 розетки" counts what was bought


def _masked(text: str) -> str:
    """The text with sizes, dates, times, phones and order numbers blanked out, so their
    digits are never read as a sum (length and positions kept)."""
    out = text
    for pattern in (_PHONE, _ORDER, _DIM, _TIME, _DAY_MONTH):
        out = pattern.sub(lambda m: "\x01" * len(m.group(0)), out)

    def date(m: re.Match[str]) -> str:
        day, month = int(m[1]), int(m[2])
        if not (1 <= day <= 31 and 1 <= month <= 12) or _AFTER_MONEY.match(out[m.end() :]):
            return m.group(0)
        return "\x01" * len(m.group(0))

    return _DATE.sub(date, out)


def _value(whole: str, sep: str | None, frac: str | None, thousands: bool) -> int | None:
    digits = re.sub(r"\D", "", whole)
    if frac and len(frac) == 3 and sep == "." and len(digits) <= 3 and not thousands:
        digits, frac = digits + frac, None  # "2.500" — a dot between thousands
    if frac and len(frac) > 2 and not thousands:
        return None  # "0,125" is a measure, not rubles and kopecks
    rubles = Decimal(f"{digits}.{frac or 0}") * (1000 if thousands else 1)
    kopecks = rubles * 100
    return int(kopecks) if kopecks == kopecks.to_integral_value() else None


def _note(text: str, start: int, end: int) -> str:
    """The caption with text[start:end] cut out and no fragment left hanging."""
    note = f"{text[:start]} {text[end:]}" if end > start else text
    note = re.sub(r"\s+", " ", note).strip()
    note = re.sub(r"\s+([,.;:!?)])", r"\1", note)
    note = re.sub(r"([,.;:])(?:\s*[,.;:])+", r"\1", note)
    while True:
        trimmed = note.strip(" ,.;:-—–")
        trimmed = re.sub(r"\s*(?<![\w])(?:на|за|по|в|во|для)([,.;:])", r"\1", trimmed, flags=re.I)
        trimmed = _DANGLING.sub("", trimmed).strip(" ,.;:-—–")
        if trimmed == note:
            return note
        note = trimmed


def read_caption(text: str) -> Caption:
    """Find the sum in a caption (see the module's docstring for the rules)."""
    raw = re.sub(r"\s", " ", text or "").strip()
    masked = _masked(raw)
    order = _ORDER.search(raw)
    order_number = int(order[1] or order[2]) if order else None
    candidates: list[_Candidate] = []
    negative = False
    for m in _NUMBER.finditer(masked):
        start, end = m.start(), m.end()
        before, after = masked[:start], masked[end:]
        if before[-1:].isalpha() or before[-1:] in ("\x01", "№", "#"):
            continue  # C16, М8, or glued to a size or a date
        dash = before[-1:] in ("-", "−", "–")
        if dash and before[-2:-1].isalpha():
            continue  # АИ-95
        money = _AFTER_MONEY.match(after)
        if money is None and _AFTER_UNIT.match(after):
            continue  # 30 м, 2,5кв, 3 шт, 3-х
        value = _value(
            m[1], m[2], m[3], bool(money and money["k"] or (money and "тыс" in money[0]))
        )
        if value is None:
            continue
        if dash and before[-2:-1] in ("", " "):
            negative = True
            continue
        prefix = _BEFORE_MONEY.search(before)
        if _PER_PIECE.search(before) and money is None:
            continue  # "по 300" — the price of one piece
        cut_start = prefix.start() if prefix else start
        cut_end = end + (money.end() if money else 0)
        candidates.append(
            _Candidate(
                start=cut_start,
                end=cut_end,
                amount=value,
                marked=bool(money or prefix),
                free=bool(_FREE_AFTER.match(masked[cut_end:])),
                counts=bool(re.match(r"\s*[^\W\d]", masked[cut_end:])),
            )
        )
    chosen = _choose(candidates)
    if len(chosen) == 1:
        only = chosen[0]
        return Caption(only.amount, _note(raw, only.start, only.end), (), negative, order_number)
    choices = tuple(Choice(c.amount, _note(raw, c.start, c.end)) for c in chosen)
    return Caption(None, _note(raw, 0, 0), choices, negative, order_number)


def _choose(candidates: list[_Candidate]) -> list[_Candidate]:
    """The sum, or the few numbers that could be it (distinct amounts, in text order)."""
    pool = [c for c in candidates if c.marked] or candidates
    if len(pool) > 1 and not any(c.marked for c in pool):
        free = [c for c in pool if c.free]
        if len(free) == 1 and all(c.free or c.counts for c in pool):
            pool = free  # "3 розетки 900": the number that counts something is not the sum
    distinct: dict[int, _Candidate] = {}
    for c in pool:
        distinct.setdefault(c.amount, c)
    return list(distinct.values())[:4]
