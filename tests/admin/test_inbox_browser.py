"""The inbox in Debian Chromium: read a letter, answer it, forward one into an order and
make an order from another — at 1366 px and on a 390 px phone, with screenshots."""

from __future__ import annotations

import pytest

from core.base.config import Config, ImapSection, MailboxSection
from core.conversations import mailboxes
from core.conversations.models import Message, Notification
from core.orders.models import Order
from tests.admin.test_browser import page, screens, server  # noqa: F401 - shared fixtures
from tests.admin.test_inbox_page import file_letter

pytestmark = pytest.mark.e2e

LETTER_HTML = """<div><p>Здравствуйте!</p><p>Нужны <b>визитки 1000 шт</b>, макет во вложении.
Телефон для связи: 8 (912) 777-66-55.</p><img src="https://tracker.test/p.gif" width="1">
<table border="1"><tr><td>Бумага</td><td>300 г/м²</td></tr></table><p>С уважением, Анна</p></div>"""


@pytest.fixture
def mail(db, staff, world, store):
    config = Config(
        imap=ImapSection(host="imap.test", user="shop@example.test"),
        mailboxes=(MailboxSection(code="sales", name="Отдел продаж", address="sales@example.test",
                                  imap_host="imap.test", imap_user="sales@example.test"),),
    )  # fmt: skip
    rows = mailboxes.sync(config)
    for box in rows.values():
        mailboxes.set_members(world["director_actor"], box.id, [staff["manager"].id])
    artwork = file_letter(store, rows["sales"], "anna@client.test", "Визитки для салона",
                          "Здравствуйте! Нужны визитки 1000 шт.", html=LETTER_HTML,
                          files=[("макет визитки.pdf", b"%PDF-1.4 card", "application/pdf")])  # fmt: skip
    banner = file_letter(store, rows["main"], "ivanov@client.test", "Баннер — правки",
                         "Поменяйте цвет фона на синий.")  # fmt: skip
    for n in range(6):
        file_letter(
            store, rows["main"], f"c{n}@client.test", f"Вопрос про заказ {n}", "Когда готово?"
        )
    return {"artwork": artwork, "banner": banner}


def login(browser_page, base):
    browser_page.goto(f"{base}/admin/inbox/")
    browser_page.fill("#login", "maria")
    browser_page.fill("#password", "manager-pass-1")
    browser_page.click("button[type=submit]")
    browser_page.wait_for_url("**/admin/inbox/**")


def test_read_reply_forward_and_order_from_a_letter(page, server, mail, world, screens):  # noqa: F811
    login(page, server)
    assert page.locator("#inbox-list .inbox-unread").count() == 8
    page.screenshot(path=str(screens / "inbox-list-1366.png"), full_page=True)

    page.click("text=Визитки для салона")
    page.wait_for_selector(".letter-html")
    assert "визитки 1000 шт" in page.inner_text(".letter-html")
    assert "Картинки из интернета скрыты (1)" in page.content()
    assert "макет визитки.pdf" in page.inner_text(".letter-files")
    page.screenshot(path=str(screens / "inbox-letter-1366.png"), full_page=True)

    page.fill("textarea[name=text]", "Анна, добрый день! Макет получили, счёт пришлём сегодня.")
    page.click("button:has-text('Ответить')")
    page.wait_for_selector(".alert-success")
    assert "в очереди" in page.content()
    note = Notification.get(Notification.idempotency_key.startswith("inbox:"))
    assert note.headers["X-Brigadir-Mailbox"] == "sales" and note.address == "anna@client.test"

    page.fill("input[name=text].note-input", "@Олег посчитай тираж")
    page.click("button:has-text('Заметка')")
    page.wait_for_selector(".msg-note")
    page.screenshot(path=str(screens / "inbox-replied-1366.png"), full_page=True)

    page.click("text=Новый заказ из письма")
    assert page.input_value("#name") == "Клиент Письмов"
    assert page.input_value("#phone") == "+79127776655"
    page.fill("#cost", "2 500")
    page.screenshot(path=str(screens / "inbox-order-form-1366.png"), full_page=True)
    page.click("button:has-text('Создать заказ')")
    page.wait_for_url("**/admin/order/card/**")
    order = Order.select().order_by(Order.id.desc()).first()
    assert order.cost == 250_000 and Message.get_by_id(mail["artwork"].id).order_id == order.id
    assert "макет визитки.pdf" in page.content()
    page.screenshot(path=str(screens / "inbox-order-card-1366.png"), full_page=True)

    page.goto(f"{server}/admin/inbox/{mail['banner'].dialogue_id}/")
    page.fill(".letter-actions input[name=number]", str(world["own"].number))
    page.click("button:has-text('В заказ')")
    page.wait_for_selector(".alert-success")
    assert Message.get_by_id(mail["banner"].id).order_id == world["own"].id

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/admin/inbox/")
    page.screenshot(path=str(screens / "inbox-list-390.png"), full_page=True)
    page.click("text=Визитки для салона")
    page.wait_for_selector(".letter-html")
    assert page.locator("#inbox-list").is_hidden()  # on a phone the letter takes the screen
    page.screenshot(path=str(screens / "inbox-letter-390.png"), full_page=True)
    page.goto(f"{server}/admin/team/")
    page.fill("input[name=text]", "Всем доброе утро!")
    page.click("button:has-text('Отправить')")
    page.wait_for_selector("text=Всем доброе утро!")
    page.screenshot(path=str(screens / "team-390.png"), full_page=True)


def test_mailbox_access_settings_and_staff_chat_pages(page, server, mail, staff, screens):  # noqa: F811
    page.goto(f"{server}/admin/mailboxes/")
    page.fill("#login", "director")
    page.fill("#password", "director-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/mailboxes/**")
    page.click(f"label[for=m{mail['artwork'].dialogue.mailbox_id}-{staff['manager2'].id}]")
    page.locator("form").filter(has_text="Отдел продаж").locator("button").click()
    page.wait_for_selector(".alert-success")
    assert "Доступ к ящику «Отдел продаж» сохранён." in page.content()
    sales = mail["artwork"].dialogue.mailbox_id
    assert {e.id for e in mailboxes.members_of(sales)} == {
        staff["manager"].id,
        staff["manager2"].id,
    }
    page.screenshot(path=str(screens / "mailboxes-1366.png"), full_page=True)
    page.goto(f"{server}/admin/team/")
    page.fill("input[name=text]", "@Мария посмотри письмо от Анны")
    page.click("button:has-text('Отправить')")
    page.wait_for_selector("text=посмотри письмо от Анны")
    page.screenshot(path=str(screens / "team-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/admin/mailboxes/")
    page.screenshot(path=str(screens / "mailboxes-390.png"), full_page=True)
    page.goto(f"{server}/admin/inbox/letter/{mail['banner'].id}/order/")
    page.screenshot(path=str(screens / "inbox-order-form-390.png"), full_page=True)
