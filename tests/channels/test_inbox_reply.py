"""Answers from the inbox leave through the outbox in the conversation's own channel: a
letter from the mailbox it came to with its threading headers, a chat message to the
messenger; forwarding and "order from a letter" move the letter and its files."""

from __future__ import annotations

import email
from email import policy

import pytest

from bots.email.mailboxes import build_sender
from core.base.config import Config, MailboxSection, NotifySection, SmtpSection
from core.base.errors import NotFound
from core.base.interfaces import OutgoingMessage
from core.base.money import rubles
from core.clients.models import Client
from core.conversations import inbox, inbox_actions, mailboxes, threads
from core.conversations.models import Dialogue, Message, Notification
from core.files.models import Attachment
from core.orders.models import Order
from scheduler.deliverer import Deliverer
from storage.local import LocalStore
from tests.fakes.mail import SmtpSink


@pytest.fixture
def sink():
    with SmtpSink() as s:
        yield s


@pytest.fixture
def store(tmp_path):
    return LocalStore(tmp_path / "files")


def config_for(sink) -> Config:
    return Config(
        smtp=SmtpSection(host="127.0.0.1", port=sink.port, sender="shop@example.test",
                         starttls=False),
        mailboxes=(MailboxSection(code="sales", name="Продажи", address="sales@example.test",
                                  imap_host="imap.test", imap_user="sales@example.test"),),
        notify=NotifySection(email_per_second=1000),
    )  # fmt: skip


def incoming(box, sender, subject, text, message_id, *, files=(), store=None, refs=()):
    message = Message.create(direction="in", channel="email", sender=sender, subject=subject,
                             text=text, external_id=message_id)  # fmt: skip
    for name, data in files:
        stored = store.save("Почта/Неразобранное", name, data, "application/pdf")
        Attachment.create(storage_key=stored.key, original_name=name, size=len(data),
                          content_type="application/pdf", message=message)  # fmt: skip
    inbox.file_letter(message, box, refs=refs, contact_name="Анна Клиентова")
    return message


def test_a_reply_leaves_from_the_mailbox_the_letter_came_to_with_threading_headers(
    sink, db, actors, staff
):
    config = config_for(sink)
    boxes = mailboxes.sync(config)
    first = incoming(boxes["sales"], "anna@client.test", "Макет", "Посмотрите макет", "<m1@client.test>",
                     refs=("<m0@client.test>",))  # fmt: skip

    answer = inbox_actions.reply(actors["director"], first.dialogue_id, "Макет получили, спасибо!")
    Deliverer({"email": build_sender(config)}, config, sleep=lambda s: None).run_once()

    ((mail_from, rcpt, raw),) = sink.messages
    letter = email.message_from_bytes(raw, policy=policy.default)
    assert (mail_from, rcpt) == ("sales@example.test", ["anna@client.test"])
    assert letter["Subject"] == "Re: Макет" and letter["In-Reply-To"] == "<m1@client.test>"
    assert letter["References"].split() == ["<m0@client.test>", "<m1@client.test>"]
    assert "X-Brigadir-Mailbox" not in letter
    answer = Message.get_by_id(answer.id)
    assert answer.external_id == letter["Message-ID"] and answer.dialogue_id == first.dialogue_id

    # The client answers our answer: the same conversation, by In-Reply-To.
    again = Message.create(direction="in", channel="email", sender="anna@client.test",
                           subject="Re: Re: Макет", text="Отлично", external_id="<m2@client.test>")  # fmt: skip
    inbox.file_letter(again, boxes["main"], in_reply_to=letter["Message-ID"])
    assert again.dialogue_id == first.dialogue_id


def test_the_default_mailbox_still_sends_as_before(sink, db):
    sender = build_sender(config_for(sink))
    sender.send(OutgoingMessage(address="p@client.test", text="Готово", subject="Заказ"))
    assert sink.messages[0][0] == "shop@example.test"


def test_a_messenger_conversation_is_answered_in_its_channel(db, actors, staff):
    from core.clients.clients import create_client

    client = create_client(actors["manager"], "Телеграмов", "+79120000001")
    chat = threads.record_incoming(client.id, "Когда будет готово?", channel="telegram")

    inbox_actions.reply(actors["manager"], chat.dialogue_id, "Завтра к обеду")

    note = Notification.get()
    assert (note.channel, note.client_id, note.text) == ("telegram", client.id, "Завтра к обеду")
    dialogue = Dialogue.get_by_id(chat.dialogue_id)
    assert dialogue.unread == 0 and dialogue.last_text == "Завтра к обеду"


def test_forward_into_an_order_moves_the_letter_and_its_files(db, actors, store, tmp_path):
    from core.clients.clients import create_client
    from core.orders.orders import create_order

    boxes = mailboxes.sync(config_for(type("S", (), {"port": 25})()))
    mailboxes.set_members(actors["director"], boxes["main"].id, [actors["manager"].employee_id])
    client = create_client(actors["manager"], "Ромашка", "+74951234567")
    order = create_order(actors["manager"], client.id, "Баннер 3×6", rubles(12500))
    letter = incoming(boxes["main"], "x@romashka.test", "Макет баннера", "Вот макет", "<f1@r.test>",
                      files=[("баннер.pdf", b"%PDF banner")], store=store)  # fmt: skip
    with pytest.raises(NotFound):  # oleg may not read the main mailbox
        inbox_actions.forward_letter(actors["manager2"], letter.id, order.id, store)

    inbox_actions.forward_letter(actors["director"], letter.id, order.id, store)

    assert letter.id in {m.id for m in threads.thread_of(actors["director"], order.id)}
    (file,) = Attachment.select().where(Attachment.message == letter.id)
    folder = Order.get_by_id(order.id).folder
    assert file.order_id == order.id and file.storage_key.startswith(folder + "/")
    assert store.read(file.storage_key) == b"%PDF banner"
    assert [p.name for p in tmp_path.rglob("*.pdf")] == ["баннер.pdf"]  # the unsorted copy went
    assert Dialogue.get_by_id(letter.dialogue_id).order_id == order.id


def test_a_client_and_an_order_from_a_letter(db, actors, store):
    boxes = mailboxes.sync(config_for(type("S", (), {"port": 25})()))
    letter = incoming(boxes["main"], "anna@client.test", "Визитки 500 шт",
                      "Добрый день!\nНужны визитки, 500 штук.\nАнна, тел. 8 (912) 345-67-89",
                      "<o1@client.test>", files=[("визитка.pdf", b"%PDF card")], store=store)  # fmt: skip

    data = inbox_actions.prefill(actors["director"], letter.id)
    assert data["name"] == "Анна Клиентова" and data["phone"] == "+79123456789"
    assert data["email"] == "anna@client.test" and "500 штук" in data["description"]

    order = inbox_actions.order_from_letter(actors["director"], letter.id, store, name=data["name"],
                                            phone=data["phone"], description=data["description"],
                                            cost=rubles(1500))  # fmt: skip

    client = Client.get_by_id(order.client_id)
    assert (client.email, client.phone, order.source) == (
        "anna@client.test",
        "+79123456789",
        "email",
    )
    assert Message.get_by_id(letter.id).order_id == order.id
    assert Attachment.get(Attachment.message == letter.id).order_id == order.id
    # A second letter from her: the same client, not a twin.
    second = incoming(
        boxes["main"], "anna@client.test", "Ещё листовки", "и листовки", "<o2@c.test>"
    )
    again = inbox_actions.order_from_letter(actors["director"], second.id, store, name="x",
                                            phone="", description="Листовки")  # fmt: skip
    assert again.client_id == client.id and Client.select().count() == 1
