"""The one client search (core.clients.search) behind the order list, the client list and lookups."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.base.clock import utcnow
from core.clients import clients, search
from core.clients.models import Client


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("+7 (912) 345-67-89", ["9123456789"]),
        ("8 912 345 67 89", ["9123456789"]),
        ("79123456789", ["9123456789"]),
        ("  912-34 ", ["91234"]),
        ("12", ["12"]),  # two digits are too few for a phone: a word prefix
        ("Иванова Ёлка", ["иванова", "елка"]),
        ("ива 912", ["ива", "912"]),  # letters with digits: words, not a phone
        ("а б в г д е ж", ["а", "б", "в", "г", "д"]),
        ("ив ив", ["ив"]),
        ("  ,.; ", []),
    ],
)
def test_terms_are_phone_digits_or_first_letters_of_up_to_five_words(text, terms):
    assert search.client_terms(text) == terms


def _client(manager, name, phone, days_ago):
    client = clients.create_client(manager, name, phone)
    at = None if days_ago is None else utcnow() - timedelta(days=days_ago)
    Client.update(last_order_at=at).where(Client.id == client.id).execute()
    return client.id


def test_every_word_narrows_phone_prefixes_fold_and_the_most_recent_come_first(actors):
    manager = actors["manager"]
    old = _client(manager, "Иванова Ёлка Петровна", "8 (912) 345-67-89", 30)
    recent = _client(manager, "Иванов Пётр", "+7 912 000-00-01", 1)
    never = _client(manager, "Ивашкин Олег", "", None)
    _client(manager, "Петров Сидор", "+7 495 111-22-33", 2)

    assert search.client_ids_matching("ива") == [recent, old, never]
    assert search.client_ids_matching("ИВА", limit=2) == [recent, old]
    assert search.client_ids_matching("ив пет") == [recent, old]
    assert search.client_ids_matching("пет ив елк") == [old]
    assert search.client_ids_matching("ёлка") == [old]
    assert search.client_ids_matching("89123456789") == [old]
    assert search.client_ids_matching("+7 912") == [recent, old]
    assert search.client_ids_matching("ива сидор") == []
    assert search.client_ids_matching("") == []
    assert search.clients_matching(" ") is None
    # The same search finds the same people in a lookup (core.clients.clients.find_clients).
    assert [c.id for c in clients.find_clients(manager, "ив пет")] == [recent, old]


def test_the_limit_keeps_the_most_recent_clients(actors):
    manager = actors["manager"]
    ids = [_client(manager, f"Сидоров {n}", "", n) for n in range(1, 8)]
    assert search.client_ids_matching("сид", limit=3) == ids[:3]
