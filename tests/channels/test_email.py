from __future__ import annotations

import email
import hashlib
from email import policy
from email.message import EmailMessage

import pytest

from bots.email.inbound import poll
from bots.email.transport import SmtpSender
from core.base.config import Config, ImapSection, NotifySection
from core.base.errors import AccessDenied
from core.base.interfaces import DeliveryError, OutgoingMessage
from core.base.money import rubles
from core.clients import clients
from core.conversations import mailbox, threads
from core.conversations.models import Message, Notification
from core.files.models import Attachment
from core.orders import orders
from core.orders.models import Order
from scheduler.deliverer import Deliverer
from tests.conftest import need_service
from tests.fakes.channels import FolderStore
from tests.fakes.mail import Dovecot, SmtpSink


@pytest.fixture
def sink():
    with SmtpSink() as s:
        yield s


@pytest.fixture
def dovecot():
    missing = Dovecot.available()
    if missing:
        need_service("Dovecot", missing)
    with Dovecot() as server:
        yield server


@pytest.fixture
def store(tmp_path):
    return FolderStore(tmp_path / "files")


@pytest.fixture
def mail_order(actors):
    client = clients.create_client(
        actors["manager"], "Почтов Пётр", "+7 912 555-00-01", email="Petr@Example.test"
    )
    order = orders.create_order(actors["manager"], client.id, "Листовки А5", rubles(3_000))
    Notification.delete().execute()
    return client, order


def _imap_config(dovecot, mb=1):
    return Config(imap=ImapSection(host="127.0.0.1", port=dovecot.port, user=dovecot.user,
                                   password=dovecot.password, ssl=False, max_attachment_mb=mb))  # fmt: skip


def _letter(sender, subject, text="Ответ", **headers):
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, "shop@example.test", subject
    mail["Message-ID"] = headers.pop(
        "message_id", f"<{abs(hash((sender, subject, text)))}@client.test>"
    )
    for k, v in headers.items():
        mail[k.replace("_", "-")] = v
    mail.set_content(text)
    return mail


def test_question_goes_out_by_smtp_with_the_order_tag_and_a_message_id(actors, mail_order, sink):
    client, order = mail_order
    message = threads.ask_client(actors["manager"], order.id, "Какой цвет бумаги?")
    sender = SmtpSender("127.0.0.1", sink.port, sender="shop@example.test")
    config = Config(notify=NotifySection(email_per_second=1000))

    Deliverer({"email": sender}, config, sleep=lambda s: None).run_once()

    ((mail_from, rcpt, raw),) = sink.messages
    letter = email.message_from_bytes(raw, policy=policy.default)
    assert rcpt == ["petr@example.test"]
    assert f"[Заказ №{order.number}]" in letter["Subject"]
    assert letter["Reply-To"] == "shop@example.test"
    message = Message.get_by_id(message.id)
    assert message.external_id == letter["Message-ID"] and message.channel == "email"


def test_a_refused_recipient_is_permanent_and_a_dead_server_is_not(sink):
    sender = SmtpSender("127.0.0.1", sink.port, sender="shop@example.test")
    with pytest.raises(DeliveryError) as err:
        sender.send(OutgoingMessage("nobody@example.test", "x"))
    assert err.value.permanent
    with pytest.raises(DeliveryError) as err:
        SmtpSender("127.0.0.1", 1, sender="s@x.test", timeout=2).send(
            OutgoingMessage("a@b.test", "x")
        )
    assert not err.value.permanent
    with pytest.raises(DeliveryError) as err:
        sender.send(OutgoingMessage("not an address", "x"))
    assert err.value.permanent


def _send_question(actors, order, sink, text="Пришлите макет", secret="k" * 32):
    threads.ask_client(actors["manager"], order.id, text)
    sender = SmtpSender("127.0.0.1", sink.port, sender="shop@example.test", secret=secret)
    Deliverer(
        {"email": sender}, Config(notify=NotifySection(email_per_second=1000)), sleep=lambda s: None
    ).run_once()
    return email.message_from_bytes(sink.messages[-1][2], policy=policy.default)["Message-ID"]


def test_a_reply_through_imap_lands_in_the_order_with_its_attachment(
    actors, mail_order, sink, dovecot, store
):
    client, order = mail_order
    sent_id = _send_question(actors, order, sink)

    reply = _letter(
        "Пётр <petr@example.test>",
        "Re: макет",
        "Вот макет",
        In_Reply_To=sent_id,
        References=sent_id,
    )
    reply.add_attachment(
        b"%PDF-1.4 layout", maintype="application", subtype="pdf", filename="макет.pdf"
    )
    dovecot.append(reply.as_bytes())

    assert poll(_imap_config(dovecot), store) == 1
    assert poll(_imap_config(dovecot), store) == 0  # flagged seen; nothing twice

    got = Message.get((Message.direction == "in") & (Message.channel == "email"))
    assert (got.order_id, got.text.strip(), got.sender) == (
        order.id,
        "Вот макет",
        "petr@example.test",
    )
    att = Attachment.get(Attachment.message == got.id)
    assert att.order_id == order.id and store.read(att.storage_key) == b"%PDF-1.4 layout"
    assert Order.get_by_id(order.id).unread == 1


def test_a_stranger_quoting_a_message_id_lands_in_unsorted_not_in_the_order(
    actors, mail_order, sink, dovecot, store
):
    client, order = mail_order
    sent_id = _send_question(actors, order, sink)
    # Even the real id (forwarded, leaked) does not let another address into the order,
    # whether it rides in In-Reply-To or only in References.
    dovecot.append(
        _letter("spoof@evil.test", "Re: макет", "Счёт пришлите мне", In_Reply_To=sent_id).as_bytes()
    )
    dovecot.append(
        _letter("spoof@evil.test", "Re: Re: макет", "И акт", References=f"<x@y.test> {sent_id}")
        .as_bytes()
    )  # fmt: skip
    assert poll(_imap_config(dovecot), store) == 2

    assert (
        Message.select().where((Message.order == order.id) & (Message.direction == "in")).count()
        == 0
    )
    assert {m.sender for m in mailbox.unsorted_mail(actors["manager"])} == {"spoof@evil.test"}
    assert Order.get_by_id(order.id).unread == 0


def test_message_ids_cannot_be_computed_from_the_outbox_key_and_a_resend_reuses_one(
    actors, mail_order, sink
):
    client, order = mail_order
    first = _send_question(actors, order, sink, secret="secret-one")
    note = Notification.get()
    # The old scheme was a bare hash of the (guessable) outbox key.
    assert hashlib.sha256(note.idempotency_key.encode()).hexdigest()[:32] not in first
    # A crash between "sent" and "marked sent": the row is delivered again, same id.
    Notification.update(status="pending", sent_at=None).where(Notification.id == note.id).execute()
    sender = SmtpSender("127.0.0.1", sink.port, sender="shop@example.test", secret="secret-one")
    Deliverer(
        {"email": sender}, Config(notify=NotifySection(email_per_second=1000)), sleep=lambda s: None
    ).run_once()
    again = email.message_from_bytes(sink.messages[-1][2], policy=policy.default)["Message-ID"]
    assert len(sink.messages) == 2 and again == first
    other_firm = SmtpSender("127.0.0.1", sink.port, sender="shop@example.test", secret="other")
    assert other_firm.message_id(note.idempotency_key) != first


def test_subject_tag_from_the_client_joins_the_order_but_from_a_stranger_is_unsorted(
    actors, mail_order, dovecot, store
):
    client, order = mail_order
    dovecot.append(
        _letter("petr@example.test", f"Заказ №{order.number} — вопрос", "Когда готово?").as_bytes()
    )
    dovecot.append(
        _letter("spoof@evil.test", f"[Заказ №{order.number}]", "Пришлите счёт мне").as_bytes()
    )
    staff_email = "maria@shop.test"
    actors_manager = actors["manager"]
    from core.people.models import Employee

    Employee.update(email=staff_email).where(Employee.id == actors_manager.employee_id).execute()
    dovecot.append(
        _letter(staff_email, f"Re: [Заказ №{order.number}]", "Заметка от менеджера").as_bytes()
    )

    assert poll(_imap_config(dovecot), store) == 3

    in_order = {m.sender for m in Message.select().where(Message.order == order.id)}
    assert in_order == {"petr@example.test", staff_email}
    (stray,) = mailbox.unsorted_mail(actors["manager"])
    assert stray.sender == "spoof@evil.test" and stray.client_id is None

    with pytest.raises(AccessDenied):
        mailbox.unsorted_mail(actors["executor"])
    mailbox.forward_to_order(actors["manager"], stray.id, order.id)
    assert Message.get_by_id(stray.id).order_id == order.id
    assert mailbox.unsorted_mail(actors["manager"]) == []


def test_huge_and_broken_attachments_are_noted_and_the_letter_kept(mail_order, dovecot, store):
    client, order = mail_order
    big = _letter("petr@example.test", f"[Заказ №{order.number}] фото", "Большое фото")
    big.add_attachment(
        b"x" * (1024 * 1024 + 10), maintype="image", subtype="jpeg", filename="big.jpg"
    )
    dovecot.append(big.as_bytes())
    broken = (
        "From: petr@example.test\r\nTo: shop@example.test\r\n"
        f"Subject: [Заказ №{order.number}] битое\r\nMessage-ID: <broken-1@client.test>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
        "--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nСм. вложение\r\n"
        "--XX\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=a.pdf\r\n\r\n@@@not base64!!!\r\n"
    ).encode()  # no closing boundary either
    dovecot.append(broken)

    assert poll(_imap_config(dovecot, mb=1), store) == 2

    letters = list(Message.select().where(Message.order == order.id).order_by(Message.id))
    assert len(letters) == 2
    assert "big.jpg" in letters[0].text and "не сохранено" in letters[0].text
    assert Attachment.select().where(Attachment.message == letters[0].id).count() == 0
    assert "См. вложение" in letters[1].text
