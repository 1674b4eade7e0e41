"""Demo clients: names, unique phones, a few companies, and their search words."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from faker import Faker

from core.clients import search


def client_rows(
    rnd: random.Random, fake: Faker, clients: int, first_id: int, now: datetime
) -> tuple[list, list]:
    # Clients: names, unique phones (+7 9xx from a running counter), a few companies.
    client_rows, word_rows = [], []
    base_phone = 9_000_000_000 + rnd.randrange(10_000_000) + (first_id * 7919) % 50_000_000
    for i in range(clients):
        cid = first_id + i
        company = rnd.random() < 0.15
        name = fake.company() if company else fake.name()
        phone = f"+7{base_phone + i * 13}"
        email = fake.email() if rnd.random() < 0.6 else None
        client_rows.append(
            [
                cid,
                name,
                "company" if company else "person",
                phone,
                email,
                "",
                now - timedelta(days=800),
            ]
        )
        for word in search.words(name, email.split("@")[0] if email else ""):
            word_rows.append((cid, word[:100]))
        national = phone[2:]
        word_rows += [(cid, national), (cid, "7" + national), (cid, "8" + national)]
    return client_rows, word_rows
