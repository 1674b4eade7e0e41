"""Issue 25 item 5 on the director's page «Кассовые чеки»: a receipt that did not pass is shown
and sent again, a wrong one fixed by a correction, the cloud register set up; managers have no
access."""

from __future__ import annotations

from core.base import settings
from core.base.money import rubles
from core.clients.clients import create_client
from core.money.models import FiscalCheck
from core.money.payments import add_payment
from core.orders.orders import create_order
from tests.admin.conftest import login
from tests.core.test_fiscal_checks import _run, atol, register  # noqa: F401 - fixtures


def test_the_director_page_retries_corrects_and_sets_up(app, atol, actors, db, register):  # noqa: F811
    client = create_client(actors["manager"], "Без Контактов", None)
    order = create_order(actors["manager"], client.id, "Баннер", rubles(1_000))
    add_payment(actors["manager"], order.id, rubles(1_000), method="cash")
    _run(register)
    director = login(app, "director")
    card = director.get(f"/admin/order/card/?id={order.id}").get_data(as_text=True)
    assert "чек не пробит" in card  # beside the payment on the order's card too
    html = director.get("/admin/fiscal/?problems=1").get_data(as_text=True)
    assert "не пробит" in html and "Ошибочные поля : client" in html and "Повторить" in html
    assert login(app, "manager").get("/admin/fiscal/").status_code in (302, 403)
    from core.clients.models import Client

    Client.update(phone="+79160000001").where(Client.id == client.id).execute()
    check = FiscalCheck.get()
    html = director.post(f"/admin/fiscal/retry/{check.id}", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Чек поставлен в очередь" in html
    _run(register)
    assert FiscalCheck.get().status == "done"
    html = director.post(f"/admin/fiscal/correct/{check.id}", data={"amount": "1 100", "reason": "x"},
                         follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "Чек коррекции на 100,00 ₽ поставлен в очередь." in html
    # the register is set up in the one settings registry, checked there
    html = director.post("/admin/program/kkt/", data={
        "on_page": ["cash_register.provider", "cash_register.inn"],
        "set:cash_register.provider": "atol", "set:cash_register.inn": "7701234568",
    }, follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "Не сохранено" in html and "контрольная цифра" in html
    assert settings.value("cash_register.inn") == "7701234567"  # refused: nothing written
    assert "Облачная касса подключена." in director.get("/admin/fiscal/").get_data(as_text=True)
