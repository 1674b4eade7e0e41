"""The inbox page over HTTP: the access matrix on every surface, hostile letters shown
safely, and the actions (reply, forward into an order, an order from a letter, assign,
close, spam), the header counter and the staff chat page."""

from __future__ import annotations

import re

import pytest

from core.base.config import Config, ImapSection, MailboxSection
from core.clients.models import Client
from core.conversations import inbox, mailboxes
from core.conversations.mailbox import IncomingMail, ingest_mail
from core.conversations.models import Dialogue, Message, Notification
from core.files.models import Attachment
from core.orders.models import Order


@pytest.fixture
def boxes(db, staff, world):
    config = Config(
        imap=ImapSection(host="imap.test", user="shop@example.test"),
        mailboxes=(MailboxSection(code="sales", name="Продажи", address="sales@example.test",
                                  imap_host="imap.test", imap_user="sales@example.test"),),
    )  # fmt: skip
    rows = mailboxes.sync(config)
    director = world["director_actor"]
    mailboxes.set_members(director, rows["sales"].id, [staff["manager"].id])
    mailboxes.set_members(director, rows["main"].id, [staff["manager"].id, staff["manager2"].id])
    return rows


def file_letter(store, box, sender, subject, text, *, html="", files=(), message_id=None):
    mail = IncomingMail(message_id=message_id or f"<{abs(hash((sender, subject)))}@c.test>",
                        sender=sender, subject=subject, text=text, attachments=tuple(files))  # fmt: skip
    message = ingest_mail(mail, store, max_attachment_bytes=20 * 1024 * 1024)
    inbox.file_letter(message, box, html=html, contact_name="Клиент Письмов")
    return Message.get_by_id(message.id)


@pytest.fixture
def letters(boxes, store):
    secret = file_letter(store, boxes["sales"], "vip@client.test", "Секретный макет", "цена 5000",
                         files=[("макет.pdf", b"%PDF secret", "application/pdf")])  # fmt: skip
    common = file_letter(
        store, boxes["main"], "all@client.test", "Общий вопрос", "когда откроетесь"
    )
    return {"secret": secret, "common": common}


def test_access_matrix_list_card_search_files_export(as_role, letters):
    secret = letters["secret"]
    key = Attachment.get(Attachment.message == secret.id).storage_key
    expect = {"director": True, "manager": True, "manager2": False}
    for who, sees in expect.items():
        s = as_role(who)
        listing = s.get("/admin/inbox/").get_data(as_text=True)
        assert ("Секретный макет" in listing) == sees, who
        assert "Общий вопрос" in listing, who
        assert (s.get(f"/admin/inbox/{secret.dialogue_id}/").status_code == 200) == sees, who
        found = s.get("/admin/inbox/?q=секретный").get_data(as_text=True)
        assert ("Секретный макет" in found) == sees, who
        assert (s.get(f"/files/{key}").status_code == 200) == sees, who
        export = s.get("/admin/inbox/export.csv").get_data(as_text=True)
        assert ("Секретный макет" in export) == sees and "Общий вопрос" in export, who
        order_page = s.get(f"/admin/inbox/letter/{secret.id}/order/")
        assert (order_page.status_code == 200) == sees, who
        if not sees:
            assert s.get(f"/admin/inbox/{secret.dialogue_id}/").status_code == 404
            assert (
                s.post(f"/admin/inbox/{secret.dialogue_id}/reply/", {"text": "x"}).status_code
                == 404
            )
            assert (
                s.post(f"/admin/inbox/letter/{secret.id}/forward/", {"number": "1"}).status_code
                == 404
            )
    executor = as_role("executor")
    assert executor.get("/admin/inbox/").status_code == 403
    assert executor.get(f"/files/{key}").status_code == 404
    assert (
        not Notification.select().where(Notification.idempotency_key.startswith("inbox:")).exists()
    )


HOSTILE = """<html><head><style>body{background:url(http://evil.test/bg.png)}</style>
<script>alert('xss')</script></head><body onload="alert(1)">
<p style="width: expression(alert('css'))">Добрый день! Счёт во вложении.</p>
<img src="http://tracker.test/pixel.gif?u=1" width="1" height="1">
<img src="x" onerror="alert('img')"><a href="javascript:alert(1)">жми</a>
<iframe src="http://evil.test/"></iframe><form action="http://evil.test/"><input name="p"></form>
<svg onload="alert(2)"></svg><a href="https://ok.test/">сайт</a></body></html>"""


def test_hostile_letters_are_shown_safely_and_pictures_only_when_asked(as_role, boxes, store):
    big = b"x" * (20 * 1024 * 1024 + 1)
    letter = file_letter(store, boxes["main"], "evil@spam.test", "Счёт", "", html=HOSTILE,
                         files=[("огромный.zip", big, "application/zip")])  # fmt: skip
    s = as_role("manager")
    page = s.get(f"/admin/inbox/{letter.dialogue_id}/").get_data(as_text=True)
    body = page.split('class="letter-html">', 1)[1].split("</div>", 1)[0]
    assert "Добрый день! Счёт во вложении." in body
    for bad in ("<script", "onload", "onerror", "expression(", "javascript:", "<iframe", "<form",
                "<style", "tracker.test", "evil.test", "<svg"):  # fmt: skip
        assert bad not in body.lower(), bad
    assert "Картинки из интернета скрыты (1)" in page
    assert 'href="https://ok.test/"' in body and 'rel="noopener noreferrer nofollow"' in body
    assert "больше предела, не сохранено" in Message.get_by_id(letter.id).text
    assert not Attachment.select().where(Attachment.message == letter.id).exists()

    shown = s.get(f"/admin/inbox/{letter.dialogue_id}/?images={letter.id}").get_data(as_text=True)
    shown_body = shown.split('class="letter-html">', 1)[1].split("</div>", 1)[0]
    assert 'src="http://tracker.test/pixel.gif?u=1"' in shown_body and "onerror" not in shown_body


def test_a_big_letter_is_cut_readably(as_role, boxes, store):
    html = "<p>" + "Очень длинное письмо. " * 40_000 + "</p>"
    letter = file_letter(store, boxes["main"], "long@client.test", "Длинное", "", html=html)
    page = as_role("director").get(f"/admin/inbox/{letter.dialogue_id}/").get_data(as_text=True)
    assert "Письмо очень большое — показано начало." in page
    assert len(page) < 600_000


def test_reply_assign_close_spam_and_unread_marks(as_role, letters, staff):
    s = as_role("manager")
    dialogue_id = letters["common"].dialogue_id
    assert "inbox-unread" in s.get("/admin/inbox/").get_data(as_text=True)
    assert '<span class="unread-mark ml-auto" title="непрочитано">1</span>' in s.get(
        "/admin/inbox/?unread=1"
    ).get_data(as_text=True)
    s.get(f"/admin/inbox/{dialogue_id}/")  # reading it
    assert Dialogue.get_by_id(dialogue_id).unread == 0

    s.post(f"/admin/inbox/{dialogue_id}/reply/", {"text": "Работаем с 9 до 18"})
    note = Notification.get(Notification.idempotency_key.startswith("inbox:"))
    assert (note.channel, note.address, note.headers["In-Reply-To"]) == (
        "email", "all@client.test", letters["common"].external_id,
    )  # fmt: skip
    s.post(f"/admin/inbox/{dialogue_id}/assign/", {"assignee": str(staff["manager2"].id)})
    assert Dialogue.get_by_id(dialogue_id).assignee_id == staff["manager2"].id
    mine = s.get(f"/admin/inbox/?assignee={staff['manager2'].id}").get_data(as_text=True)
    assert "Общий вопрос" in mine and "Секретный макет" not in mine
    s.post(f"/admin/inbox/{dialogue_id}/note/", {"text": "@Олег ответь завтра"})
    page = s.get(f"/admin/inbox/{dialogue_id}/").get_data(as_text=True)
    assert "Заметка для своих" in page and "msg-note" in page
    assert Notification.select().where(Notification.employee == staff["manager2"].id).exists()

    s.post(f"/admin/inbox/{dialogue_id}/status/", {"status": "closed"})
    assert "Общий вопрос" not in s.get("/admin/inbox/").get_data(as_text=True)
    assert "Общий вопрос" in s.get("/admin/inbox/?status=closed").get_data(as_text=True)
    s.post(f"/admin/inbox/{dialogue_id}/status/", {"status": "spam"})
    assert "Общий вопрос" in s.get("/admin/inbox/?status=spam").get_data(as_text=True)


def test_forward_into_an_order_and_an_order_from_a_letter(as_role, letters, world, store):
    s = as_role("manager")
    secret = letters["secret"]
    s.post(f"/admin/inbox/letter/{secret.id}/forward/", {"number": str(world["own"].number)})
    assert Message.get_by_id(secret.id).order_id == world["own"].id
    card = s.get(f"/admin/order/card/?id={world['own'].id}").get_data(as_text=True)
    assert "цена 5000" in card
    other = (
        as_role("manager2").get(f"/admin/order/card/?id={world['own'].id}").get_data(as_text=True)
    )
    assert "цена 5000" not in other  # the order is oleg's to see, the sales letter is not

    common = letters["common"]
    form = s.get(f"/admin/inbox/letter/{common.id}/order/").get_data(as_text=True)
    assert 'value="Клиент Письмов"' in form and "когда откроетесь" in form
    bad = s.post(f"/admin/inbox/letter/{common.id}/order/",
                 {"name": "Клиент Письмов", "phone": "", "description": "Вывеска", "cost": "много"})  # fmt: skip
    assert bad.status_code == 200 and Order.select().count() == 4
    done = s.post(f"/admin/inbox/letter/{common.id}/order/",
                  {"name": "Клиент Письмов", "phone": "+7 912 000-00-77", "description": "Вывеска",
                   "cost": "4 500"})  # fmt: skip
    assert done.status_code == 302 and "/admin/order/card/" in done.headers["Location"]
    order = Order.select().order_by(Order.id.desc()).first()
    assert (order.cost, order.client.email) == (450_000, "all@client.test")
    assert Client.select().where(Client.email == "all@client.test").count() == 1


def test_header_counter_and_staff_chat_page(as_role, letters, staff):
    s = as_role("manager2")
    page = s.get("/admin/inbox/").get_data(as_text=True)
    assert re.search(r'data-counter="inbox">1<', page)  # only the main mailbox's letter
    assert s.get("/admin/team/counters").get_json() == {"inbox": 1, "team": 0}
    maria = as_role("manager")
    room = maria.get("/admin/team/").get_data(as_text=True)
    chat_id = re.search(r'name="chat" value="(\d+)"', room).group(1)
    maria.post("/admin/team/post/", {"chat": chat_id, "text": "Всем привет, @Олег глянь почту"})
    assert s.get("/admin/team/counters").get_json()["team"] == 1
    assert "Всем привет" in s.get("/admin/team/").get_data(as_text=True)
    assert s.get("/admin/team/counters").get_json()["team"] == 0
    executor = as_role("executor")
    assert executor.get("/admin/team/").status_code == 200
    assert executor.get("/admin/team/counters").get_json()["inbox"] == 0


def test_a_note_on_the_order_card_is_internal_and_mentions_reach_the_colleague(
    as_role, world, staff
):
    s = as_role("manager")
    order = world["own"]
    s.post("/admin/team/order-note/", {"id": str(order.id), "text": "@oleg уточни размер"})
    card = s.get(f"/admin/order/card/?id={order.id}").get_data(as_text=True)
    assert "уточни размер" in card and "msg-note" in card
    told = Notification.get(Notification.employee == staff["manager2"].id)
    assert f"заметке к заказу №{order.number}" in told.text
    assert (
        not Notification.select()
        .where((Notification.audience == "client") & Notification.text.contains("уточни"))
        .exists()
    )
    hidden = as_role("executor").post("/admin/team/order-note/", {"id": str(order.id), "text": "x"})
    assert hidden.status_code == 404  # not his order: no note, no hint that it exists


def test_a_forwarded_sales_letter_keeps_its_files_off_the_order_card_of_a_non_member(
    as_role, letters, world
):
    s = as_role("manager")
    s.post(
        f"/admin/inbox/letter/{letters['secret'].id}/forward/", {"number": str(world["own"].number)}
    )
    assert "макет.pdf" in s.get(f"/admin/order/card/?id={world['own'].id}").get_data(as_text=True)
    other = (
        as_role("manager2").get(f"/admin/order/card/?id={world['own'].id}").get_data(as_text=True)
    )
    assert "макет.pdf" not in other


def test_a_chat_is_tied_to_an_order_by_number(as_role, world):
    from core.conversations import threads

    chat = threads.record_incoming(world["c2"].id, "Баннер уже готов?", channel="telegram")
    s = as_role("manager")
    bad = s.post(
        f"/admin/inbox/{chat.dialogue_id}/order/", {"number": "999999"}, follow_redirects=True
    )
    assert "Заказ №999999 не найден." in bad.get_data(as_text=True)
    s.post(f"/admin/inbox/{chat.dialogue_id}/order/", {"number": str(world["foreign"].number)})
    dialogue = Dialogue.get_by_id(chat.dialogue_id)
    assert (dialogue.order_id, dialogue.client_id) == (world["foreign"].id, world["c2"].id)
