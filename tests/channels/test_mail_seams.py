"""Mail where two features meet (issue 29, items 19, 20, 21, 26): a real Dovecot per
mailbox, real SMTP through aiosmtpd, the real pollers and the outbox."""

from __future__ import annotations

import base64
import email
from email import policy
from email.message import EmailMessage

import pytest

from bots.email.mailboxes import build_sender, poll_all
from core.access import SYSTEM
from core.base.config import Config, ImapSection, MailboxSection, NotifySection, SmtpSection
from core.base.errors import NotFound
from core.base.money import rubles
from core.clients import clients
from core.conversations import inbox, mailbox, mailboxes, threads
from core.conversations.models import Dialogue, Mailbox, Message, Notification
from core.orders import orders
from scheduler.deliverer import Deliverer
from tests.conftest import need_service
from tests.fakes.channels import FolderStore
from tests.fakes.mail import Dovecot, SmtpSink

SALES = ("sales@example.test", "sales-secret")
SHOP = "shop@example.test"


@pytest.fixture
def dovecot():
    missing = Dovecot.available()
    if missing:
        need_service("Dovecot", missing)
    with Dovecot(more=(SALES,)) as server:
        yield server


@pytest.fixture
def sink():
    with SmtpSink() as s:
        yield s


@pytest.fixture
def store(tmp_path):
    return FolderStore(tmp_path / "files")


def config_of(dovecot, sink=None, auth_server: str = "") -> Config:
    smtp = (
        SmtpSection(host="127.0.0.1", port=sink.port, sender=SHOP, starttls=False)
        if sink
        else SmtpSection()
    )
    return Config(
        imap=ImapSection(host="127.0.0.1", port=dovecot.port, user=dovecot.user,
                         password=dovecot.password, ssl=False,
                         **({"auth_server": auth_server} if auth_server else {})),
        smtp=smtp,
        mailboxes=(MailboxSection(code="sales", name="Отдел продаж", address=SALES[0],
                                  imap_host="127.0.0.1", imap_port=dovecot.port,
                                  imap_user=SALES[0], imap_password=SALES[1], imap_ssl=False),),
        notify=NotifySection(email_per_second=1000),
    )  # fmt: skip


def letter(sender, subject, text="Здравствуйте", *, to=SHOP, **headers) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail["Message-ID"] = headers.pop("message_id", f"<{abs(hash((sender, subject, text)))}@c.test>")
    for key, value in headers.items():
        mail[key.replace("_", "-")] = value
    mail.set_content(text)
    return mail.as_bytes()


@pytest.fixture
def split_office(staff, actors, dovecot):
    """Мария reads the main mailbox only, Олег the sales one only."""
    boxes = mailboxes.sync(config_of(dovecot))
    mailboxes.set_members(SYSTEM, boxes["main"].id, [staff["manager"].id])
    mailboxes.set_members(SYSTEM, boxes["sales"].id, [staff["manager2"].id])
    return boxes


# --- item 19 ---------------------------------------------------------------------------
def test_a_letter_to_two_mailboxes_is_seen_by_the_members_of_both(
    dovecot, store, actors, split_office
):
    client = clients.create_client(actors["manager"], "Почтов", "+79125550001", email="p@c.test")
    order = orders.create_order(actors["manager"], client.id, "Листовки", rubles(3000))
    raw = letter("p@c.test", f"[Заказ №{order.number}] макет", "Макет готов", to=SHOP, cc=SALES[0],
                 message_id="<both@c.test>")  # fmt: skip
    dovecot.append(raw)
    dovecot.append(raw, SALES[0])

    assert poll_all(config_of(dovecot), store) == 2

    for who in ("manager", "manager2"):  # each sees it in the inbox of the mailbox they read
        (row,) = inbox.inbox_page(actors[who], inbox.InboxFilter())
        assert row.subject == f"[Заказ №{order.number}] макет"
        assert (row.client_id, row.order_id) == (client.id, order.id)
        _, messages = inbox.open_dialogue(actors[who], row.id)
        assert [m.text for m in messages] == ["Макет готов"]
    # One letter in the order's thread, not two; polling again changes nothing.
    assert [m.text for m in threads.thread_of(SYSTEM, order.id)] == ["Макет готов"]
    assert poll_all(config_of(dovecot), store) == 0 and Message.select().count() == 2


# --- item 20 ---------------------------------------------------------------------------
def test_mail_about_an_order_leaves_from_the_mailbox_its_manager_reads_and_his_answer_finds_him(
    dovecot, sink, store, staff, actors, split_office
):
    client = clients.create_client(actors["manager2"], "Ответов", "+79125550002", email="a@c.test")
    order = orders.create_order(actors["manager2"], client.id, "Баннер", rubles(5000),
                                manager_id=staff["manager2"].id)  # fmt: skip
    config = config_of(dovecot, sink)
    threads.ask_client(actors["manager2"], order.id, "Какой цвет фона?", channel="email")
    Deliverer({"email": build_sender(config)}, config, sleep=lambda s: None).run_once()

    letters = [(f, r, email.message_from_bytes(raw, policy=policy.default))
               for f, r, raw in sink.messages]  # fmt: skip
    assert letters and all(  # every letter about his order: from the mailbox he reads
        (f, r, m["Reply-To"]) == (SALES[0], ["a@c.test"], SALES[0]) for f, r, m in letters
    )
    (sent,) = [m for _, _, m in letters if "Вопрос по заказу" in str(m["Subject"])]

    Notification.delete().where(Notification.audience == "staff").execute()
    answer = letter("a@c.test", "Re: " + str(sent["Subject"]), "Синий, пожалуйста", to=SALES[0],
                    in_reply_to=sent["Message-ID"], message_id="<answer@c.test>")  # fmt: skip
    dovecot.append(answer, SALES[0])
    poll_all(config, store)

    reply = Message.get(Message.external_id == "<answer@c.test>")
    assert reply.order_id == order.id
    told = list(Notification.select().where(Notification.audience == "staff"))
    assert [n.employee_id for n in told] == [staff["manager2"].id]
    assert "Синий, пожалуйста" in told[0].text and f"№{order.number}" in told[0].text


def test_the_director_and_main_readers_keep_the_main_mailbox(staff, actors, dovecot):
    boxes = mailboxes.sync(config_of(dovecot))
    client = clients.create_client(actors["manager"], "Главный", "+79125550003")
    order = orders.create_order(actors["manager"], client.id, "Визитки", rubles(900),
                                manager_id=staff["manager"].id)  # fmt: skip
    from core.conversations.delivery import mailbox_for

    assert mailbox_for(order) is None  # Мария reads main (every manager does at first)
    mailboxes.set_members(SYSTEM, boxes["main"].id, [staff["manager2"].id])
    mailboxes.set_members(SYSTEM, boxes["sales"].id, [staff["manager"].id])
    assert mailbox_for(order) == "sales"


# --- item 21 ---------------------------------------------------------------------------
def test_an_encoded_word_and_a_folded_latin_word_keep_their_space(dovecot, store, db):
    word = base64.b64encode("Заказ розеток".encode()).decode()
    raw = (
        f"From: x@c.test\r\nTo: {SHOP}\r\nSubject: =?UTF-8?B?{word}?=\r\n qxm3subj\r\n"
        "Message-ID: <fold@c.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nтекст\r\n"
    ).encode()
    dovecot.append(raw)
    poll_all(config_of(dovecot), store)
    assert Message.get().subject == "Заказ розеток qxm3subj"


def test_a_raw_8bit_windows_1251_subject_is_read(dovecot, store, db):
    raw = (
        b"From: old@c.test\r\nTo: shop@example.test\r\nSubject: "
        + "Счёт на оплату баннера".encode("cp1251")
        + b"\r\nMessage-ID: <raw8@c.test>\r\nContent-Type: text/plain; charset=windows-1251\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + "Пришлите счёт".encode("cp1251") + b"\r\n"
    )
    dovecot.append(raw)
    poll_all(config_of(dovecot), store)
    message = Message.get()
    assert message.subject == "Счёт на оплату баннера" and "Пришлите счёт" in message.text
    assert Dialogue.get().subject == "Счёт на оплату баннера"


@pytest.mark.parametrize("declared", ['multipart/mixed; boundary="WRONG"', "multipart/mixed"])
def test_a_multipart_with_a_wrong_or_missing_boundary_shows_its_text(dovecot, store, db, declared):
    raw = (
        f"From: b@c.test\r\nTo: {SHOP}\r\nSubject: broken\r\nMessage-ID: <b-{len(declared)}@c.test>"
        f"\r\nMIME-Version: 1.0\r\nContent-Type: {declared}\r\n\r\n--REAL\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Привет, вот текст письма\r\n--REAL\r\nContent-Type: application/pdf\r\n"
        "Content-Disposition: attachment; filename=a.pdf\r\nContent-Transfer-Encoding: base64"
        "\r\n\r\nJVBERi0=\r\n--REAL--\r\n"
    ).encode()
    dovecot.append(raw)
    poll_all(config_of(dovecot), store)
    assert "Привет, вот текст письма" in Message.get().text


def test_executors_see_the_letters_of_their_own_orders_thread(dovecot, store, staff, actors):
    mailboxes.sync(config_of(dovecot))
    client = clients.create_client(actors["manager"], "Монтажов", "+79125550004", email="m@c.test")
    order = orders.create_order(actors["manager"], client.id, "Щиток", rubles(8000),
                                executor_id=staff["executor2"].id)  # fmt: skip
    dovecot.append(letter("m@c.test", f"[Заказ №{order.number}] щиток", "Приезжайте к 10"))
    poll_all(config_of(dovecot), store)

    mine = threads.thread_of(actors["executor2"], order.id)
    assert [m.text for m in mine] == ["Приезжайте к 10"]
    with pytest.raises(NotFound):  # someone else's order: as if it did not exist
        threads.thread_of(actors["executor"], order.id)


# --- item 26 ---------------------------------------------------------------------------
def _tagged(order, results: tuple[str, ...], message_id: str) -> bytes:
    head = "".join(f"Authentication-Results: {r}\r\n" for r in results)
    body = letter("client@c.test", f"[Заказ №{order.number}] оплата", "Реквизиты сменились, "
                  "платите на карту 2200…", message_id=message_id)  # fmt: skip
    return head.encode() + body


@pytest.fixture
def forged_world(actors):
    client = clients.create_client(actors["manager"], "Клиентов", "+79125550005",
                                   email="client@c.test")  # fmt: skip
    return orders.create_order(actors["manager"], client.id, "Подключение", rubles(30000))


FAIL = "mx.firm.test; spf=fail smtp.mailfrom=c.test; dkim=none; dmarc=fail header.from=c.test"
PASS = "mx.firm.test; spf=pass smtp.mailfrom=c.test; dkim=pass header.d=c.test; dmarc=pass"


@pytest.mark.parametrize(
    ("results", "server", "filed", "check"),
    [
        ((FAIL,), "", False, "fail"),
        ((PASS,), "", True, "pass"),
        ((), "", True, ""),  # the server records nothing: filed, the sender not verified
        ((FAIL, PASS.replace("mx.firm.test", "evil.test")), "", False, "fail"),  # forged below
        ((PASS.replace("mx.firm.test", "evil.test"),), "mx.firm.test", True, ""),  # not ours
        ((PASS.replace("mx.firm.test", "evil.test"), FAIL), "mx.firm.test", False, "fail"),
    ],
)
def test_a_letter_failing_the_servers_checks_is_not_filed_into_the_order(
    dovecot, store, forged_world, results, server, filed, check
):
    order = forged_world
    dovecot.append(_tagged(order, results, f"<forged-{len(results)}-{len(server)}@c.test>"))
    poll_all(config_of(dovecot, auth_server=server), store)

    message = Message.get()
    assert message.sender_check == check
    assert (message.order_id == order.id) is filed
    if not filed:
        assert message.client_id is None and message.author_id is None
        assert message.id in [m.id for m in mailbox.unsorted_mail(SYSTEM)]
        assert Dialogue.get().order_id is None


def test_the_order_thread_shows_whether_the_sender_was_verified(dovecot, store, forged_world):
    order = forged_world
    dovecot.append(_tagged(order, (), "<none@c.test>"))
    dovecot.append(_tagged(order, (PASS,), "<pass@c.test>"))
    poll_all(config_of(dovecot), store)
    checks = {m.external_id: m.sender_check for m in threads.thread_of(SYSTEM, order.id)}
    assert checks == {"<none@c.test>": "", "<pass@c.test>": "pass"}
    assert Mailbox.select().count() == 2
