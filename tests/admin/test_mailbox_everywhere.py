"""Issue 29, item 6: a mailbox's letters are read by its members (and the director) on every
surface, not only in the inbox — the client card (the client's letters, colleagues' replies),
the order card (its thread, «Исходящие», the unread count and the files), the order list's
unread mark, the bot's order card, a file's address. A matrix: surface × member/non-member."""

from __future__ import annotations

import re

import pytest

from core.access import actor_for_employee
from core.base.config import Config, MailboxSection
from core.conversations import inbox, inbox_actions, mailboxes, outbox, threads
from core.conversations.models import Message
from core.files.models import Attachment
from core.orders.models import Order
from tests.admin.conftest import login

LETTER = "Счёт для бухгалтерии 7731"
REPLY = "Ответ коллеги про счёт 5519"
LATER = "Ещё вопрос про акт сверки 4402"
CHAT = "Когда будет готово?"
FILE = "сверка-секрет.pdf"


@pytest.fixture
def letters(app, world, staff, actors, store):
    """«Бухгалтерия» is read by Олег (manager2) only; Мария (manager) runs the order."""
    config = Config(mailboxes=(MailboxSection(code="books", name="Бухгалтерия",
                                              address="books@firm.test", imap_host="imap.test",
                                              imap_user="books@firm.test"),))  # fmt: skip
    boxes = mailboxes.sync(config)
    mailboxes.set_members(world["director_actor"], boxes["books"].id, [staff["manager2"].id])
    order, client = world["own"], world["c1"]

    def letter(text: str, message_id: str) -> Message:
        message = Message.create(direction="in", channel="email", sender="ivanov@client.test",
                                 subject=f"[Заказ №{order.number}]", text=text, order=order,
                                 client=client, external_id=message_id)  # fmt: skip
        Order.update(unread=Order.unread + 1).where(Order.id == order.id).execute()
        inbox.file_letter(message, boxes["books"], contact_name=client.name)
        return message

    first = letter(LETTER, "<l1@client.test>")
    stored = store.save("Почта", FILE, b"%PDF-1.4 secret", "application/pdf")
    attachment = Attachment.create(storage_key=stored.key, original_name=FILE, size=15,
                                   content_type="application/pdf", message=first, order=order,
                                   client=client)  # fmt: skip
    inbox_actions.reply(actors["manager2"], first.dialogue_id, REPLY)
    letter(LATER, "<l2@client.test>")  # unread, after the reply
    threads.record_incoming(client.id, CHAT, channel="telegram", order_id=order.id)
    return {"order": order, "client": client, "attachment": attachment}


SECRETS = (LETTER, REPLY, LATER)
# who → (may read «Бухгалтерия», unread client messages of the order they are shown)
PEOPLE = {"manager": (False, 1), "manager2": (True, 2), "director": (True, 2)}


def _page(session, url: str) -> str:
    resp = session.get(url)
    assert resp.status_code == 200, url
    return resp.get_data(as_text=True)


def _shown(html: str, texts: tuple[str, ...]) -> set[str]:
    return {t for t in texts if t in html}


@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_every_surface_obeys_the_mailbox(app, letters, who):
    member, unread = PEOPLE[who]
    session = login(app, who)
    order, client = letters["order"], letters["client"]
    expected = set(SECRETS) if member else set()

    card = _page(session, f"/admin/client/card/?id={client.id}")
    assert _shown(card, SECRETS) == expected, "client card"
    assert CHAT in card  # a messenger message is everybody's
    marks = re.findall(rf"№{order.number}</a> <span class=\"unread-mark\">(\d+)</span>", card)
    assert marks == [str(unread)], "client card: the order's unread mark"

    order_card = _page(session, f"/admin/order/card/?id={order.id}")
    assert _shown(order_card, SECRETS) == expected, "order card: thread and «Исходящие»"
    assert (FILE in order_card) is member, "order card: the letter's file"
    assert re.search(rf'unread-mark mr-2">{unread}<', order_card), "order card: unread count"

    listing = _page(session, "/admin/order/")
    marks = re.findall(r'title="Новые сообщения клиента">(\d+)<', listing)
    assert str(unread) in marks and (member or "2" not in marks), "order list: unread mark"

    status = session.get(f"/files/a/{letters['attachment'].id}").status_code
    assert status == (200 if member else 404), "the letter's file by its address"


@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_the_core_read_paths_obey_the_mailbox(letters, staff, who):
    """What the bot's order card and every other caller read: the unread count, the client's
    messages, «Исходящие»."""
    member, unread = PEOPLE[who]
    actor = actor_for_employee(staff[who])
    order = Order.get_by_id(letters["order"].id)
    assert threads.unread_of(actor, order) == unread
    texts = {m.text for m in threads.client_messages(actor, letters["client"].id)}
    assert (set(SECRETS) <= texts) is member and not (set(SECRETS) & texts and not member)
    sent = {n.text for n in outbox.order_outbox(actor, order.id)}
    assert (REPLY in sent) is member


def test_a_non_member_reading_the_order_leaves_the_letter_unread_for_members(letters, staff):
    order = letters["order"]
    threads.mark_read(actor_for_employee(staff["manager"]), order.id)
    member = actor_for_employee(staff["manager2"])
    assert threads.unread_of(member, Order.get_by_id(order.id)) == 1  # the letter, still new
    assert not Message.get(Message.text == LATER).is_read
    assert Message.get(Message.text == CHAT).is_read
