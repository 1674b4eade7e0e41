"""SMS text: how many parts it costs, and Latin transliteration for cheaper messages.

GSM-7 fits 160 characters in one part (153 per part when split); anything outside it —
any Cyrillic letter — switches the whole message to UCS-2: 70 characters, 67 per part."""

from __future__ import annotations

__all__ = ["MAX_PARTS", "fit", "is_gsm7", "segments", "translit"]

MAX_PARTS = 6  # a longer message is cut: a readiness notice is never worth ten SMS

_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXT = set("^{}\\[~]|€")  # two septets each

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "№": "N", "«": '"', "»": '"', "—": "-", "–": "-", "₽": "rub.", "\u00a0": " ", "\u202f": " ",
}  # fmt: skip


def translit(text: str) -> str:
    """Russian to Latin (passport-like), keeping case; other characters stay."""
    out = []
    for ch in text:
        low = ch.lower()
        if low in _TRANSLIT:
            latin = _TRANSLIT[low]
            out.append(latin.capitalize() if ch != low and latin else latin)
        else:
            out.append(ch)
    return "".join(out)


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM7 or ch in _GSM7_EXT for ch in text)


def _units(text: str) -> tuple[int, int, int]:
    """(length in units, units in a single part, units per part of a long message)."""
    if is_gsm7(text):
        return sum(2 if ch in _GSM7_EXT else 1 for ch in text), 160, 153
    # UCS-2 counts UTF-16 code units: an emoji takes two
    return len(text.encode("utf-16-le")) // 2, 70, 67


def segments(text: str) -> int:
    """How many SMS parts the text takes."""
    length, single, multi = _units(text)
    if length <= single:
        return 1
    return -(-length // multi)


def fit(text: str, max_parts: int = MAX_PARTS) -> str:
    """Cut the text with "…" so it takes at most max_parts parts."""
    if segments(text) <= max_parts:
        return text
    while text and segments(text + "...") > max_parts:
        text = text[: max(1, len(text) - 10)] if len(text) > 20 else text[:-1]
    suffix = "..." if is_gsm7(text) else "…"
    return text.rstrip() + suffix
