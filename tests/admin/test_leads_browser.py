"""A new person's conversation in Chromium: the inbox shows «Оформить заказ» and «Это
клиент…», the order is made in one click; the dashboard shows «Откуда заказы» — at 1366 px
and on a 390 px phone, with screenshots."""

from __future__ import annotations

import pytest

from core.clients import leads
from core.conversations import threads
from core.conversations.models import Dialogue
from core.orders.models import Order
from tests.admin.test_browser import page, screens, server  # noqa: F401 - shared fixtures
from tests.admin.test_inbox_browser import login

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1366, 390])
def test_a_lead_becomes_an_order_in_the_inbox(page, server, world, screens, width):  # noqa: F811
    link = leads.open_lead("telegram", "tg-lead", "Пётр Сидоров")
    threads.record_incoming(link.client_id, "Нужен баннер 3х6 на забор", channel="telegram")
    dialogue = Dialogue.get(Dialogue.client == link.client_id)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, server)
    page.goto(f"{server}/admin/inbox/{dialogue.id}/")
    page.wait_for_selector("text=Это клиент…")
    page.screenshot(path=str(screens / f"inbox-lead-{width}.png"), full_page=True)
    page.click('button:has-text("Оформить заказ")')
    page.wait_for_url("**/admin/order/card/**")
    order = Order.get(Order.client == link.client_id)
    assert order.source == "telegram" and f"№{order.number}" in page.content()
    page.goto(f"{server}/admin/")
    page.wait_for_selector("#orders-by-source")
    assert "Пришёл сам" in page.inner_text("#orders-by-source")
    page.screenshot(path=str(screens / f"dashboard-sources-{width}.png"), full_page=True)
