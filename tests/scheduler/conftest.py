from __future__ import annotations

import pytest

from core.base.money import rubles
from core.clients import clients
from core.clients.models import MessengerLink
from core.orders import orders


@pytest.fixture
def client_tg(actors):
    """A client reachable by Telegram, SMS and e-mail, with one open order of Мария's."""
    client = clients.create_client(
        actors["manager"], "Иванов Иван", "+7 912 345-67-89", email="ivanov@example.test"
    )
    MessengerLink.create(channel="telegram", external_id="5001", client=client)
    order = orders.create_order(actors["manager"], client.id, "Баннер 3×6", rubles(9_000))
    return client, order
