"""The inbox in core: mailboxes and their members, conversations, who sees which letter."""

from __future__ import annotations

import pytest

from core.access import can_see_message, visible_message_filter
from core.base.config import Config, ImapSection, MailboxSection
from core.base.errors import AccessDenied, NotFound, ValidationError
from core.base.money import rubles
from core.conversations import inbox, mailboxes, threads
from core.conversations.models import Dialogue, Mailbox, Message


@pytest.fixture
def boxes(db):
    config = Config(
        imap=ImapSection(host="imap.test", user="shop@example.test"),
        mailboxes=(MailboxSection(code="sales", name="Продажи", address="sales@example.test",
                                  imap_host="imap.test", imap_user="sales@example.test"),),
    )  # fmt: skip
    return mailboxes.sync(config)


@pytest.fixture
def world(actors):
    from core.clients.clients import create_client
    from core.orders.orders import create_order

    c1 = create_client(actors["manager"], "Иванов Иван", "+7 912 345-67-89")
    own = create_order(actors["manager"], c1.id, "Визитки 1000 шт", rubles(3000))
    return {"c1": c1, "own": own}


def letter(box: Mailbox | None, sender: str, subject: str, text: str = "Текст", **kw) -> Message:
    message = Message.create(direction="in", channel="email", sender=sender, subject=subject,
                             text=text, external_id=kw.pop("external_id", None), **kw)  # fmt: skip
    inbox.file_letter(message, box)
    return message


def test_config_mailboxes_become_rows_and_a_removed_one_turns_inactive(boxes):
    assert {b.code: b.address for b in Mailbox.select()} == {
        "main": "shop@example.test", "sales": "sales@example.test",
    }  # fmt: skip
    mailboxes.sync(Config(imap=ImapSection(host="imap.test", user="shop@example.test")))
    assert not Mailbox.get(Mailbox.code == "sales").active


def test_an_upgraded_firm_keeps_its_office_reading_the_main_mailbox(staff, actors):
    """Before mailboxes had members every manager read the firm's mail: the main mailbox
    starts with the active managers, another one with nobody, and the director's later
    choice is not undone by the next start."""
    config = Config(
        imap=ImapSection(host="imap.test", user="shop@example.test"),
        mailboxes=(MailboxSection(code="sales", name="Продажи", address="sales@example.test",
                                  imap_host="imap.test", imap_user="sales@example.test"),),
    )  # fmt: skip
    boxes = mailboxes.sync(config)
    managers = {staff["manager"].name, staff["manager2"].name}
    assert {e.name for e in mailboxes.members_of(boxes["main"].id)} == managers
    assert mailboxes.members_of(boxes["sales"].id) == []
    mailboxes.set_members(actors["director"], boxes["main"].id, [staff["manager"].id])
    mailboxes.sync(config)
    assert [e.name for e in mailboxes.members_of(boxes["main"].id)] == [staff["manager"].name]


def test_only_the_director_sets_members_and_only_managers_can_be_members(boxes, actors, staff):
    sales = boxes["sales"]
    with pytest.raises(AccessDenied):
        mailboxes.set_members(actors["manager"], sales.id, [staff["manager"].id])
    with pytest.raises(ValidationError, match="только действующим менеджерам"):
        mailboxes.set_members(actors["director"], sales.id, [staff["executor"].id])
    mailboxes.set_members(actors["director"], sales.id, [staff["manager"].id])
    assert [e.name for e in mailboxes.members_of(sales.id)] == [staff["manager"].name]


def test_access_matrix_for_letters_of_a_mailbox(boxes, actors, staff, world):
    """maria reads "sales", oleg does not; messenger chats are every manager's; an executor
    sees no inbox. Every way to reach a sales letter answers oleg as if it did not exist."""
    mailboxes.set_members(actors["director"], boxes["sales"].id, [staff["manager"].id])
    both = [staff["manager"].id, staff["manager2"].id]
    mailboxes.set_members(actors["director"], boxes["main"].id, both)
    secret = letter(boxes["sales"], "x@client.test", "Секретный макет", "цена 5000",
                    order=world["own"].id, client=world["c1"].id)  # fmt: skip
    common = letter(boxes["main"], "y@client.test", "Общий вопрос")
    chat = threads.record_incoming(world["c1"].id, "Когда готово?", channel="telegram")

    def listed(who, **kw):
        return {d.id for d in inbox.inbox_page(actors[who], inbox.InboxFilter(**kw))}

    expect = {
        "director": {secret.dialogue_id, common.dialogue_id, chat.dialogue_id},
        "manager": {secret.dialogue_id, common.dialogue_id, chat.dialogue_id},
        "manager2": {common.dialogue_id, chat.dialogue_id},
    }
    for who, ids in expect.items():
        assert listed(who) == ids, who
        assert (secret.dialogue_id in listed(who, query="секретный")) == (who != "manager2")
        assert (secret.dialogue_id in listed(who, query="5000")) == (who != "manager2")
        seen = {m.id for m in threads.thread_of(actors[who], world["own"].id)}
        assert (secret.id in seen) == (who != "manager2"), who
        assert can_see_message(actors[who], secret) == (who != "manager2")
    with pytest.raises(NotFound):
        inbox.open_dialogue(actors["manager2"], secret.dialogue_id)
    with pytest.raises(NotFound):
        inbox.letter_of(actors["manager2"], secret.id)
    with pytest.raises(NotFound):
        inbox.assign(actors["manager2"], secret.dialogue_id, staff["manager2"].id)
    with pytest.raises(AccessDenied):
        inbox.inbox_page(actors["executor"], inbox.InboxFilter())
    hidden = Message.select().where(visible_message_filter(actors["manager2"]))
    assert secret.id not in {m.id for m in hidden}
    assert (
        Message.select()
        .where(Message.id == secret.id)
        .where(visible_message_filter(actors["manager"]))
        .exists()
    )


def test_threading_filters_and_actions(boxes, actors, staff):
    first = letter(boxes["main"], "a@c.test", "Баннер", external_id="<1@c>")
    reply = Message.create(direction="in", channel="email", sender="a@c.test", subject="Re: Баннер",
                           text="а цвет?", external_id="<2@c>")  # fmt: skip
    inbox.file_letter(reply, boxes["main"], in_reply_to="<1@c>")
    other = letter(boxes["sales"], "b@c.test", "Визитки")
    assert reply.dialogue_id == first.dialogue_id != other.dialogue_id
    director = actors["director"]
    mailboxes.set_members(director, boxes["sales"].id, [staff["manager"].id])

    assert [
        d.id for d in inbox.inbox_page(director, inbox.InboxFilter(mailbox_id=boxes["sales"].id))
    ] == [other.dialogue_id]
    inbox.assign(director, other.dialogue_id, staff["manager"].id)
    mine = inbox.InboxFilter(assignee_id=staff["manager"].id)
    assert [d.id for d in inbox.inbox_page(director, mine)] == [other.dialogue_id]
    assert [d.id for d in inbox.inbox_page(director, inbox.InboxFilter(assignee_id=0))] == [
        first.dialogue_id
    ]
    with pytest.raises(ValidationError, match="нет доступа к этому ящику"):
        inbox.assign(director, other.dialogue_id, staff["manager2"].id)

    dialogue, rows = inbox.open_dialogue(director, first.dialogue_id)
    assert [m.id for m in rows] == [first.id, reply.id] and dialogue.unread == 0
    assert not inbox.inbox_page(
        director, inbox.InboxFilter(unread=True, mailbox_id=boxes["main"].id)
    )

    inbox.set_status(director, first.dialogue_id, "spam")
    assert first.dialogue_id not in {d.id for d in inbox.inbox_page(director, inbox.InboxFilter())}
    more = Message.create(direction="in", channel="email", sender="a@c.test", subject="Re: Баннер",
                          text="ещё", external_id="<3@c>")  # fmt: skip
    inbox.file_letter(more, boxes["main"], in_reply_to="<2@c>")
    assert Dialogue.get_by_id(first.dialogue_id).status == "spam"  # spam stays spam

    inbox.set_status(director, other.dialogue_id, "closed")
    letter(boxes["sales"], "b@c.test", "RE: визитки")
    assert Dialogue.get_by_id(other.dialogue_id).status == "open"  # a new letter reopens


def test_a_messenger_chat_joins_the_clients_conversation_on_that_channel(actors, world):
    a = threads.record_incoming(world["c1"].id, "Привет", channel="telegram")
    b = threads.record_incoming(
        world["c1"].id, "Готово?", channel="telegram", order_id=world["own"].id
    )
    c = threads.record_incoming(world["c1"].id, "Это я в вайбере", channel="viber")
    assert a.dialogue_id == b.dialogue_id != c.dialogue_id
    dialogue = Dialogue.get_by_id(a.dialogue_id)
    assert (dialogue.unread, dialogue.order_id, dialogue.contact_name) == (
        2, world["own"].id, world["c1"].name,
    )  # fmt: skip
