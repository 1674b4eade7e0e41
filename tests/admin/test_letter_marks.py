"""Item 26 on the page: a letter in the order's thread says whether the firm's mail server
verified its sender — not verified (nothing recorded) or failed — in the conversation too."""

from __future__ import annotations

from core.base.money import rubles
from core.clients import clients
from core.conversations import inbox
from core.conversations.models import Message
from core.orders import orders


def test_the_order_card_and_the_conversation_mark_unverified_and_failed_senders(as_role, actors):
    client = clients.create_client(actors["manager"], "Письмов", "+79125550006", email="l@c.test")
    order = orders.create_order(actors["manager"], client.id, "Баннер", rubles(1000))
    for check, text in (("", "Без проверки"), ("pass", "Проверено"), ("fail", "Подделка")):
        message = Message.create(order=order, client=client, direction="in", channel="email",
                                 sender="l@c.test", text=text, sender_check=check,
                                 external_id=f"<{check or 'none'}@c.test>")  # fmt: skip
        inbox.file_letter(message, None)
    page = as_role("director").get(f"/admin/order/card/?id={order.id}").get_data(as_text=True)
    assert page.count("отправитель не проверен") == 1
    assert page.count("отправитель не прошёл проверку почтового сервера") == 1
    dialogue = Message.get(Message.text == "Подделка").dialogue_id
    page = as_role("director").get(f"/admin/inbox/{dialogue}/").get_data(as_text=True)
    assert "отправитель не прошёл проверку" in page
