"""Clients who came through the web chat hear from the firm there (and by their next channel
when they do not come back); a message that reached nobody looks undelivered on the order
thread and the client card; a gap on the firm's side (no SMS, no mail set up) is named and
told to the director once, with no «позвонить клиенту» task per order."""

from __future__ import annotations

from datetime import timedelta

from core.base.clock import utcnow
from core.base.config import Config, NotifySection
from core.base.money import rubles
from core.clients.clients import create_client
from core.clients.models import Client
from core.conversations import threads
from core.conversations.models import Notification
from core.orders.orders import create_order
from core.tasks.models import Task
from scheduler.deliverer import Deliverer
from scheduler.ratelimit import RateLimiter
from tests.bots.test_webchat import make_app
from tests.fakes.channels import FakeSender
from tests.fakes.memory_store import MemoryStore

CONFIG = Config(notify=NotifySection(fallback=("max", "telegram", "sms", "email")))
HEADERS = {"X-Requested-With": "brigadir"}


def _deliverer(*senders):
    from bots.web.delivery import WebChatSender

    transports = {s.channel: s for s in senders}
    transports["web"] = WebChatSender()
    return Deliverer(transports, CONFIG, limiter=RateLimiter({}), sleep=lambda s: None)


def _web_visitor():
    """A stranger writes in the web chat and becomes a lead with a web-chat link."""
    browser = make_app(MemoryStore(), csrf=False).test_client()
    browser.post("/chat/api/send", json={"text": "Нужна табличка на дверь"}, headers=HEADERS)
    browser.post("/chat/api/send", json={"text": "Анна"}, headers=HEADERS)
    return browser, Client.get(Client.is_lead)


def _poll_texts(browser) -> list[str]:
    return [r["text"] for r in browser.get("/chat/api/poll").get_json()["replies"]]


def test_a_client_from_the_web_chat_hears_from_the_firm_there(staff, actors):
    browser, lead = _web_visitor()
    order = create_order(actors["manager"], lead.id, "Табличка", rubles(900))
    threads.ask_client(actors["manager"], order.id, "Какой цвет таблички?")
    sms = FakeSender("sms")

    _deliverer(sms).run_once()

    notes = list(Notification.select().where(Notification.client == lead.id))
    assert notes and {n.status for n in notes} == {"sent"}
    assert {n.sent_channel for n in notes} == {"web"} and sms.sent == []
    said = _poll_texts(browser)
    assert "Какой цвет таблички?" in said
    marks = _marks(order)
    assert marks == {}  # delivered: nothing to warn about


def test_a_web_message_left_unopened_goes_by_the_next_channel(staff, actors):
    browser, lead = _web_visitor()
    Client.update(phone="+79120001122").where(Client.id == lead.id).execute()
    order = create_order(actors["manager"], lead.id, "Табличка", rubles(900))
    threads.ask_client(actors["manager"], order.id, "Какой цвет таблички?")
    sms = FakeSender("sms")
    deliverer = _deliverer(sms)
    deliverer.run_once()
    question = Notification.get(Notification.text == "Какой цвет таблички?")
    assert question.sent_channel == "web"

    assert deliverer.requeue_unseen_web() == 0  # a moment later: they may still come back
    Notification.update(sent_at=utcnow() - timedelta(minutes=20)).where(
        Notification.client == lead.id
    ).execute()
    assert deliverer.requeue_unseen_web() >= 1
    deliverer.run_once()

    question = Notification.get_by_id(question.id)
    assert (question.status, question.sent_channel) == ("sent", "sms")
    assert "Какой цвет таблички?" in [m.text for m in sms.sent]


def test_an_opened_web_message_stays_there(staff, actors):
    browser, lead = _web_visitor()
    Client.update(phone="+79120001122").where(Client.id == lead.id).execute()
    order = create_order(actors["manager"], lead.id, "Табличка", rubles(900))
    threads.ask_client(actors["manager"], order.id, "Какой цвет таблички?")
    deliverer = _deliverer(FakeSender("sms"))
    deliverer.run_once()
    assert "Какой цвет таблички?" in _poll_texts(browser)  # the client came back and saw it
    Notification.update(sent_at=utcnow() - timedelta(minutes=20)).execute()
    assert deliverer.requeue_unseen_web() == 0


def _marks(order):
    from core.channels.reach import delivery_marks

    return delivery_marks(threads.thread_of(__import__("core.access").access.SYSTEM, order.id))


def test_an_undelivered_message_looks_undelivered_on_the_thread_and_the_card(staff, actors):
    from admin.app import create_app
    from tests.admin.conftest import login

    client = create_client(actors["manager"], "Безсвязный Пётр")  # no phone, no e-mail, no chat
    order = create_order(actors["manager"], client.id, "Визитки", rubles(500))
    threads.ask_client(actors["manager"], order.id, "Когда заберёте?")
    _deliverer(FakeSender("sms")).run_once()

    marks = _marks(order)
    assert marks and all(m.startswith("не доставлено") for m in marks.values())
    app = create_app(Config(), file_store=MemoryStore(), testing=True)
    manager = login(app, "manager")
    card = manager.get(f"/admin/order/card/?id={order.id}").get_data(as_text=True)
    assert "Когда заберёте?" in card and "не доставлено: Нет доступного канала связи" in card
    client_card = manager.get(f"/admin/client/card/?id={client.id}").get_data(as_text=True)
    assert "не доставлено" in client_card


def test_a_firm_without_sms_and_mail_is_named_and_the_director_told_once(staff, actors):
    clients = [
        create_client(actors["manager"], f"Клиент {n}", f"+7 912 000-00-0{n}",
                      email=f"c{n}@example.test")
        for n in range(2)
    ]  # fmt: skip
    for client in clients:
        order = create_order(actors["manager"], client.id, "Баннер", rubles(1000))
        threads.ask_client(actors["manager"], order.id, "Макет готов?")
    _deliverer(FakeSender("telegram")).run_once()  # the firm has Telegram only

    failed = list(Notification.select().where(
        (Notification.audience == "client") & (Notification.status == "failed")))  # fmt: skip
    assert failed and all("у фирмы не настроено: SMS, отправка почты" in n.last_error
                          for n in failed)  # fmt: skip
    assert Task.select().where(Task.kind == "call_client").count() == 0
    gaps = [
        n.text for n in Notification.select().where(Notification.idempotency_key.startswith("gap:"))
    ]
    assert len(gaps) == 2  # SMS and mail, once each, for the one director
    assert any("[sms]" in t for t in gaps) and any("[smtp]" in t for t in gaps)
    told = [n.text for n in Notification.select().where(
        Notification.idempotency_key.startswith("unreachable:"))]  # fmt: skip
    assert told and all("у клиента есть телефон, почта, но у фирмы не настроено" in t for t in told)
    assert all("Позвоните" not in t for t in told)
