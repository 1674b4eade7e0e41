"""Words that agree: the one place for Russian phrases with a number, a gender or quotes
(1 заказ / 3 заказа / 5 заказов; «Квитанция выписана», «Счёт выписан»; «ООО „Ромашка“»),
and sums in words as Russian payment documents write them."""

from __future__ import annotations

from num2words import num2words

__all__ = ["amount_in_words", "gendered", "plural", "quoted", "with_note"]


def plural(n: float, one: str, few: str, many: str) -> str:
    """Russian agreement: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль; a fraction takes
    the "few" form (1,5 рубля)."""
    if n != int(n):
        return few
    n = abs(int(n)) % 100
    if 11 <= n <= 14:
        return many
    return {1: one, 2: few, 3: few, 4: few}.get(n % 10, many)


def gendered(gender: str, masculine: str, feminine: str, neuter: str = "") -> str:
    """A word agreeing with a noun's gender ("m", "f", "n"): выписан / выписана / выписано."""
    return {"f": feminine, "n": neuter or masculine}.get(gender, masculine)


def quoted(text: str) -> str:
    """«text», with quotes inside it turned to the inner kind: «ООО „Сувенир-Принт“», not
    «ООО «Сувенир-Принт»»."""
    inner = str(text).strip()
    if inner.startswith("«") and inner.endswith("»") and inner.count("«") == 1:
        inner = inner[1:-1]  # already quoted once: not twice
    return "«" + inner.replace("«", "„").replace("»", "“") + "»"


def with_note(what: str, note: str, sep: str = " — ") -> str:
    """ "Бензин — заправка на трассе", but "Бензин" alone when the note only says the same."""

    def same(a: str, b: str) -> bool:
        return "".join(ch for ch in a.casefold() if ch.isalnum()) == "".join(
            ch for ch in b.casefold() if ch.isalnum()
        )

    note = (note or "").strip()
    return what if not note or same(what, note) else f"{what}{sep}{note}"


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
