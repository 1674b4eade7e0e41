"""A new person's conversation in the inbox: «Это клиент…» joins the card the manager
names, «Оформить заказ» makes an order of the lead in one click."""

from __future__ import annotations

from core.clients import leads
from core.clients.models import Client, MessengerLink
from core.conversations import threads
from core.conversations.models import Dialogue
from core.orders.models import Order


def _lead(channel: str, external_id: str, text: str) -> Dialogue:
    link = leads.open_lead(channel, external_id, "Гость")
    threads.record_incoming(link.client_id, text, channel=channel)
    return Dialogue.get(Dialogue.client == link.client_id)


def test_the_manager_confirms_who_the_lead_is(as_role, world):
    dialogue = _lead("viber", "v-1", "Это Ромашка, когда баннер?")
    s = as_role("director")
    page = s.get(f"/admin/inbox/{dialogue.id}/").get_data(as_text=True)
    assert "Это клиент…" in page and "Оформить заказ" in page
    bad = s.post(f"/admin/inbox/{dialogue.id}/is-client/", {"who": "+7 999 000-00-00"},
                 follow_redirects=True)  # fmt: skip
    assert "Клиент не найден" in bad.get_data(as_text=True)
    assert Dialogue.get_by_id(dialogue.id).client.is_lead
    s.post(f"/admin/inbox/{dialogue.id}/is-client/", {"who": "+7 495 123-45-67"})
    assert Dialogue.get_by_id(dialogue.id).client_id == world["c2"].id
    assert MessengerLink.get(MessengerLink.external_id == "v-1").client_id == world["c2"].id
    assert Client.select().where(Client.is_lead).count() == 0


def test_an_order_from_a_lead_in_one_click(as_role, world):
    dialogue = _lead("web", "w-1", "Нужны визитки 500 шт")
    executor = as_role("executor").post(f"/admin/inbox/{dialogue.id}/lead-order/")
    assert (
        executor.status_code in (302, 403, 404)
        and Order.select().where(Order.description == "Нужны визитки 500 шт").count() == 0
    )
    answer = as_role("director").post(f"/admin/inbox/{dialogue.id}/lead-order/")
    order = Order.get(Order.description == "Нужны визитки 500 шт")
    assert answer.status_code == 302 and f"id={order.id}" in answer.headers["Location"]
    assert order.source == "site" and Dialogue.get_by_id(dialogue.id).order_id == order.id
    assert not Client.get_by_id(order.client_id).is_lead


def test_an_order_from_the_lead_card(as_role, world):
    dialogue = _lead("vk", "vk-1", "Баннер на фасад 2х1")
    s = as_role("manager")
    card = s.get(f"/admin/client/card/?id={dialogue.client_id}").get_data(as_text=True)
    assert "Новое обращение" in card and "Оформить заказ из обращения" in card
    answer = s.post("/admin/client/lead-order/", {"id": str(dialogue.client_id)})
    order = Order.get(Order.description == "Баннер на фасад 2х1")
    assert answer.status_code == 302 and order.source == "vk"
    again = s.post("/admin/client/lead-order/", {"id": str(dialogue.client_id)},
                   follow_redirects=True)  # fmt: skip
    assert "уже клиент" in again.get_data(as_text=True)
    assert Order.select().where(Order.client == dialogue.client_id).count() == 1
