"""Issue 28, the chat counted. The rule, one for every count here: each message a person
sends and each button they tap is one action; what the bot answers costs nothing.

- a new client's order at the counter: the name typed in the search is not asked again;
- the next stage: one tap from the order card and one from the push that brought the order
  (the card in the admin keeps its one click)."""

from __future__ import annotations

from core.base.money import rubles
from core.clients.models import Client
from core.conversations.models import Notification
from core.orders.models import Order, StageMove
from core.orders.orders import create_order
from tests.bots.conftest import Chat


class Counted:
    """A chat whose every message and tap is counted (the rule above)."""

    def __init__(self, chat: Chat):
        self.chat, self.actions, self.seen = chat, 0, []

    def say(self, text: str):
        self.actions += 1
        self.chat.say(text)
        self.seen.append(self.chat.text)

    def tap(self, label_part: str):
        self.actions += 1
        self.chat.tap(self.chat.button(label_part))
        self.seen.append(self.chat.text)

    @property
    def text(self) -> str:
        return self.chat.text


def test_new_client_at_the_counter_is_named_once(join, staff):
    manager = Counted(join("manager"))
    manager.say("Смирнова Ольга 8 916 555-44-33")
    manager.tap("Новый клиент «Смирнова Ольга»")
    assert "Что делаем" in manager.text  # straight to the order line: no second name question
    manager.say("Баннер 2×1 м, 12500, аванс 5000, завтра")
    manager.tap("Создать")
    assert "принят" in manager.text
    assert not [t for t in manager.seen if "Как зовут" in t]
    assert manager.actions == 4
    client = Client.get(Client.phone == "+79165554433")
    assert client.name == "Смирнова Ольга"
    order = Order.get(Order.client == client.id)
    assert order.cost == rubles(12500) and order.paid == rubles(5000) and order.due_date


def test_new_client_by_name_only_then_phone_later(join, staff):
    manager = Counted(join("manager"))
    manager.say("Кузнецов Пётр")
    manager.tap("Новый клиент «Кузнецов Пётр»")
    assert "Что делаем" in manager.text
    assert Client.get(Client.name == "Кузнецов Пётр").phone in (None, "")
    # A phone alone still asks for the name: there is none to take.
    manager.chat.say("/cancel")
    manager.say("8 916 555-00-11")
    manager.tap("Новый клиент")
    assert "Как зовут нового клиента" in manager.text


def _last_move(order: Order) -> StageMove:
    return StageMove.select().where(StageMove.order == order.id).order_by(StageMove.id.desc()).get()


def test_next_stage_in_one_tap_from_the_card_and_from_the_push(join, staff, actors, deps):
    crew = Counted(join("executor"))
    client = Client.create(name="Смирнов", phone="+79120000003")
    order = create_order(actors["manager"], client.id, "Монтаж щитка", rubles(9000),
                         executor_id=staff["executor"].id)  # fmt: skip
    # The push that brought the order carries the next stage: one tap from it.
    push = Notification.get((Notification.audience == "staff") & (Notification.order == order.id)
                            & (Notification.employee == staff["executor"].id))  # fmt: skip
    label, payload = push.buttons[0][0]
    assert label == "➡️ В работе"
    crew.actions += 1
    crew.chat.tap(payload)
    assert crew.actions == 1 and "переведён в «В работе»" in crew.text
    assert Order.get_by_id(order.id).stage.name == "В работе"
    # From the card: one tap.
    crew.chat.tap(f"order:{order.number}")
    before = crew.actions
    crew.tap("➡️ Выполнен")
    assert crew.actions - before == 1 and "переведён в «Выполнен»" in crew.text
    assert _last_move(Order.get_by_id(order.id)).to_stage.name == "Выполнен"
    # An old push tapped again moves nothing: the order is no longer where it found it.
    crew.chat.tap(payload)
    assert "уже в статусе «Выполнен»" in crew.text
    assert Order.get_by_id(order.id).stage.name == "Выполнен"
