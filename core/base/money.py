"""Money is integer kopecks everywhere; text appears only at the edges."""

from __future__ import annotations

import re

from core.base.errors import ValidationError

__all__ = ["MAX_SUM", "format_money", "parse_money", "rubles"]

# A sum above 100 million rubles is a typo in a small firm, not an order.
MAX_SUM = 100_000_000 * 100

_NUMBER = re.compile(r"^(?P<int>\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,](?P<frac>\d{1,2}))?$")
_CURRENCY = re.compile(r"\s*(₽|руб(?:лей|ля|ль)?\.?|р\.?)\s*$", re.IGNORECASE)


def rubles(amount: int | float) -> int:
    """Whole rubles to kopecks (for code and tests: rubles(10_000) == 1_000_000)."""
    return round(amount * 100)


def parse_money(text: str | int | float, *, allow_zero: bool = False) -> int:
    """Parse "12 500", "12500,50", "1 000 р." or "5000₽" into kopecks.

    Raises ValidationError with a Russian message for anything else, negative or absurd sums.
    """
    if isinstance(text, bool):
        raise ValidationError("Сумма должна быть числом.")
    if isinstance(text, int | float):
        kopecks = rubles(text)
    else:
        raw = _CURRENCY.sub("", str(text).strip())
        if raw.startswith("-"):
            raise ValidationError("Сумма не может быть отрицательной.")
        match = _NUMBER.match(raw.strip())
        if not match:
            raise ValidationError(
                f"Не понимаю сумму «{text}». Напишите число, например 12 500 или 12500,50."
            )
        whole = int(re.sub(r"\D", "", match["int"]))
        frac = (match["frac"] or "0").ljust(2, "0")
        kopecks = whole * 100 + int(frac)
    return check_sum(kopecks, allow_zero=allow_zero)


def check_sum(kopecks: int, *, allow_zero: bool = False, what: str = "Сумма") -> int:
    """Validate an amount already in kopecks."""
    if not isinstance(kopecks, int) or isinstance(kopecks, bool):
        raise ValidationError(f"{what}: ожидается целое число копеек.")
    if kopecks < 0:
        raise ValidationError(f"{what} не может быть отрицательной.")
    if kopecks == 0 and not allow_zero:
        raise ValidationError(f"{what} должна быть больше нуля.")
    if kopecks > MAX_SUM:
        raise ValidationError(f"{what} слишком большая: {format_money(kopecks)}. Проверьте число.")
    return kopecks


def format_money(kopecks: int, *, currency: bool = True) -> str:
    """12_500_00 -> "12 500,00 ₽" (non-breaking spaces would wrap badly in PDFs, so plain ones)."""
    sign = "−" if kopecks < 0 else ""
    whole, frac = divmod(abs(kopecks), 100)
    text = f"{sign}{whole:,}".replace(",", " ") + f",{frac:02d}"
    return f"{text} ₽" if currency else text
