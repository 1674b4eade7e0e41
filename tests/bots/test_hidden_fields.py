"""The bot's order card obeys the same hidden fields as the admin (core.access)."""

from __future__ import annotations

import pytest

from core.base import settings
from tests.admin.hidden_world import DETAILS, MONEY, secret_order

SHOWN_IN_BOT = ("object_address", "object_type", "object_note", "due_date")
BOT_FORMS = {"due_date": "13.03"}  # the bot prints short dates


def _card(chat, order) -> str:
    chat.say(f"/order {order.number}")
    return chat.text


@pytest.mark.parametrize(("who", "role"), [("executor", "executor"), ("manager2", "manager")])
def test_bot_card_hides_what_settings_hide(join, actors, staff, store, who, role):
    order, _client = secret_order(actors, staff, store)
    chat = join(who)
    settings.put("hidden_fields", {})
    text = _card(chat, order)
    for field in ("cost", "paid", "debt"):
        assert MONEY[field] in text, (who, field)  # may see: sees
    for field in SHOWN_IN_BOT:
        assert BOT_FORMS.get(field, DETAILS[field]) in text, (who, field)
    for field in ("cost", "paid", "debt", *SHOWN_IN_BOT):
        settings.put("hidden_fields", {role: [field]})
        text = _card(chat, order)
        needle = MONEY.get(field) or BOT_FORMS.get(field, DETAILS[field])
        assert needle not in text, (who, field)


def test_an_overpayment_does_not_reveal_a_hidden_debt(join, actors, staff, store):
    order, _client = secret_order(actors, staff, store)
    crew = join("executor")  # money hidden from executors by default
    crew.say(f"/order {order.number}")
    crew.tap(crew.button("Получил оплату"))
    crew.say("9 999 999")
    assert "больше остатка" in crew.text and MONEY["debt"] not in crew.text


def test_the_bot_offers_only_papers_whose_sums_one_may_see(join, actors, staff, store):
    order, _client = secret_order(actors, staff, store)
    chat = join("manager2")
    for hidden, offered in [([], {"Бланк заказа", "Счёт", "Акт", "УПД", "Квитанция"}),
                            (["paid"], {"Бланк заказа", "Счёт", "Акт", "УПД"}),
                            (["cost"], {"Квитанция"}), (["cost", "paid"], set())]:  # fmt: skip
        settings.put("hidden_fields", {"manager": hidden})
        chat.tap(f"docs:{order.id}")
        labels = {label.removeprefix("📄 ") for label, _payload in chat.buttons()}
        assert labels == offered, hidden
        if not offered:
            assert "скрыты" in chat.text
    settings.put("hidden_fields", {"manager": ["cost"]})
    chat.tap(f"doc:{order.id}:invoice")  # a crafted tap is refused, no paper is made
    assert "скрыты" in chat.text and chat.last[0].file is None
