"""Sums in words as Russian payment documents write them."""

from __future__ import annotations

from num2words import num2words

__all__ = ["amount_in_words", "plural"]


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian agreement: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль."""
    n = abs(n) % 100
    if 11 <= n <= 14:
        return many
    return {1: one, 2: few, 3: few, 4: few}.get(n % 10, many)


def amount_in_words(kopecks: int, capitalize: bool = False) -> str:
    """12_500_00 -> "двенадцать тысяч пятьсот рублей 00 копеек".

    Rubles in words, kopecks in digits: the usual form on invoices and acts. `capitalize`
    gives "Двенадцать тысяч..." for the line under the totals.
    """
    if kopecks < 0:
        raise ValueError("amount_in_words: negative sum")
    rubles, kop = divmod(kopecks, 100)
    text = (
        f"{num2words(rubles, lang='ru')} {plural(rubles, 'рубль', 'рубля', 'рублей')} "
        f"{kop:02d} {plural(kop, 'копейка', 'копейки', 'копеек')}"
    )
    return text[0].upper() + text[1:] if capitalize else text
