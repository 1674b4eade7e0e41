"""Issue 25 item 4: a client's requisites from the ИНН, on the client's form and at the
counter, through the one provider (core.clients.requisites + admin/requisites.py, DaData
against its fake); a wrong checksum is refused in Russian and writes nothing."""

from __future__ import annotations

import pytest

from core.base import settings
from core.clients.models import Client
from core.orders.models import Order
from tests.admin.test_browser import page, screens, server  # noqa: F401 - fixtures
from tests.fakes.dadata import FakeDadata


@pytest.fixture
def dadata(db):
    with FakeDadata(key="GOOD-KEY") as fake:
        settings.save({"requisites.token": "GOOD-KEY", "requisites.url": fake.base})
        yield fake


def _counter(session, **data):
    data.setdefault("source", "")
    data.setdefault("advance_method", "cash")
    return session.post("/admin/order/new/", data=data, content_type="multipart/form-data",
                        follow_redirects=True)  # fmt: skip


def test_the_counter_takes_a_firm_with_its_requisites(as_role, world):
    html = _counter(as_role("manager"), new_client_name="ООО «Рекламная мастерская»",
                    new_client_phone="+7 495 000-11-22", new_client_inn="7707083893",
                    new_client_kpp="773601001", new_client_ogrn="1027700132195",
                    new_client_address="г Москва, ул Вавилова, д 19",
                    new_client_signer_post="Генеральный директор",
                    new_client_signer_name="Петров Сергей Иванович",
                    description="Баннер", cost="5000").get_data(as_text=True)  # fmt: skip
    assert "принят" in html
    firm = Client.get(Client.inn == "7707083893")
    assert (firm.kind, firm.kpp, firm.ogrn, firm.signer_post, firm.signer_name) == (
        "company", "773601001", "1027700132195", "Генеральный директор", "Петров Сергей Иванович",
    )  # fmt: skip


def test_a_wrong_inn_is_refused_at_the_counter_and_on_the_form(as_role, world):
    before = (Order.select().count(), Client.select().count())
    html = _counter(as_role("manager"), new_client_name="ООО «Вектор»",
                    new_client_phone="+7 495 000-11-23", new_client_inn="7707083894",
                    description="Баннер", cost="5000").get_data(as_text=True)  # fmt: skip
    assert "ИНН с ошибкой: не сходится контрольная цифра" in html
    assert (Order.select().count(), Client.select().count()) == before
    c2 = world["c2"]
    html = as_role("manager").post(f"/admin/client/edit/?id={c2.id}", data={
        "name": c2.name, "kind": "company", "phone": "+7 495 123-45-67", "inn": "7707083894",
    }, follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "контрольная цифра" in html and Client.get_by_id(c2.id).inn == ""


@pytest.mark.e2e
def test_fill_by_inn_on_the_client_form_and_the_counter(page, server, world, dadata, screens):  # noqa: F811
    page.goto(f"{server}/login")
    page.fill("#login", "maria")
    page.fill("#password", "manager-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(f"{server}/admin/client/new/")
    page.fill("#inn", "7707083894")
    page.click(".requisites-fill")
    page.wait_for_selector(".requisites-note.text-danger")
    assert "контрольная цифра" in page.inner_text(".requisites-note")
    page.fill("#inn", "7707 083893")
    page.click(".requisites-fill")
    page.wait_for_selector(".requisites-note.text-success")
    assert page.input_value("#name") == "ООО «РЕКЛАМНАЯ МАСТЕРСКАЯ»"
    assert (page.input_value("#kpp"), page.input_value("#ogrn")) == ("773601001", "1027700132195")
    assert page.input_value("#signer_name") == "Петров Сергей Иванович"
    assert page.input_value("#signer_post") == "Генеральный директор"
    assert page.input_value("#kind") == "company"
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screens / f"client-by-inn-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{server}/admin/order/new/")
    page.fill("#client-search", "Рекламщики")
    page.fill("#new_client_phone", "+7 495 000-11-24")
    page.fill("#new_client_inn", "7707083893")
    page.click("#new-client .requisites-fill")
    page.wait_for_selector("#new-client .requisites-note.text-success")
    assert page.input_value("#new_client_name") == "ООО «РЕКЛАМНАЯ МАСТЕРСКАЯ»"
    page.fill("#description", "Баннер 3×2")
    page.fill("#cost", "4 000")
    page.screenshot(path=str(screens / "counter-by-inn-1366.png"), full_page=True)
    with page.expect_navigation():
        page.click("#save")
    firm = Client.get(Client.inn == "7707083893")
    assert (firm.name, firm.kind, firm.kpp) == (
        "ООО «РЕКЛАМНАЯ МАСТЕРСКАЯ»",
        "company",
        "773601001",
    )
    assert firm.signer_name == "Петров Сергей Иванович"
