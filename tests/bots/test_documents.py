"""Papers from the messenger: a manager gets the PDF in the chat and sends it to the client."""

from __future__ import annotations

import subprocess

import pytest

from core.base import settings
from core.base.money import rubles
from core.clients.clients import create_client, update_client
from core.conversations.models import Message, Notification
from core.documents.models import Document
from core.orders.orders import create_order


@pytest.fixture(autouse=True)
def requisites(db):
    """What the director enters once in Настройки → Реквизиты."""
    settings.put("company", {
        "name": "ООО «Печатный двор»", "inn": "7701234567", "kpp": "770101001",
        "address": "г. Москва, ул. Тверская, д. 7", "phone": "+7 495 123-45-67", "bank": "ПАО «Сбербанк»",
        "bik": "044525225", "account": "40702810938000012345", "corr_account": "30101810400000000225",
    })  # fmt: skip


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_manager_gets_an_invoice_pdf_and_sends_it_to_the_client(join, actors, store, tmp_path):
    manager = join("manager")
    client = create_client(actors["manager"], "ООО «Ромашка»", "+79120000401", kind="company",
                           inn="7707083893", kpp="771201001", address="г. Москва, ул. Лесная, 5")  # fmt: skip
    order = create_order(actors["manager"], client.id, "Баннер 3×6 м", rubles(12_500))

    manager.say(f"/order {order.number}")
    manager.tap(manager.button("Документы"))
    manager.tap(manager.button("Бланк заказа"))
    form = manager.last[0].file
    assert form.mime == "application/pdf" and "Бланк заказа" in form.name
    text = _pdf_text(form.data, tmp_path)
    assert f"№ {order.number}" in text and "Баннер 3×6 м" in text and "12 500,00" in text

    manager.say(f"/invoice {order.number}")
    invoice = manager.last[0].file
    text = _pdf_text(invoice.data, tmp_path)
    assert "Двенадцать тысяч пятьсот рублей 00 копеек" in text and "7707083893" in text

    manager.tap(manager.button("Отправить клиенту"))
    assert "в очереди" in manager.text
    note = (
        Notification.select()
        .where(Notification.order == order.id)
        .order_by(Notification.id.desc())
        .get()
    )
    document = Document.get((Document.order == order.id) & (Document.kind == "invoice"))
    assert note.attachments == [document.storage_key] and store.exists(document.storage_key)
    assert "Направляем счёт" in note.text and note.subject.startswith(f"[Заказ №{order.number}]")
    assert (
        Message.select()
        .where((Message.order == order.id) & (Message.notification == note))
        .exists()
    )


def test_an_invoice_without_requisites_names_what_is_missing_and_writes_nothing(join, actors):
    manager = join("manager")
    client = create_client(actors["manager"], "ООО «Петров»", "+79120000402", kind="company")
    order = create_order(actors["manager"], client.id, "Визитки", rubles(1_500))

    manager.say(f"/invoice {order.number}")

    assert "ИНН" in manager.text and "адрес" in manager.text and manager.last[0].file is None
    assert Document.select().count() == 0
    update_client(actors["manager"], client.id, inn="500100732259", address="г. Тула")
    manager.say(f"/invoice {order.number}")
    assert (
        manager.last[0].file is not None and Document.get().number == 1
    )  # the refusal used no number


def test_executors_get_no_papers(join, actors, staff):
    crew = join("executor")
    client = create_client(actors["manager"], "Сидоров", "+79120000403")
    order = create_order(
        actors["manager"], client.id, "Монтаж", rubles(5_000), executor_id=staff["executor"].id
    )
    crew.say(f"/order {order.number}")
    assert not [b for b in crew.buttons() if "Документы" in b[0]]
    crew.tap(f"doc:{order.id}:invoice")
    assert crew.last[0].file is None and Document.select().count() == 0


def test_a_cash_receipt_is_for_the_last_payment_and_needs_one(join, actors, store, tmp_path):
    from core.access import SYSTEM
    from core.base.errors import ValidationError
    from core.documents.issue import issue_document, kinds_for
    from core.money.payments import add_payment

    client = create_client(actors["manager"], "Кузьмина Ольга", "+79120000404")
    order = create_order(actors["manager"], client.id, "Листовки", rubles(4_000))
    assert "receipt" not in kinds_for(order)
    with pytest.raises(ValidationError, match="ещё нет оплат"):
        issue_document(SYSTEM, "receipt", order.id, store)
    assert Document.select().count() == 0
    add_payment(actors["manager"], order.id, rubles(500), method="card")  # not cash: no квитанция
    assert "receipt" not in kinds_for(order)
    with pytest.raises(ValidationError, match="ещё нет оплат наличными"):
        issue_document(SYSTEM, "receipt", order.id, store)

    add_payment(actors["manager"], order.id, rubles(1_500))
    manager = join("manager")
    manager.say(f"/order {order.number}")
    manager.tap(manager.button("Документы"))
    manager.tap(manager.button("Квитанция"))
    text = _pdf_text(manager.last[0].file.data, tmp_path)
    assert "1 500,00" in text and "НЕ ЯВЛЯЕТСЯ КАССОВЫМ ЧЕКОМ" in text
    # the person who took the money, by name, not the account's role
    assert "Деньги получил" in text and "Директор" not in text.split("Деньги получил")[1][:40]
