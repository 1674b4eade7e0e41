"""Issue 12, lists that fit: the order list at 1366 px without a sideways scroll, cards on a
phone, overdue due dates marked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import local_today
from core.models import Order
from core.money import rubles
from core.orders import create_order
from tests.admin.test_browser import page, screens, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e

LONG = "Баннер 6×3 м на фасад, люверсы через 30 см, проклейка краёв, монтаж на высоте 4 м"


def _login(on, server):  # noqa: F811
    on.goto(f"{server}/login")
    on.fill("#login", "director")
    on.fill("#password", "director-pass-1")
    on.click("button[type=submit]")
    on.wait_for_url("**/admin/")


def test_order_list_fits_1366_and_becomes_cards_on_a_phone(page, server, world, actors, screens):  # noqa: F811
    for i in range(8):
        create_order(actors["manager"], world["c2"].id, f"{LONG} ({i})", rubles(1_234_567),
                     executor_id=None)  # fmt: skip
    late = create_order(actors["manager"], world["c1"].id, "Визитки срочно", rubles(900))
    Order.update(due_date=local_today() - timedelta(days=2)).where(Order.id == late.id).execute()
    _login(page, server)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{server}/admin/order/")
        overflow = page.evaluate(
            "() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
        )
        page.screenshot(path=str(screens / f"order-list-{width}.png"), full_page=True)
        assert overflow <= 0, f"{width}px: {overflow}px sideways"
        table_scroll = page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('.table-responsive')]"
            ".map(e => e.scrollWidth - e.clientWidth), 0)"
        )
        assert table_scroll <= 0, f"{width}px: the table scrolls {table_scroll}px sideways"
    # on a phone each order is a card: rows stack, no header row
    assert (
        page.eval_on_selector(".model-list tbody tr", "e => getComputedStyle(e).display") == "flex"
    )
    assert "Долг: " in page.evaluate(
        "() => getComputedStyle(document.querySelector('.model-list td.col-debt'), '::before').content"
    )
    assert page.eval_on_selector(".model-list thead", "e => getComputedStyle(e).display") == "none"
    overdue = page.locator(".overdue")
    assert overdue.count() == 1
    assert (local_today() - timedelta(days=2)).strftime("%d.%m.%Y") in overdue.inner_text()
