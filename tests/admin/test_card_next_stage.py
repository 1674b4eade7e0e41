"""Issue 28: the next stage stays one click on the admin card (the chat's count is in
tests/bots/test_chat_counts.py)."""

from __future__ import annotations

from core.orders.models import Order
from tests.htmlforms import form_with


def test_next_stage_in_one_click_on_the_admin_card(as_role, world):
    """The admin card's one click stays: its stage form comes with the next stage chosen,
    so «Перевести» alone moves the order."""
    s, order = as_role("manager"), world["own"]
    form = form_with(s.get(f"/admin/order/card/?id={order.id}").get_data(as_text=True), "comment")
    assert s.post("/admin/order/move/", form).status_code == 302  # the one click
    assert Order.get_by_id(order.id).stage.name == "В работе"
