"""Inside the team: notes with mentions, the staff chat from the bots, and web-chat-only
staff who now get their messages (the web chat is a delivery channel for staff)."""

from __future__ import annotations

import pytest
from flask import Flask

from bots.web import make_blueprint
from bots.web.delivery import WebChatSender
from core.base.config import Config
from core.base.errors import NotFound, ValidationError
from core.base.money import rubles
from core.clients.clients import create_client
from core.conversations import staffchat, threads
from core.conversations.models import Notification
from core.orders.models import Order
from core.orders.orders import create_order
from core.people.staff import create_invite
from scheduler.deliverer import Deliverer
from tests.fakes.memory_store import MemoryStore


def deliver(senders):
    return Deliverer(senders, Config(), sleep=lambda s: None).run_once()


def test_a_note_is_internal_and_tells_the_mentioned_colleague(actors, staff):
    client = create_client(actors["manager"], "Иванов", "+79120000011")
    order = create_order(actors["manager"], client.id, "Баннер", rubles(5000))
    Notification.delete().execute()

    note = staffchat.add_note(
        actors["manager"], "@Олег проверь макет, пожалуйста", order_id=order.id
    )

    assert note.channel == "note" and note.order_id == order.id
    assert note.id not in {m.id for m in threads.thread_of(actor_for_client(client), order.id)}
    (told,) = Notification.select()
    assert (told.audience, told.employee_id) == ("staff", staff["manager2"].id)
    assert "Мария Менеджерова упомянул(а) вас в заметке к заказу" in told.text
    assert not Notification.select().where(Notification.audience == "client").exists()
    with pytest.raises(ValidationError):
        staffchat.add_note(actors["manager"], "   ", order_id=order.id)


def actor_for_client(client):
    from core.access import actor_for_client as make

    return make(client.id, client.name)


def test_colleagues_are_found_by_name_forms_and_login(staff):
    assert [p.id for p in staffchat.find_colleague("Марии")] == [staff["manager"].id]
    assert [p.id for p in staffchat.find_colleague("oleg")] == [staff["manager2"].id]
    assert staffchat.find_colleague("Никто") == []


def test_staff_chat_from_the_bot_direct_and_common(join, staff, actors):
    ivan = join("executor")
    ivan.say("написать Марии: заказ 15 готов, можно звонить клиенту")
    assert "Отправлено" in ivan.text
    direct = staffchat.direct(actors["executor"], staff["manager"].id)
    _, rows = staffchat.history(actors["manager"], direct.id)
    assert [m.text for m in rows] == ["заказ 15 готов, можно звонить клиенту"]
    told = Notification.get(Notification.employee == staff["manager"].id)
    assert "Иван Монтажников пишет вам" in told.text

    ivan.say("всем: завтра выезд в 8:00")
    ivan.say("💬 Коллегам")
    assert "Иван Монтажников: завтра выезд в 8:00" in ivan.text
    ivan.tap(ivan.button("Пётр"))
    ivan.say("возьми кабель")
    assert "Отправлено" in ivan.text
    assert staffchat.unread_count(actors["executor2"]) == 2  # the room line and the direct one
    assert staffchat.unread_count(actors["executor"]) == 0
    with pytest.raises(NotFound):  # a direct chat of two others is nobody else's business
        staffchat.history(actors["manager2"], direct.id)


def _web_chat():
    """The web chat's blueprint in a bare app, and a browser that opened it."""
    app = Flask(__name__)
    app.secret_key = "test-secret"
    app.register_blueprint(make_blueprint(Config(), MemoryStore()), url_prefix="/chat")
    browser = app.test_client()
    browser.get("/chat/")
    return browser, {"X-Requested-With": "brigadir"}


def test_web_chat_only_staff_get_their_messages_live(staff, actors):
    browser, headers = _web_chat()
    code = create_invite(actors["director"], employee_id=staff["manager2"].id).code
    browser.post("/chat/api/send", json={"text": code}, headers=headers)
    start = browser.get("/chat/api/poll").get_json()
    assert start == {"last": 0, "replies": []}

    staffchat.add_note(actors["manager"], "@oleg позвони клиенту",
                       dialogue_id=None, order_id=_order(actors).id)  # fmt: skip
    stats = deliver({"web": WebChatSender()})

    assert stats.sent == 1
    note = Notification.get(Notification.employee == staff["manager2"].id)
    assert (note.status, note.sent_channel) == ("sent", "web")
    got = browser.get(f"/chat/api/poll?after={start['last']}").get_json()
    assert "позвони клиенту" in got["replies"][0]["text"] and got["last"] == note.id
    assert browser.get(f"/chat/api/poll?after={got['last']}").get_json()["replies"] == []
    assert browser.get("/chat/api/poll").get_json()["replies"] == []  # shown once, not again

    # What arrives while the page is closed is shown when it is opened again.
    staffchat.add_note(actors["manager"], "@oleg и ещё одно", order_id=_order(actors).id)
    deliver({"web": WebChatSender()})
    reopened = browser.get("/chat/api/poll").get_json()
    assert [r["text"] for r in reopened["replies"]] == [
        f"Мария Менеджерова упомянул(а) вас в заметке к заказу №{Order.select().count()}: «@oleg и ещё одно»"
    ]


def test_a_clients_web_chat_is_answered_from_the_inbox_in_the_web_chat(staff, actors):
    from core.conversations import inbox_actions
    from core.conversations.models import Dialogue

    browser, headers = _web_chat()
    client = create_client(actors["manager"], "Сайтова Ольга", "+79125550101")
    code = create_invite(actors["manager"], client_id=client.id).code
    browser.post("/chat/api/send", json={"text": code}, headers=headers)
    browser.post(
        "/chat/api/send", json={"text": "Здравствуйте, есть ли у вас ламинация?"}, headers=headers
    )
    start = browser.get("/chat/api/poll").get_json()

    (dialogue,) = Dialogue.select().where(Dialogue.client == client.id)
    assert (dialogue.channel, dialogue.unread) == ("web", 1)
    inbox_actions.reply(actors["manager"], dialogue.id, "Да, глянцевая и матовая.")
    deliver({"web": WebChatSender()})

    got = browser.get(f"/chat/api/poll?after={start['last']}").get_json()
    assert [r["text"] for r in got["replies"]] == ["Да, глянцевая и матовая."]


def test_staff_routes_put_the_web_chat_after_messengers_and_never_for_clients(staff):
    from core.clients.models import MessengerLink
    from core.conversations.delivery import routes_for

    oleg = staff["manager2"].id
    MessengerLink.create(channel="web", external_id="browser-1", employee=oleg)
    note = Notification(audience="staff", employee=oleg, text="x", failed_channels=[])
    assert [r.channel for r in routes_for(note, ("telegram", "viber", "sms", "email"))] == ["web"]
    MessengerLink.create(channel="telegram", external_id="555", employee=oleg)
    assert [r.channel for r in routes_for(note, ("telegram", "viber", "sms", "email"))] == [
        "telegram", "web",
    ]  # fmt: skip
    client_link = MessengerLink.create(channel="web", external_id="site-1", client=None)
    assert client_link.channel == "web"
    guest = Notification(audience="client", client=None, text="x", failed_channels=[])
    assert routes_for(guest, ("telegram",)) == []


_phones = iter(range(10, 99))


def _order(actors):
    client = create_client(actors["manager"], "Петров", f"+791200000{next(_phones)}")
    return create_order(actors["manager"], client.id, "Листовки", rubles(1000))


def test_the_executors_card_shows_files_replies_visit_and_phone_as_the_role_allows(
    join, actors, staff, deps
):
    from datetime import datetime

    from core.base import settings
    from core.files import attachments
    from core.orders.models import Order

    client = create_client(actors["manager"], "Сидоров Пётр", "+79125550077")
    order = create_order(actors["manager"], client.id, "Монтаж щитка", rubles(8000),
                         executor_id=staff["executor"].id)  # fmt: skip
    Order.update(visit_at=datetime(2026, 12, 1, 7, 0)).where(Order.id == order.id).execute()
    threads.record_incoming(
        client.id, "Ворота будут открыты с 9", channel="telegram", order_id=order.id
    )
    attachments.attach_to_order(actors["manager"], deps.store, order.id, "схема.pdf", b"%PDF plan",
                                "application/pdf", kind="file")  # fmt: skip

    ivan = join("executor")
    ivan.say(f"/order {order.number}")

    assert "Выезд: 01.12.2026 10:00" in ivan.text
    assert "Телефон клиента: +7 912 555-00-77" in ivan.text
    assert "Ворота будут открыты с 9" in ivan.text and "Файлы: схема.pdf" in ivan.text
    assert "Стоимость" not in ivan.text  # still hidden from executors
    sent = ivan.tap(ivan.button("Файлы"))
    assert sent[0].file.name == "схема.pdf" and sent[0].file.data == b"%PDF plan"

    settings.put("hidden_fields", {"executor": ["cost", "paid", "debt", "client_phone"]})
    ivan.say(f"/order {order.number}")
    assert "Телефон клиента" not in ivan.text


def test_a_clients_reply_reaches_the_orders_manager_and_executor(actors, staff):
    client = create_client(actors["manager"], "Ответов", "+79125550202")
    order = create_order(actors["manager"], client.id, "Монтаж", rubles(9000),
                         executor_id=staff["executor"].id)  # fmt: skip
    Notification.delete().execute()

    threads.record_incoming(client.id, "Буду дома после шести", channel="viber", order_id=order.id)

    told = {n.employee_id: n.text for n in Notification.select()}
    assert set(told) == {staff["manager"].id, staff["executor"].id}
    assert (
        f"Клиент Ответов пишет по заказу №{order.number}: «Буду дома после шести»"
        in told[staff["executor"].id]
    )


def test_the_headers_unread_count_is_one_query_however_many_colleagues_write(actors, staff):
    """The admin asks on every page: a query per staff room made each colleague cost a
    query more on every page of every manager."""
    import logging

    me = actors["manager"]
    for colleague in ("manager2", "executor", "executor2", "director"):
        chat = staffchat.direct(actors[colleague], staff["manager"].id)
        for n in range(3):
            staffchat.post(actors[colleague], chat.id, f"сообщение {n}")
    staffchat.post(actors["executor"], staffchat.room().id, "всем привет")

    class Count(logging.Handler):
        n = 0

        def emit(self, record):
            Count.n += 1

    handler, log = Count(), logging.getLogger("peewee")
    level = log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        assert staffchat.unread_count(me) == 4 * 3 + 1
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
    assert Count.n == 1
