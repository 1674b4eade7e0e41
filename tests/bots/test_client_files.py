"""A client's photos and files sent in a messenger land in their order (or their card),
with the caption in the thread, and the manager is told; a refused file writes nothing."""

from __future__ import annotations

import pytest

from core.base.money import rubles
from core.clients.clients import create_client
from core.conversations.models import Message, Notification
from core.files.models import Attachment
from core.orders.models import Order
from core.orders.orders import create_order
from core.people.staff import create_invite
from tests.bots.conftest import Chat, jpeg


@pytest.fixture
def client_chat(deps, actors):
    """(the client, a Chat bound to them through a real invite)."""
    client = create_client(actors["manager"], "Орлова Анна", "+79120000004")
    chat = Chat(deps, "c-files")
    chat.say(f"/start {create_invite(actors['manager'], client_id=client.id).code}")
    assert "Орлова Анна" in chat.text
    return client, chat


def _told(employee_id: int) -> list[str]:
    return [
        n.text
        for n in Notification.select().where(
            (Notification.audience == "staff") & (Notification.employee == employee_id)
        )
    ]


def test_a_photo_and_a_file_go_into_the_open_order_and_the_manager_is_told(
    client_chat, actors, store
):
    client, chat = client_chat
    order = create_order(actors["manager"], client.id, "Баннер 3×1", rubles(3000))
    chat.photo(jpeg("red"), caption="Вот так должен висеть баннер")
    assert "Файл получен" in chat.text
    message = Message.get(Message.direction == "in")
    assert (message.order_id, message.client_id) == (order.id, client.id)
    assert message.text == "Вот так должен висеть баннер"
    photo = Attachment.get(Attachment.message == message.id)
    assert (photo.order_id, photo.client_id, photo.kind) == (order.id, client.id, "photo")
    order = Order.get_by_id(order.id)
    assert photo.storage_key.startswith(order.folder + "/") and order.unread == 1
    assert store.read(photo.storage_key) == jpeg("red")
    told = _told(order.manager_id)
    assert len(told) == 1 and f"к заказу №{order.number}" in told[0]
    assert "Вот так должен висеть баннер" in told[0] and "Орлова Анна" in told[0]

    chat.document(b"%PDF-1.4 layout", "макет.pdf", "application/pdf")
    layout = Attachment.get(Attachment.original_name == "макет.pdf")
    assert layout.kind == "file" and layout.order_id == order.id
    assert layout.message.text == "📎 макет.pdf" and store.read(layout.storage_key).startswith(
        b"%PDF"
    )
    assert "«макет.pdf»" in _told(order.manager_id)[-1]
    assert Order.get_by_id(order.id).unread == 2


def test_without_an_order_the_file_lands_on_the_card(client_chat, staff, store):
    client, chat = client_chat
    chat.document(b"PK\x03\x04 zip", "планы.zip", "application/zip", caption="Планы дома")
    attachment = Attachment.get()
    assert attachment.order_id is None and attachment.client_id == client.id
    assert attachment.message.text == "Планы дома" and attachment.message.order_id is None
    assert attachment.storage_key.startswith(f"Клиенты/{client.id}/")
    assert store.exists(attachment.storage_key)
    assert "в карточку клиента" in _told(staff["director"].id)[0]


def test_with_several_open_orders_the_client_says_which(client_chat, actors):
    client, chat = client_chat
    create_order(actors["manager"], client.id, "Баннер", rubles(3000))
    second = create_order(actors["manager"], client.id, "Визитки", rubles(900))
    chat.photo(jpeg(), caption="Логотип для визиток")
    assert "К какому заказу относится файл?" in chat.text
    chat.tap(chat.button(f"№{second.number}"))
    assert "Файл получен" in chat.text
    attachment = Attachment.get()
    assert attachment.order_id == second.id and attachment.message.order_id == second.id
    assert Order.get_by_id(second.id).unread == 1


@pytest.mark.parametrize(
    ("file", "refusal"),
    [
        ({"data": b"MZ\x90\x00", "name": "акт.exe", "mime": "application/x-msdownload"},
         "Такой файл не принимаем (.exe)"),
        ({"data": b"%PDF" + b"x" * (20 * 1024 * 1024), "name": "большой.pdf",
          "mime": "application/pdf"}, "больше 20 МБ"),
        ({"data": b"<html>not a picture</html>", "name": "фото.jpg", "mime": "image/jpeg"},
         "не является изображением"),
    ],
    ids=["type", "size", "not-a-picture"],
)  # fmt: skip
def test_a_refused_file_gets_a_russian_answer_and_writes_nothing(
    client_chat, actors, store, file, refusal
):
    client, chat = client_chat
    create_order(actors["manager"], client.id, "Баннер", rubles(3000))
    staff_notes = Notification.select().where(Notification.audience == "staff").count()
    chat.document(file["data"], file["name"], file["mime"], caption="вот")
    assert refusal in chat.text
    assert store.files == {} and Attachment.select().count() == 0
    assert Message.select().count() == 0
    assert Notification.select().where(Notification.audience == "staff").count() == staff_notes
