"""Issue 23, item 1: an e-mail that bounces. Our letter goes out through a real SMTP server
(aiosmtpd), the recipient's server answers later with a delivery status notification
(RFC 3464, as Postfix writes it) into the firm's mailbox (a real Dovecot); polling that
mailbox marks the client's address undeliverable and sends the message by the next channel
at once. The report is not filed as a letter; a report about a letter not ours is."""

from __future__ import annotations

import email
from email import policy

import pytest

from bots.email.mailboxes import poll_all
from bots.email.transport import SmtpSender
from core.base.config import Config, ImapSection, NotifySection
from core.channels.models import ContactProblem
from core.clients.clients import create_client
from core.conversations import delivery, outbox
from core.conversations.models import Message, Notification
from scheduler.deliverer import Deliverer
from scheduler.ratelimit import RateLimiter
from tests.conftest import need_service
from tests.fakes.channels import FakeSender, FolderStore
from tests.fakes.mail import Dovecot, SmtpSink


@pytest.fixture
def dovecot():
    missing = Dovecot.available()
    if missing:
        need_service("Dovecot", missing)
    with Dovecot() as server:
        yield server


def dsn(
    original_id: str,
    to: str,
    code: str = "550 5.1.1 <{to}>: Recipient address rejected: User unknown",
) -> bytes:
    """A bounce as Postfix sends it: text, the machine-readable report, our letter's head."""
    diagnostic = code.format(to=to)
    return (
        "From: MAILER-DAEMON@mx.example.test (Mail Delivery System)\r\n"
        "To: shop@example.test\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <20261207.bounce.1@mx.example.test>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.test\r\nArrival-Date: Mon, 7 Dec 2026 10:00:00 +0300\r\n\r\n"
        f"Final-Recipient: rfc822; {to}\r\nOriginal-Recipient: rfc822;{to}\r\nAction: failed\r\n"
        f"Status: 5.1.1\r\nDiagnostic-Code: smtp; {diagnostic}\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: shop@example.test\r\nTo: {to}\r\nSubject: =?utf-8?b?0JfQsNC60LDQtw==?=\r\n"
        f"Message-ID: {original_id}\r\n\r\n--B--\r\n"
    ).encode()


def test_a_bounced_letter_marks_the_address_and_goes_by_sms_at_once(dovecot, tmp_path, actors):
    client = create_client(
        actors["manager"], "Петров Пётр", "+79120000081", email="petrov@example.test"
    )
    config = Config(
        imap=ImapSection(host="127.0.0.1", port=dovecot.port, user=dovecot.user,
                         password=dovecot.password, ssl=False),
        notify=NotifySection(fallback=("email", "sms")),
    )  # fmt: skip
    note = outbox.notify_client(client, "Заказ готов, ждём вас", key="ready")
    sms = FakeSender("sms")
    with SmtpSink() as sink:
        smtp = SmtpSender("127.0.0.1", sink.port, sender="shop@example.test", secret="k")
        deliverer = Deliverer({"email": smtp, "sms": sms}, config, limiter=RateLimiter({}),
                              sleep=lambda s: None)  # fmt: skip
        deliverer.run_once()
        ((_, rcpt, raw),) = sink.messages
    sent = Notification.get_by_id(note.id)
    letter_id = email.message_from_bytes(raw, policy=policy.default)["Message-ID"]
    assert (sent.status, sent.sent_channel, sent.external_id) == ("sent", "email", letter_id)
    assert rcpt == ["petrov@example.test"] and not sms.sent

    dovecot.append(dsn(letter_id, "petrov@example.test"))
    letters_before = Message.select().count()
    assert poll_all(config, FolderStore(tmp_path / "files")) == 1
    (problem,) = ContactProblem.select()
    assert (problem.client_id, problem.channel, problem.address) == (
        client.id,
        "email",
        "petrov@example.test",
    )
    assert "User unknown" in problem.reason
    assert Message.select().count() == letters_before  # the report is not a letter for the inbox
    back = Notification.get_by_id(note.id)
    assert back.status == "pending" and "email" in back.failed_channels
    assert "Письмо вернулось" in back.last_error

    deliverer.run_once()
    assert [m.text for m in sms.sent] == ["Заказ готов, ждём вас"]
    assert Notification.get_by_id(note.id).sent_channel == "sms"
    later = outbox.notify_client(client, "Оплата получена", key="paid")
    assert [r.channel for r in delivery.routes_for(later, ("email", "sms"))] == ["sms"]


def test_a_report_about_a_letter_not_ours_is_filed_as_a_letter(dovecot, tmp_path, db):
    config = Config(imap=ImapSection(host="127.0.0.1", port=dovecot.port, user=dovecot.user,
                                     password=dovecot.password, ssl=False))  # fmt: skip
    dovecot.append(dsn("<someone.else@other.test>", "nobody@example.test"))
    assert poll_all(config, FolderStore(tmp_path / "files")) == 1
    assert not ContactProblem.select().exists()
    assert Message.select().where(Message.subject.contains("Undelivered")).exists()
