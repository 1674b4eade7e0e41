"""The dashboard's «Откуда заказы»: orders of the period by source, in the users' words."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.base.clock import utcnow
from core.base.money import rubles
from core.clients import leads
from core.clients.clients import create_client
from core.conversations import threads
from core.orders import sources
from core.orders.orders import create_order


def test_orders_by_source_on_the_dashboard(as_role, actors, world):
    period = (utcnow() - timedelta(days=1), utcnow() + timedelta(days=1))
    client = create_client(actors["manager"], "Сидоров", "+79120000077")
    for source in ("site", "site", "email", "phone", "counter", "vk", "max", "viber"):
        create_order(actors["manager"], client.id, "Визитки", rubles(900), source=source)
    link = leads.open_lead("telegram", "t-99", "Пётр")  # a lead from Telegram becomes an order
    threads.record_incoming(link.client_id, "Нужен баннер", channel="telegram")
    leads.order_from_lead(actors["manager"], link.client_id)
    counts = dict(sources.orders_by_source(actors["director"], *period))
    assert counts["Сайт"] == 2 and counts["E-mail"] == 1 and counts["Telegram"] == 1
    assert (counts["Телефон"], counts["Пришёл сам"], counts["VK"], counts["MAX"]) == (1, 1, 1, 1)
    assert counts["Viber"] == 1 and counts["Не указан"] >= 1  # the world's orders say nothing
    old = dict(
        sources.orders_by_source(actors["director"], datetime(2000, 1, 1), datetime(2000, 2, 1))
    )
    assert sum(old.values()) == 0
    page = as_role("director").get("/admin/").get_data(as_text=True)
    assert "Откуда заказы" in page and "Пришёл сам" in page and "MAX" in page
