"""Several mailboxes polled from a real Dovecot into the inbox: letters grouped by thread,
a new customer's artwork kept, odd charsets readable, and no duplicates after a crash."""

from __future__ import annotations

from email.message import EmailMessage

import imap_tools
import pytest

from bots.email.mailboxes import poll_all
from core.access import SYSTEM
from core.base.config import Config, ImapSection, MailboxSection
from core.base.money import rubles
from core.clients import clients
from core.conversations import inbox
from core.conversations.models import Dialogue, Mailbox, Message
from core.files.models import Attachment
from core.orders import orders
from tests.conftest import need_service
from tests.fakes.channels import FolderStore
from tests.fakes.mail import Dovecot

SALES = ("sales@example.test", "sales-secret")


@pytest.fixture
def dovecot():
    missing = Dovecot.available()
    if missing:
        need_service("Dovecot", missing)
    with Dovecot(more=(SALES,)) as server:
        yield server


@pytest.fixture
def store(tmp_path):
    return FolderStore(tmp_path / "files")


def two_boxes(dovecot) -> Config:
    return Config(
        imap=ImapSection(host="127.0.0.1", port=dovecot.port, user=dovecot.user,
                         password=dovecot.password, ssl=False),
        mailboxes=(MailboxSection(code="sales", name="Отдел продаж", address=SALES[0],
                                  imap_host="127.0.0.1", imap_port=dovecot.port,
                                  imap_user=SALES[0], imap_password=SALES[1], imap_ssl=False),),
    )  # fmt: skip


def letter(sender, subject, text="Здравствуйте", *, to="shop@example.test", **headers) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail["Message-ID"] = headers.pop("message_id", f"<{abs(hash((sender, subject, text)))}@c.test>")
    for k, v in headers.items():
        mail[k.replace("_", "-")] = v
    mail.set_content(text)
    return mail.as_bytes()


def test_a_new_customers_letter_with_artwork_lands_in_the_inbox_of_its_mailbox(dovecot, store, db):
    artwork = EmailMessage()
    artwork["From"] = "Новый Клиент <new@client.test>"
    artwork["To"], artwork["Subject"] = SALES[0], "Макет визиток"
    artwork["Message-ID"] = "<artwork-1@client.test>"
    artwork.set_content("Добрый день! Макет во вложении, 500 штук.")
    artwork.add_attachment(b"%PDF-1.4 artwork", maintype="application", subtype="pdf",
                           filename="макет.pdf")  # fmt: skip
    dovecot.append(artwork.as_bytes(), SALES[0])
    dovecot.append(letter("petr@client.test", "Вопрос по счёту"))

    assert poll_all(two_boxes(dovecot), store) == 2

    sales = Mailbox.get(Mailbox.code == "sales")
    main = Mailbox.get(Mailbox.code == "main")
    (row,) = inbox.inbox_page(SYSTEM, inbox.InboxFilter(mailbox_id=sales.id))
    assert (row.contact, row.contact_name, row.subject, row.unread) == (
        "new@client.test", "Новый Клиент", "Макет визиток", 1,
    )  # fmt: skip
    (message,) = row.messages
    assert "500 штук" in message.text
    (file,) = Attachment.select().where(Attachment.message == message.id)
    assert file.original_name == "макет.pdf" and store.read(file.storage_key) == b"%PDF-1.4 artwork"
    assert [d.subject for d in inbox.inbox_page(SYSTEM, inbox.InboxFilter(mailbox_id=main.id))] == [
        "Вопрос по счёту"
    ]


def test_replies_join_their_thread_by_headers_or_by_subject(dovecot, store, db):
    dovecot.append(letter("a@client.test", "Баннер 3×6", message_id="<first@c.test>"))
    dovecot.append(letter("a@client.test", "Re: Баннер 3×6", "а цвет?", message_id="<second@c.test>",
                          in_reply_to="<first@c.test>"))  # fmt: skip
    dovecot.append(letter("a@client.test", "RE: баннер 3×6", "и срок", message_id="<third@c.test>"))
    dovecot.append(letter("a@client.test", "Другая тема", message_id="<fourth@c.test>"))

    poll_all(two_boxes(dovecot), store)

    threads = {d.subject: d for d in Dialogue.select()}
    assert set(threads) == {"Баннер 3×6", "Другая тема"}
    assert threads["Баннер 3×6"].unread == 3 and threads["Баннер 3×6"].last_text == "и срок"


def test_letters_of_a_known_order_carry_the_order_and_client(dovecot, store, db, actors):
    client = clients.create_client(actors["manager"], "Почтов", "+79125550001", email="p@c.test")
    order = orders.create_order(actors["manager"], client.id, "Листовки", rubles(3000))
    dovecot.append(letter("p@c.test", f"[Заказ №{order.number}] вопрос"))

    poll_all(two_boxes(dovecot), store)

    (row,) = Dialogue.select()
    assert (row.order_id, row.client_id) == (order.id, client.id)


@pytest.mark.parametrize(
    ("charset", "declared"),
    [("cp1251", "windows-1251"), ("koi8_r", "koi8-r"), ("cp1251", "x-unknown-charset"),
     ("cp1251", None), ("cp1251", "utf-8")],
)  # fmt: skip
def test_odd_encodings_are_readable(dovecot, store, db, charset, declared):
    body = "Добрый день, пришлите счёт на оплату баннера.".encode(charset)
    head = "Content-Type: text/plain" + (f'; charset="{declared}"' if declared else "")
    raw = (
        b"From: old@client.test\r\nTo: shop@example.test\r\nSubject: =?koi8-r?B?"
        + __import__("base64").b64encode("Счёт".encode("koi8_r"))
        + b"?=\r\nMessage-ID: <enc@c.test>\r\nMIME-Version: 1.0\r\n"
        + head.encode()
        + b"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + body
    )
    dovecot.append(raw)

    poll_all(two_boxes(dovecot), store)

    (message,) = Message.select()
    assert "пришлите счёт на оплату" in message.text and message.subject == "Счёт"


def test_broken_mime_still_files_the_letter(dovecot, store, db):
    raw = (
        b"From: broken@client.test\r\nTo: shop@example.test\r\nSubject: broken\r\n"
        b"Message-ID: <broken@c.test>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n--XX\r\n'
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"0J/RgNC40LLQtdGC!!!not base64\r\n--XX\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="a.pdf"\r\nContent-Transfer-Encoding: base64'
        b"\r\n\r\n@@@@\r\n"  # no closing boundary
    )
    dovecot.append(raw)

    assert poll_all(two_boxes(dovecot), store) == 1
    assert Dialogue.select().count() == 1


class Crash(BaseException):
    """The process dies: nothing in the poller may catch this."""


def test_a_crash_in_the_middle_of_1000_letters_leaves_no_duplicates(
    dovecot, store, db, monkeypatch
):
    letters = [letter(f"c{i % 37}@client.test", f"Заказ {i}", f"текст {i}", message_id=f"<bulk{i}@c.test>")
               for i in range(1000)]  # fmt: skip
    dovecot.append_many(letters[:500])
    dovecot.append_many(letters[500:], SALES[0])
    config = two_boxes(dovecot)
    real_flag = imap_tools.BaseMailBox.flag
    calls = {"n": 0}

    def dying_flag(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 700:  # letter 700 is stored and committed, but never flagged seen
            raise Crash()
        return real_flag(self, *args, **kwargs)

    monkeypatch.setattr(imap_tools.BaseMailBox, "flag", dying_flag)
    with pytest.raises(Crash):
        poll_all(config, store, limit=None)
    assert 690 <= Message.select().count() <= 700
    monkeypatch.setattr(imap_tools.BaseMailBox, "flag", real_flag)

    poll_all(config, store, limit=None)

    assert Message.select().count() == 1000
    ids = [m.external_id for m in Message.select(Message.external_id)]
    assert len(set(ids)) == 1000
    assert Message.select().where(Message.dialogue.is_null()).count() == 0
    assert Dialogue.select().count() == 1000  # a subject each, so a conversation each
    assert poll_all(config, store, limit=None) == 0
