"""A few demo conversations for the inbox: letters from new customers (one with an
artwork file), a known client's letter, messenger questions, a word in the staff room —
so «Входящие» and «Коллеги» are not empty on the first `make run`."""

from __future__ import annotations

import random
from datetime import timedelta

from core.access import actor_for_employee
from core.base.clock import utcnow
from core.base.db import database
from core.base.interfaces import FileStore
from core.clients.models import Client
from core.conversations import inbox, staffchat, threads
from core.conversations.models import Message
from core.files.models import Attachment
from core.orders.models import Order
from core.people.models import Employee

__all__ = ["fill_inbox"]

LETTERS = [
    (
        "anna.salon@example.ru",
        "Анна Смирнова",
        "Визитки для салона красоты",
        "Добрый день!\nНужны визитки 1000 шт, двусторонние. Макет во вложении.\nТелефон: 8 (912) 345-11-22",
        "<p>Добрый день!</p><p>Нужны <b>визитки 1000 шт</b>, двусторонние. Макет во вложении.</p>"
        "<p>Телефон: 8 (912) 345-11-22</p><img src='https://tracker.example/pixel.gif' width='1'>",
    ),
    (
        "zakupki@stroy-invest.example",
        "Отдел закупок",
        "Запрос цены: баннер 6×3 и растяжка",
        "Здравствуйте. Просим выставить счёт на баннер 6×3 м с люверсами и растяжку 8×1 м.",
        "",
    ),
    (
        "info@kafe-ugolok.example",
        "Кафе «Уголок»",
        "Меню — правки к макету",
        "Поменяйте, пожалуйста, цену борща на 250 ₽ и добавьте морс.",
        "",
    ),
    ("noreply@bank-promo.example", "Банк", "Вам одобрен кредит!!!", "Только сегодня…", ""),
]
CHATS = [
    "Когда можно забрать заказ?",
    "Скиньте реквизиты для оплаты, пожалуйста",
    "Спасибо, всё получили!",
]


def fill_inbox(store: FileStore | None = None, seed: int = 7) -> int:
    """Add the demo conversations; returns how many."""
    rnd = random.Random(seed)
    now = utcnow()
    made = 0
    with database.atomic():
        for i, (sender, name, subject, text, html) in enumerate(LETTERS):
            message = Message.create(direction="in", channel="email", sender=sender, subject=subject,
                                     text=text, at=now - timedelta(minutes=15 * (i + 1)),
                                     external_id=f"<demo-{i}@example.ru>")  # fmt: skip
            if i == 0 and store is not None:
                stored = store.save(
                    "Почта/Неразобранное", "макет визитки.pdf", b"%PDF-1.4 demo", "application/pdf"
                )
                Attachment.create(storage_key=stored.key, original_name="макет визитки.pdf",
                                  size=stored.size, content_type="application/pdf", message=message)  # fmt: skip
            inbox.file_letter(message, None, html=html, contact_name=name)
            made += 1
        clients = list(Client.select().order_by(Client.id).limit(len(CHATS)))
        for text, client in zip(CHATS, clients, strict=False):
            order = (
                Order.select().where(Order.client == client.id).order_by(Order.id.desc()).first()
            )
            threads.record_incoming(client.id, text, channel=rnd.choice(["telegram", "viber"]),
                                    order_id=order.id if order else None)  # fmt: skip
            made += 1
        people = list(
            Employee.select().where(Employee.active & ~Employee.is_external).order_by(Employee.id)
        )
        if people:
            staffchat.post(actor_for_employee(people[0]), staffchat.room().id,
                           "Коллеги, новые письма теперь во «Входящих» — разбирайте, кто свободен.")  # fmt: skip
    return made
