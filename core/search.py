"""Search keys: lower case, ё = е, split into words, so prefix search works the same on
SQLite (whose LIKE folds ASCII only) and PostgreSQL, and can use a plain B-tree index."""

from __future__ import annotations

import re

__all__ = ["fold", "prefix_range", "words"]

_WORD = re.compile(r"[0-9a-zа-я]+")


def fold(text: str) -> str:
    return (text or "").lower().replace("ё", "е")


def words(*texts: str | None) -> list[str]:
    """Distinct folded words of the given texts, in order."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall(fold(text or "")):
            seen.setdefault(word, None)
    return list(seen)


def prefix_range(prefix: str) -> tuple[str, str]:
    """[lo, hi) covering every string that starts with prefix: an index range scan, no LIKE."""
    return prefix, prefix + "\uffff"
