"""Issue 23, item 5: a client writes «стоп» / «отписаться» in any channel and gets no more
mailings (messages about their own orders still come); «подписаться» takes it back. It is
the client's choice, not the dialog's «отмена»: staff keep «стоп» as cancel. The card shows
the choice and when and where it was made."""

from __future__ import annotations

from core.base.clock import format_datetime
from core.base.config import Config
from core.base.money import rubles
from core.clients.clients import create_client, mailing_choice, update_client
from core.clients.models import Client
from core.conversations import bulk, outbox
from core.conversations.models import Message, Notification
from core.orders.orders import create_order
from core.people.staff import create_invite
from tests.admin.conftest import login
from tests.bots.conftest import Chat
from tests.fakes.channels import firm_sends_sms_and_mail
from tests.fakes.memory_store import MemoryStore


def _bound(deps, actors, name, phone, channel):
    client = create_client(actors["manager"], name, phone)
    chat = Chat(deps, f"{channel}-{phone[-4:]}", channel)
    chat.say(f"/start {create_invite(actors['manager'], client_id=client.id).code}")
    assert name in chat.text, chat.text
    return client, chat


def test_stop_in_a_messenger_ends_mailings_not_order_messages(deps, actors, staff):
    firm_sends_sms_and_mail()
    anna, telegram = _bound(deps, actors, "Орлова Анна", "+79120000071", "telegram")
    boris, max_chat = _bound(deps, actors, "Борисов Борис", "+79120000072", "max")
    for client in (anna, boris):
        create_order(actors["manager"], client.id, "Баннер", rubles(1_000))
    Message.delete().execute()

    telegram.say("Стоп")
    assert "Вы отписаны от рассылок" in telegram.text and "о ваших заказах" in telegram.text
    max_chat.say("отписаться!")
    assert "Вы отписаны от рассылок" in max_chat.text
    assert not Message.select().exists()  # a choice, not a message for the manager
    for client, via in ((anna, "в Telegram"), (boris, "в MAX")):
        client = Client.get_by_id(client.id)
        assert client.opt_out and client.opt_out_at is not None
        assert mailing_choice(client) == (
            f"отказался от рассылок — {format_datetime(client.opt_out_at)} {via}"
        )

    report = bulk.bulk_message(actors["manager"], "Скидки недели", with_debt=True)
    assert (report.matched, report.queued, report.skipped_opt_out) == (2, 0, 2)
    ready = outbox.notify_client(Client.get_by_id(anna.id), "Заказ готов", key="ready")
    assert ready.kind != bulk.MAILING  # readiness is not a mailing: it is queued and goes

    telegram.say("подписаться")
    assert "снова подписаны" in telegram.text
    assert not Client.get_by_id(anna.id).opt_out
    assert bulk.bulk_message(actors["manager"], "Скидки", with_debt=True).queued == 1


def test_stop_in_the_middle_of_a_question_is_still_the_clients_choice(deps, actors, staff):
    anna, chat = _bound(deps, actors, "Орлова Анна", "+79120000073", "vk")
    for title in ("Баннер", "Визитки"):  # two open orders: the bot asks which one
        create_order(actors["manager"], anna.id, title, rubles(1_000))
    chat.say("Когда будет готово?")
    assert "К какому заказу" in chat.text
    chat.say("стоп")
    assert "Вы отписаны от рассылок" in chat.text and Client.get_by_id(anna.id).opt_out
    chat.say("Спасибо")
    assert "К какому заказу" in chat.text  # the question was dropped, not answered with «стоп»


def test_staff_stop_is_still_cancel(join, staff):
    crew = join("executor")
    crew.say("расход")
    crew.say("стоп")
    assert "Отменено" in crew.text and "рассыл" not in crew.text


def test_the_card_shows_the_choice_and_a_manager_may_change_it(deps, actors, staff):
    from admin.app import create_app

    anna, chat = _bound(deps, actors, "Орлова Анна", "+79120000074", "telegram")
    manager = login(create_app(Config(), file_store=MemoryStore(), testing=True), "manager")
    page = manager.get(f"/admin/client/card/?id={anna.id}").get_data(as_text=True)
    assert "получает рассылки" in page
    chat.say("стоп")
    at = format_datetime(Client.get_by_id(anna.id).opt_out_at)
    page = manager.get(f"/admin/client/card/?id={anna.id}").get_data(as_text=True)
    assert f"отказался от рассылок — {at} в Telegram" in page
    update_client(actors["manager"], anna.id, opt_out=False)  # the client asked by phone
    changed = Client.get_by_id(anna.id)
    assert not changed.opt_out and changed.opt_out_via == "manager"
    assert "сотрудник в карточке" in mailing_choice(changed)
    assert Notification.select().where(Notification.kind == bulk.MAILING).count() == 0
