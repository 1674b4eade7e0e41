import datetime as dt

import pytest

from core.base import settings
from core.base.errors import AccessDenied, ValidationError
from core.base.models import Sequence
from core.clients.clients import create_client
from core.documents import DocumentError, LineItem
from core.documents.issue import issue_document
from core.documents.models import Document
from core.orders.orders import create_order
from storage.local import LocalStore
from tests.documents.conftest import flat, pdf_text

COMPANY = {
    "name": "ООО «Печатный двор»",
    "inn": "7701234567",
    "kpp": "770101001",
    "address": "г. Москва, ул. Тверская, д. 7",
    "bank": "ПАО «Сбербанк»",
    "bik": "044525225",
    "account": "40702810938000012345",
    "corr_account": "30101810400000000225",
    "director": "Петров П.П.",
}


@pytest.fixture
def store(tmp_path):
    return LocalStore(tmp_path / "files")


@pytest.fixture
def order(db, actors):
    settings.put("company", COMPANY)
    client = create_client(
        actors["manager"], "ООО «Ромашка»", "+79160000000", kind="company",
        inn="7707083893", kpp="771201001", address="г. Москва, ул. Ленина, д. 1",
    )  # fmt: skip
    return create_order(actors["manager"], client.id, "Баннер 3×2 м", 1_250_000, advance=500_000)


def test_invoices_are_numbered_per_year_and_stored(order, actors, store):
    d = dt.date(2026, 11, 23)
    first = issue_document(actors["manager"], "invoice", order.id, store, date=d)
    second = issue_document(actors["manager"], "invoice", order.id, store, date=d)
    act = issue_document(actors["manager"], "act", order.id, store, date=d)
    next_year = issue_document(
        actors["manager"], "invoice", order.id, store, date=dt.date(2027, 1, 2)
    )
    assert [(x.kind, x.year, x.number) for x in (first, second, act, next_year)] == [
        ("invoice", 2026, 1), ("invoice", 2026, 2), ("act", 2026, 1), ("invoice", 2027, 1),
    ]  # fmt: skip
    assert first.storage_key.endswith("Счёт № 1 от 23.11.2026.pdf")
    text = flat(pdf_text(store.read(second.storage_key)))
    assert "Счёт на оплату № 2 от 23 ноября 2026 г." in text
    # the advance taken at the counter is off: the invoice asks for the rest
    assert "Оплачено ранее (аванс): 5 000,00 Всего к оплате: 7 500,00" in text
    assert "Всего к оплате: семь тысяч пятьсот рублей 00 копеек" in text
    assert "Оплатить не позднее 28.11.2026." in text  # five days by the firm's setting
    row = Document.get_by_id(first.id)
    assert row.total == 1_250_000 and row.client_id == order.client_id
    assert row.data["buyer"]["inn"] == "7707083893"


def test_items_and_receipt(order, actors, store):
    items = [LineItem("Баннер", 6, "м²", 150_000), LineItem("Люверсы", 40, "шт.", 2_500)]
    inv = issue_document(actors["manager"], "invoice", order.id, store, items=items)
    assert inv.total == 1_000_000
    rec = issue_document(actors["manager"], "receipt", order.id, store, amount=500_000)
    text = flat(pdf_text(store.read(rec.storage_key)))
    assert "Пятьсот" not in text and "пять тысяч рублей 00 копеек" in text
    assert "НЕ ЯВЛЯЕТСЯ КАССОВЫМ ЧЕКОМ" in text and "Оплата по заказу № " in text


def test_missing_requisites_consume_no_number(db, actors, store):
    settings.put("company", COMPANY)
    client = create_client(actors["manager"], "ООО «Вектор»", "+79161234567", kind="company")
    order = create_order(actors["manager"], client.id, "Визитки", 250_000)
    with pytest.raises(
        DocumentError, match="не заполнены реквизиты клиента «ООО „Вектор“»: ИНН, адрес"
    ):
        issue_document(actors["manager"], "invoice", order.id, store, date=dt.date(2026, 11, 23))
    assert Document.select().count() == 0
    assert Sequence.get_or_none(Sequence.name == "doc:invoice:2026") is None
    form = issue_document(
        actors["manager"], "order_form", order.id, store, track_url="https://t.me/x?start=1"
    )
    assert form.number == 1 and "Бланк заказа" in form.storage_key


def test_executor_may_not_issue_documents(order, actors, store):
    with pytest.raises(AccessDenied):
        issue_document(actors["executor"], "invoice", order.id, store)


def test_an_order_form_has_its_orders_number_everywhere(order, actors, store):
    """Issue 10 item 12: one number for one paper — row, file name, PDF; a reissue keeps it."""
    from core.orders.models import Order

    Order.update(number=1501).where(Order.id == order.id).execute()
    issue_document(actors["manager"], "invoice", order.id, store)  # other kinds keep counting
    d = dt.date(2026, 11, 23)
    form = issue_document(actors["manager"], "order_form", order.id, store, date=d)
    assert form.number == 1501
    assert form.storage_key.endswith("Бланк заказа № 1501 от 23.11.2026.pdf")
    assert "Бланк заказа № 1501 от 23.11.2026" in flat(pdf_text(store.read(form.storage_key)))
    again = issue_document(actors["manager"], "order_form", order.id, store, date=d)
    assert (again.id, again.number) == (form.id, 1501)  # one order, one form
    assert store.exists(again.storage_key)
    rows = Document.select().where(Document.kind == "order_form")
    assert [(r.number, r.storage_key) for r in rows] == [(1501, again.storage_key)]
    if again.storage_key != form.storage_key:
        assert not store.exists(form.storage_key)  # the replaced PDF is gone, no orphan
    invoice = issue_document(actors["manager"], "invoice", order.id, store)
    assert invoice.number == 2


def test_a_torg12_takes_the_orders_goods_and_no_number_for_services(order, actors, store):
    """ТОРГ-12 is for goods: of an order with goods and a service it carries the goods (the
    service is the act's or the УПД's); an order of services alone is refused in Russian and
    consumes no number."""
    from core.orders.positions import set_lines

    d = dt.date(2026, 11, 23)
    with pytest.raises(DocumentError, match="в заказе нет товаров"):
        issue_document(actors["manager"], "waybill", order.id, store, date=d)
    assert Sequence.get_or_none(Sequence.name == "doc:waybill:2026") is None
    set_lines(actors["manager"], order.id, [
        {"name": "Баннер 3×2 м", "quantity": "6", "unit": "м²", "price": "1500", "subject": "goods"},
        {"name": "Дизайн макета", "quantity": "1", "unit": "усл. ед", "price": "1000",
         "subject": "service"},
    ])  # fmt: skip
    waybill = issue_document(actors["manager"], "waybill", order.id, store, date=d)
    assert waybill.number == 1 and waybill.total == 900_000
    text = flat(pdf_text(store.read(waybill.storage_key)))
    assert "Баннер 3×2 м" in text and "Дизайн макета" not in text
    assert "Всего по накладной 6 X 9 000,00" in text
    upd = issue_document(actors["manager"], "upd", order.id, store, date=d)
    assert upd.total == 1_000_000  # the УПД carries both


def test_a_cash_receipt_names_who_took_the_cash_and_refuses_other_money(order, actors, store):
    """Issue 25: the квитанция о приёме наличных is for a cash payment only, signed by the
    person who took the money, with their post — never the account's role — surname first."""
    from core.money.payments import add_payment
    from core.people.models import Employee

    transfer = add_payment(actors["manager"], order.id, 100_000, method="transfer")
    with pytest.raises(ValidationError, match="только для оплаты наличными"):
        issue_document(actors["manager"], "receipt", order.id, store, payment_id=transfer.id)
    Employee.update(position="Кассир").where(
        Employee.id == actors["manager2"].employee_id
    ).execute()
    cash = add_payment(actors["manager2"], order.id, 200_000, method="cash")
    receipt = issue_document(actors["manager"], "receipt", order.id, store, payment_id=cash.id)
    text = flat(pdf_text(store.read(receipt.storage_key)))
    # staff are entered as «Олег Продажин»; the расшифровка подписи puts the surname first
    assert "Деньги получил Кассир должность подпись Продажин О. расшифровка" in text
    assert "Олег" not in text
    # a firm's money: «Принято от: ООО «Ромашка»», and its bearer writes their own name
    assert "Принято от: ООО «Ромашка» Основание" in text
    assert "Деньги передал должность подпись расшифровка подписи" in text
    assert (receipt.data["cashier"], receipt.data["cashier_post"]) == ("Продажин Олег", "Кассир")
