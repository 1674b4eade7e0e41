"""Issue 28: on the admin card too, a crew member sees what to collect for his own crew's
visit while the cost, the payments and the debt stay hidden from him."""

from __future__ import annotations

from tests.bots.test_collect_on_site import _visit_today


def test_the_card_shows_the_crew_what_to_collect(as_role, actors, staff):
    visit = _visit_today(actors)
    html = as_role("executor").get(f"/admin/order/card/?id={visit.order_id}").get_data(as_text=True)
    assert 'id="order-to-collect">7 000,00 ₽' in html
    assert 'id="order-cost"' not in html and "9 000,00" not in html
    other = as_role("executor2").get(f"/admin/order/card/?id={visit.order_id}")
    assert other.status_code == 404  # not his order at all
    boss = as_role("director").get(f"/admin/order/card/?id={visit.order_id}").get_data(as_text=True)
    assert 'id="order-debt"' in boss and "order-to-collect" not in boss  # the debt itself
