"""The flows driven directly: plain Incoming in, Replies out, on the real database."""

from __future__ import annotations

from datetime import timedelta

from bots.flows import Incoming, handle
from core.access import SYSTEM
from core.base.clock import local_today, utcnow
from core.base.money import rubles
from core.clients.clients import create_client
from core.clients.models import Invite, MessengerLink
from core.conversations.models import Message, Notification
from core.files.models import Attachment
from core.money.cash import account_of, balance
from core.money.models import CashMovement
from core.orders.models import Order, StageMove
from core.orders.orders import create_order
from core.people.staff import create_invite, deactivate_employee
from tests.bots.conftest import Chat


def issue(director: Chat, who: str, amount: str) -> None:
    director.tap(director.button(who) if director.buttons() else "")


# --- joining -----------------------------------------------------------------------------
def test_an_invite_binds_the_account_once(deps, staff):
    invite = create_invite(SYSTEM, employee_id=staff["executor"].id)
    chat = Chat(deps, "42")
    chat.say(f"/start {invite.code}")
    assert "Иван Монтажников" in chat.text and chat.last[0].menu
    link = MessengerLink.get(MessengerLink.external_id == "42")
    assert link.employee_id == staff["executor"].id
    other = Chat(deps, "43")
    other.say(f"/start {invite.code}")
    assert "уже использовано" in other.text
    assert MessengerLink.select().count() == 1


def test_unknown_and_expired_codes_are_refused(deps, staff):
    chat = Chat(deps, "50")
    chat.say("/start nosuchcode123")
    assert "не найден" in chat.text
    invite = create_invite(SYSTEM, employee_id=staff["executor"].id)
    Invite.update(expires_at=utcnow() - timedelta(minutes=1)).where(
        Invite.id == invite.id
    ).execute()
    chat.say(f"/start {invite.code}")
    assert "истёк" in chat.text
    assert MessengerLink.select().count() == 0


def test_a_deactivated_employee_gets_nothing(join, staff, deps):
    chat = join("executor")
    deactivate_employee(SYSTEM, staff["executor"].id)
    chat.say("баланс")
    assert "₽" not in chat.text  # from now on they write as anyone from outside (a lead)
    chat.say("бензин 1000")
    assert CashMovement.select().count() == 0


# --- the money story of the second request ---------------------------------------------
def test_advance_expenses_and_balance(join, staff, store):
    director, crew = join("director"), join("executor")
    director.say("💸 Выдать под отчёт")
    director.tap(director.button("Иван"))
    director.say("10 000")
    assert "10 000,00 ₽" in director.text
    crew.photo(caption="бензин 1000")
    assert "Бензин — 1 000,00 ₽" in crew.text and "Осталось на руках: 9 000,00 ₽" in crew.text
    crew.photo(caption="материалы 5000")
    assert "Осталось на руках: 4 000,00 ₽" in crew.text
    crew.say("баланс")
    assert "На руках: 4 000,00 ₽" in crew.text and "Бензин" in crew.text
    expenses = list(CashMovement.select().where(CashMovement.kind == "expense"))
    assert len(expenses) == 2 and all(e.receipt_id for e in expenses)
    assert all(store.exists(e.receipt.storage_key) for e in expenses)


def test_a_replayed_update_changes_nothing(join, staff, deps):
    crew = join("executor")
    incoming = Incoming("telegram", crew.external_id, text="бензин 1000", update_key="999")
    assert handle(incoming, deps)
    assert handle(incoming, deps) == []
    assert CashMovement.select().count() == 1


def test_captions_in_the_crews_own_words(join, staff):
    crew = join("executor")
    crew.say("моя заправка, потратил 1000 рублей")
    assert "Бензин — 1 000,00 ₽" in crew.text
    crew.say("купил материалы 5 000 р.")
    assert "Материалы — 5 000,00 ₽" in crew.text
    crew.say("материалы 5000 кабель")
    assert "Материалы — 5 000,00 ₽" in crew.text and "кабель" in crew.text


def test_an_unclear_caption_gets_category_buttons(join, staff):
    crew = join("executor")
    crew.photo(caption="потратил 700")
    assert "На что потратили 700,00 ₽" in crew.text
    crew.tap(crew.button("Инструмент"))
    assert "Инструмент — 700,00 ₽" in crew.text
    move = CashMovement.get()
    assert move.category.name == "Инструмент" and move.receipt_id is not None


def test_a_photo_without_caption_asks_what_it_is(join, staff):
    crew = join("executor")
    crew.photo()
    crew.tap(crew.button("Чек"))
    assert "Сколько потратили" in crew.text
    crew.say("сколько-то")
    assert "Не понимаю сумму" in crew.text
    crew.say("850")
    crew.tap(crew.button("Бензин"))
    assert "Бензин — 850,00 ₽" in crew.text
    assert CashMovement.get().receipt_id is not None


def test_bad_sums_write_nothing(join, staff):
    crew = join("executor")
    crew.say("бензин -1000")
    assert "отрицательной" in crew.text
    crew.say("бензин 999999999999")
    assert "слишком большая" in crew.text
    assert CashMovement.select().count() == 0


def test_a_non_image_sent_as_a_photo_is_refused(join, staff, store):
    crew = join("executor")
    crew.photo(data=b"%PDF-1.4 not a picture", caption="бензин 1000")
    assert "не является изображением" in crew.text
    assert CashMovement.select().count() == 0 and Attachment.select().count() == 0
    assert store.files == {}


def test_handover_and_cash_from_a_client(join, staff, actors):
    director, crew = join("director"), join("executor")
    client = create_client(actors["manager"], "Петров Пётр", "+79120000001")
    order = create_order(actors["manager"], client.id, "Щиток", rubles(8000),
                         executor_id=staff["executor"].id)  # fmt: skip
    crew.say(f"/order {order.number}")
    crew.tap(crew.button("Получил оплату"))
    crew.say("3000")
    assert "3 000,00 ₽" in crew.text and "Осталось на руках: 3 000,00 ₽" in crew.text
    assert Order.get_by_id(order.id).paid == rubles(3000)
    crew.say("📤 Сдать деньги")
    crew.tap(crew.button("Всё"))
    assert "Осталось на руках: 0,00 ₽" in crew.text
    director.say("баланс")
    assert "Основная касса: 3 000,00 ₽" in director.text


def test_only_the_director_issues_money(join, staff):
    manager = join("manager")
    manager.say("/advance")
    assert "только директор" in manager.text
    manager.tap(f"adv:{staff['executor'].id}")
    assert "только директор" in manager.text
    assert CashMovement.select().count() == 0


def test_text_where_a_number_is_expected_keeps_the_question(join, staff):
    director = join("director")
    director.say("/advance")
    director.tap(director.button("Иван"))
    director.say("десять тысяч")
    assert "Не понимаю сумму" in director.text
    director.say("-5")
    assert "отрицательной" in director.text
    director.say("10000")
    assert balance(account_of(staff["executor"])) == rubles(10000)


# --- the counter order -----------------------------------------------------------------
def test_a_repeat_client_order_takes_four_messages(join, staff, actors):
    manager = join("manager")
    client = create_client(actors["manager"], "Иванов Иван", "+79123456789")
    create_order(actors["manager"], client.id, "Визитки", rubles(1500))
    manager.say("ива")  # 1
    manager.tap(manager.button("Иванов"))  # 2
    manager.say("Баннер 3х6, 4500, до пятницы")  # 3
    assert "Стоимость: 4 500,00 ₽" in manager.text
    manager.tap("draft:create")  # 4
    order = Order.select().order_by(Order.id.desc()).get()
    assert f"Заказ №{order.number} принят" in manager.text
    assert order.description == "Баннер 3х6" and order.cost == rubles(4500)
    assert order.due_date.weekday() == 4 and order.due_date > local_today()
    assert order.client_id == client.id and order.source == "counter"


def test_a_new_client_by_phone_with_advance_and_executor(join, staff):
    manager = join("manager")
    manager.say("8 912 555-44-33")
    assert "не нашлось" in manager.text
    manager.tap("cl:new")
    manager.say("Сидоров Семён")
    manager.say("Визитки 1000 шт, 3500, завтра, аванс 1000")
    manager.tap("draft:executor")
    manager.tap(manager.button("Пётр"))
    manager.tap("draft:create")
    order = Order.select().order_by(Order.id.desc()).get()
    assert order.client.phone == "+79125554433" and order.paid == rubles(1000)
    assert order.executor_id == staff["executor2"].id
    note = Notification.get(Notification.audience == "staff")
    assert note.buttons == [[["➡️ В работе", f"movego:{order.id}:{order.stage_id}"]],
                            [["Открыть заказ", f"order:{order.number}"]]]  # fmt: skip
    manager.photo()
    assert "Приложено к заказу" in manager.text
    assert Attachment.get().order_id == order.id


def test_counter_refuses_bad_cost_and_advance_over_cost(join, staff, actors):
    manager = join("manager")
    client = create_client(actors["manager"], "Кузнецов", "+79120000002")
    manager.say("куз")
    manager.tap(f"cl:{client.id}")
    manager.say("Листовки")
    manager.say("дорого")
    assert "Не понимаю сумму" in manager.text
    manager.say("2000")
    manager.tap("draft:advance")
    manager.say("5000")
    manager.tap("draft:create")
    assert "Аванс больше стоимости" in manager.text
    assert Order.select().count() == 0


def test_the_dialog_continues_on_another_channel(join, staff, actors, deps):
    manager = join("manager")
    web = join("manager", channel="web", external_id="session-1")
    client = create_client(actors["manager"], "Иванов Иван", "+79123456789")
    manager.say("ива")
    manager.tap(f"cl:{client.id}")
    web.say("Баннер, 4500")
    assert "Проверьте заказ" in web.text
    web.tap("draft:create")
    assert Order.select().count() == 1


# --- executors' tasks ------------------------------------------------------------------
def _orders(actors, staff, n=1, executor="executor"):
    client = create_client(actors["manager"], "Смирнов", "+79120000003")
    return [
        create_order(
            actors["manager"],
            client.id,
            f"Монтаж {i}",
            rubles(1000 + i),
            executor_id=staff[executor].id,
            due_date=local_today(),
        )  # fmt: skip
        for i in range(n)
    ]


def test_my_tasks_are_paginated_and_hide_money(join, staff, actors):
    crew = join("executor")
    orders = _orders(actors, staff, n=10)
    crew.say("📋 Мои задачи")
    assert (
        "стр. 1" in crew.text and len([b for b in crew.buttons() if b[1].startswith("order:")]) == 8
    )
    crew.tap(crew.button("Дальше"))
    assert "стр. 2" in crew.text
    crew.tap(f"order:{orders[0].number}")
    assert "Монтаж 0" in crew.text and "₽" not in crew.text


def test_someone_elses_order_is_not_found(join, staff, actors):
    crew = join("executor2")
    order = _orders(actors, staff)[0]
    crew.say(f"/order {order.number}")
    hidden = crew.text
    crew.say("/order 987654")
    assert hidden == crew.text.replace("987654", str(order.number))
    assert "Смирнов" not in hidden and "Монтаж" not in hidden
    for payload in (f"move:{order.id}:{order.stage_id}", f"proof:{order.id}", f"ask:{order.id}",
                    f"cash:{order.id}", f"attach:{order.id}", f"movego:{order.id}:{order.stage_id}"):  # fmt: skip
        crew.tap(payload)
        assert "не найден" in crew.text and "Смирнов" not in crew.text
    assert StageMove.select().count() == 1


def test_next_stage_with_a_comment_and_job_done_with_proof(join, staff, actors, store):
    crew = join("executor")
    order = _orders(actors, staff)[0]
    crew.tap(f"order:{order.number}")
    crew.tap(crew.button("С комментарием"))
    crew.say("начал, материал есть")
    assert "переведён в «В работе»" in crew.text
    move = StageMove.select().order_by(StageMove.id.desc()).get()
    assert move.comment == "начал, материал есть"
    crew.tap(crew.button("Сдать с фото бланка"))
    crew.say("вот")
    assert "Жду фото" in crew.text
    crew.photo()
    assert "«Выполнен»" in crew.text
    proof = Attachment.get(Attachment.kind == "proof")
    assert proof.order_id == order.id and store.exists(proof.storage_key)
    crew.tap(f"movego:{order.id}:{move.to_stage_id}")  # a stale button
    assert "уже в статусе «Выполнен»" in crew.text


def test_a_question_to_the_client_goes_into_the_thread(join, staff, actors):
    crew = join("executor")
    order = _orders(actors, staff)[0]
    crew.tap(f"ask:{order.id}")
    crew.say("Какой цвет кабель-канала?")
    message = Message.get()
    assert message.order_id == order.id and message.direction == "out"
    assert Notification.select().where(Notification.audience == "client").count() >= 1


# --- the client side -------------------------------------------------------------------
def test_a_client_joins_and_writes_into_the_order(deps, staff, actors):
    client = create_client(actors["manager"], "Орлова Анна", "+79120000004")
    first = create_order(actors["manager"], client.id, "Баннер", rubles(3000))
    invite = create_invite(actors["manager"], client_id=client.id)
    chat = Chat(deps, "c-1")
    chat.say(f"/start {invite.code}")
    assert "Орлова Анна" in chat.text
    chat.say("Когда будет готово?")
    assert Message.get().order_id == first.id and Order.get_by_id(first.id).unread == 1
    second = create_order(actors["manager"], client.id, "Визитки", rubles(900))
    chat.say("И визитки тоже")
    chat.tap(f"cthread:{second.id}")
    assert Message.select().where(Message.order == second.id).count() == 1
    chat.say("📦 Мои заказы")
    assert f"№{first.number} — Принят" in chat.text and "к оплате 3 000,00 ₽" in chat.text


def test_a_client_by_shared_phone_sees_only_own_orders(deps, staff, actors):
    mine = create_client(actors["manager"], "Орлова Анна", "+79120000004")
    other = create_client(actors["manager"], "Чужой", "+79120000005")
    create_order(actors["manager"], mine.id, "Баннер", rubles(3000))
    foreign = create_order(actors["manager"], other.id, "Секрет", rubles(9000))
    chat = Chat(deps, "c-2")
    chat.contact("8 912 000-00-04")
    assert "Орлова Анна" in chat.text
    chat.tap(f"order:{foreign.number}")
    assert "не найден" in chat.text and "Секрет" not in chat.text
    chat.tap(f"cthread:{foreign.id}")
    assert Message.select().count() == 0
    unknown = Chat(deps, "c-3")
    unknown.contact("+79990001122")  # a new person: a lead, sees no order
    assert "Менеджер свяжется" in unknown.text and "Секрет" not in unknown.text
