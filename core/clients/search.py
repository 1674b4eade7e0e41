"""Search keys: lower case, ё = е, split into words, so prefix search works the same on
SQLite (whose LIKE folds ASCII only) and PostgreSQL, and can use a plain B-tree index."""

from __future__ import annotations

import re

import peewee as pw

__all__ = ["client_ids_matching", "client_terms", "clients_matching", "fold", "prefix_range",
           "words"]  # fmt: skip

_WORD = re.compile(r"[0-9a-zа-я]+")
_PHONE = re.compile(r"[\d\s()+\-]+")
MAX_WORDS = 5  # more words narrow no further in practice; each is one index range


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


def client_terms(text: str) -> list[str]:
    """What a client search looks up in ClientWord: typed as a phone ("+7 (912) 345", at
    least three digits and nothing else), its national digits — an 11-digit number's leading
    8 or 7 dropped, as the index keeps the bare national number too; otherwise the first
    letters of up to five words."""
    text = (text or "").strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 3 and _PHONE.fullmatch(text):
        if len(digits) == 11 and digits[0] in "78":
            digits = digits[1:]
        return [digits]
    return words(text)[:MAX_WORDS]


def clients_matching(text: str) -> pw.SelectQuery | None:
    """A subquery of the ids of clients each of whose search terms starts some word of
    theirs (one ClientWord index range per term, intersected), or None when the text has
    no terms. The one client search behind the order list, the client list and lookups."""
    from core.clients.models import ClientWord  # models import this module's folding

    matching = None
    for term in client_terms(text):
        lo, hi = prefix_range(term)
        ids = ClientWord.select(ClientWord.client).where(
            (ClientWord.word >= lo) & (ClientWord.word < hi)
        )
        matching = ids if matching is None else matching.intersect(ids)
    return matching


def client_ids_matching(text: str, limit: int = 100) -> list[int]:
    """Ids of the `limit` most recent clients (by last order, then newest card) matching
    text: few enough that their orders can be sorted, and more letters narrow further."""
    from core.clients.models import Client

    matching = clients_matching(text)
    if matching is None:
        return []
    return [
        cid
        for (cid,) in Client.select(Client.id)
        .where(Client.id.in_(matching))
        .order_by(Client.last_order_at.desc(nulls="LAST"), Client.id.desc())
        .limit(limit)
        .tuples()
    ]
