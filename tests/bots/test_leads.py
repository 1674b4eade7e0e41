"""Strangers become leads on every channel: welcomed, asked for a name and a phone, every
word and file kept in an inbox conversation, the manager told; a typed phone never links
to a client by itself, a verified contact may; a lead becomes an order in one step."""

from __future__ import annotations

import pytest

from bots.flows import lead as lead_flow
from core.access import SYSTEM, actor_for_employee
from core.base.config import Config
from core.base.errors import AccessDenied, ValidationError
from core.base.money import rubles
from core.clients import leads
from core.clients.clients import create_client
from core.clients.models import Client, MessengerLink
from core.conversations.models import Dialogue, Message, Notification
from core.files.attachments import files_of
from core.files.models import Attachment
from core.orders.models import Order
from core.orders.orders import create_order
from core.people.staff import create_invite, deactivate_employee
from scheduler.deliverer import Deliverer
from tests.bots.conftest import Chat, jpeg
from tests.fakes.channels import FakeSender


def _told(employee_id: int) -> list[str]:
    rows = Notification.select().where(
        (Notification.audience == "staff") & (Notification.employee == employee_id)
    )
    return [n.text for n in rows]


@pytest.fixture
def known(actors):
    """An existing client with an order a stranger must never see."""
    client = create_client(actors["manager"], "Орлова Анна", "+79120000004")
    create_order(actors["manager"], client.id, "Баннер секретный 3×1", rubles(3000))
    return client


@pytest.mark.parametrize("channel", ["telegram", "viber", "web", "vk", "max"])
def test_a_stranger_on_any_channel_becomes_a_lead_and_nothing_is_dropped(
    deps, staff, known, channel, store
):
    chat = Chat(deps, f"s-{channel}", channel, "Пётр")
    chat.say("Здравствуйте, сколько стоит визитки 1000 шт?")
    assert "Как к вам обращаться" in chat.text and "Позвоните" not in chat.text
    lead = Client.get(Client.is_lead)
    assert lead.source == channel
    dialogue = Dialogue.get(Dialogue.client == lead.id)
    assert dialogue.channel == channel and dialogue.kind == "outside"
    assert dialogue.assignee_id == staff["manager"].id  # the responsible manager
    # one notice for the first word, naming the channel and quoting it
    told = _told(staff["manager"].id)
    assert len(told) == 1 and "Новое обращение" in told[0] and "визитки 1000" in told[0]
    chat.photo(jpeg("blue"), caption="вот макет")  # a file in the middle of the questions
    assert "Файл получен" in chat.text and "обращаться" in chat.text
    chat.say("Пётр Сидоров")
    assert "телефон" in chat.text and chat.last[0].ask_contact
    chat.say("не скажу")
    assert "Не похоже на номер" in chat.text
    chat.say("8 912 555-44-33")
    assert "Менеджер свяжется" in chat.text
    lead = Client.get_by_id(lead.id)
    assert (lead.name, lead.phone, lead.is_lead) == ("Пётр Сидоров", "+79125554433", True)
    texts = [m.text for m in Message.select().where(Message.dialogue == dialogue.id)]
    for said in ("Здравствуйте, сколько стоит визитки 1000 шт?", "вот макет", "Пётр Сидоров",
                 "не скажу", "8 912 555-44-33"):  # fmt: skip
        assert said in texts
    photo = Attachment.get(Attachment.client == lead.id)
    assert store.read(photo.storage_key) == jpeg("blue")
    chat.say("/orders")
    assert "Баннер секретный" not in chat.text and "№" not in chat.text


def test_a_typed_phone_of_a_client_never_links_the_manager_confirms(deps, staff, actors, known):
    chat = Chat(deps, "t-typed", "telegram", "Анна")
    chat.say("Когда будет готов мой баннер?")
    chat.say("Анна")
    chat.say("+7 912 000-00-04")  # the known client's number, typed by anyone
    chat.say("+7 912 000-00-04")  # and again: still a lead, the manager asked once
    lead = Client.get(Client.is_lead)
    assert lead.id != known.id and lead.phone is None
    assert MessengerLink.get(MessengerLink.external_id == "t-typed").client_id == lead.id
    chat.say("мои заказы")
    assert "Баннер секретный" not in chat.text
    assert sum("Это клиент" in t for t in _told(staff["manager"].id)) == 1
    dialogue = Dialogue.get(Dialogue.client == lead.id)
    with pytest.raises(AccessDenied):  # an executor does not decide who is who
        leads.confirm_client(actors["executor"], dialogue.id, known.id)
    leads.confirm_client(actors["manager"], dialogue.id, known.id)
    assert Client.get_or_none(Client.id == lead.id) is None
    assert Dialogue.get_by_id(dialogue.id).client_id == known.id
    assert Message.select().where(Message.client == known.id).count() >= 3
    chat.say("мои заказы")
    assert "Баннер секретный" in chat.text


def test_a_verified_contact_links_a_known_client(deps, known):
    chat = Chat(deps, "t-verified", "telegram", "Анна")
    chat.say("Добрый день")
    assert Client.select().where(Client.is_lead).count() == 1
    chat.contact("+79120000004")
    assert "Орлова Анна" in chat.text
    assert Client.select().where(Client.is_lead).count() == 0
    assert Message.get(Message.text == "Добрый день").client_id == known.id
    chat.say("мои заказы")
    assert "Баннер секретный" in chat.text


def test_a_verified_contact_as_the_first_word_of_a_new_person(deps, staff):
    chat = Chat(deps, "t-first", "viber", "Олег")
    chat.contact("+79125550000")
    lead = Client.get(Client.is_lead)
    assert lead.phone == "+79125550000" and lead.source == "viber"


def test_an_invite_code_still_joins_a_stranger_and_a_lead(deps, staff):
    code = create_invite(SYSTEM, employee_id=staff["executor"].id).code
    chat = Chat(deps, "t-new-employee", "web", "Иван")
    chat.say("Здравствуйте, я новенький")  # wrote before getting the code: a lead for now
    chat.say(code)
    assert "Вы подключены" in chat.text
    link = MessengerLink.get(MessengerLink.external_id == "t-new-employee")
    assert link.employee_id == staff["executor"].id and link.client_id is None


def test_a_deactivated_employee_writes_as_anyone_from_outside(join, staff):
    chat = join("executor")
    deactivate_employee(SYSTEM, staff["executor"].id)
    chat.say("баланс")
    assert "₽" not in chat.text and "Как к вам обращаться" in chat.text
    assert MessengerLink.get(MessengerLink.external_id == chat.external_id).employee_id is None


def test_a_lead_becomes_an_order_in_one_tap_from_the_bot(deps, staff, join):
    chat = Chat(deps, "t-lead", "telegram", "Пётр")
    chat.say("Нужен баннер 3 на 6")
    manager = join("manager")
    manager.say("🆕 Обращения")
    assert "Пётр" in manager.text and "Telegram" in manager.text
    manager.tap(manager.button("Заказ: Пётр"))
    assert "Заказ №" in manager.text
    order = Order.get()
    assert order.source == "telegram" and order.description == "Нужен баннер 3 на 6"
    assert Message.get(Message.text == "Нужен баннер 3 на 6").order_id == order.id
    assert not Client.get_by_id(order.client_id).is_lead
    assert Dialogue.get(Dialogue.client == order.client_id).order_id == order.id
    chat.say("мои заказы")
    assert f"№{order.number}" in chat.text
    with pytest.raises(ValidationError):  # only once
        leads.order_from_lead(actor_for_employee(staff["manager"]), order.client_id)


def test_a_leads_files_move_with_it_into_the_order(deps, staff, store):
    """Item 17: «Оформить заказ» takes the lead's photos and files along with its words."""
    chat = Chat(deps, "t-files", "telegram", "Пётр")
    chat.say("Нужен баннер")
    chat.photo(jpeg("red"), caption="вот макет")
    chat.document(b"%PDF-1.4 plan", "план.pdf", "application/pdf")
    lead = Client.get(Client.is_lead)
    order = leads.order_from_lead(actor_for_employee(staff["manager"]), lead.id)
    mine = files_of(actor_for_employee(staff["manager"]), order.id, kinds=None)
    assert (
        sorted(a.original_name for a in mine)
        == sorted(a.original_name for a in Attachment.select())
        and len(mine) == 2
    )
    assert {a.order_id for a in Attachment.select()} == {order.id}


@pytest.mark.parametrize("what", ["photo", "document"])
def test_a_strangers_file_only_first_message_reaches_the_assigned_manager(deps, staff, join, what):
    """Item 18: the conversation's manager hears of a file sent as the first word (the
    director, who has no messenger here, is not the one asked)."""
    manager = join("manager")
    stranger = Chat(deps, "t-file-first", "telegram", "Пётр")
    if what == "photo":
        stranger.photo(jpeg("blue"))
    else:
        stranger.document(b"%PDF-1.4 plan", "план.pdf", "application/pdf")
    dialogue = Dialogue.get()
    assert dialogue.assignee_id == staff["manager"].id
    notes = list(Notification.select().where(Notification.audience == "staff"))
    assert [n.employee_id for n in notes] == [staff["manager"].id]
    assert "Новое обращение (Telegram): Пётр" in notes[0].text
    telegram = FakeSender("telegram")
    Deliverer({"telegram": telegram}, Config(), sleep=lambda s: None).run_once()
    assert [m.address for m in telegram.sent] == [manager.external_id]
    assert Notification.get_by_id(notes[0].id).status == "sent"


def test_the_first_words_ask_for_the_name():
    assert "{firm}" in lead_flow.ASK_NAME


def test_a_firm_named_in_quotes_is_greeted_in_inner_quotes(staff, store):
    """Issue 28, quotes inside quotes: a firm called ООО «Ромашка» is «ООО „Ромашка“» in the
    greeting, not «ООО «Ромашка»»."""
    import dataclasses

    from bots.flows import Deps
    from core.base.config import AppSection

    deps = Deps(
        store=store, config=Config(app=dataclasses.replace(AppSection(), name="ООО «Ромашка»"))
    )
    stranger = Chat(deps, "stranger-quotes", "telegram", "Пётр")
    stranger.say("/start")
    assert "Это чат «ООО „Ромашка“»." in stranger.text
    stranger.say("Сколько стоит баннер?")
    assert "написали в «ООО „Ромашка“»." in stranger.text
    assert "»»" not in stranger.text
