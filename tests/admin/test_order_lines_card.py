"""Issue 25 item 1 on the card: positions are edited there, the cost follows, the portal and
the papers print them; a person who may not see prices sees no positions."""

from __future__ import annotations

import pytest

from core.base import settings
from core.documents.issue import issue_document
from core.orders.lines import lines_of
from core.orders.models import Order, OrderLine
from tests.admin.test_browser import page, screens, server  # noqa: F401 - fixtures
from tests.documents.conftest import flat, pdf_text

ROWS = {
    "line_name": ["Баннер 3×2 м", "Люверсы", ""],
    "line_quantity": ["2,5", "40", "1"],
    "line_unit": ["м2", "шт", ""],
    "line_okei": ["", "", ""],
    "line_price": ["1 200", "25", ""],
    "line_vat": ["none", "none", "none"],
    "line_subject": ["goods", "goods", "service"],
}


def test_positions_saved_on_the_card_set_the_cost(as_role, world, store):
    order = world["own"]
    manager = as_role("manager")
    html = manager.get(f"/admin/order/card/?id={order.id}").get_data(as_text=True)
    assert 'id="positions"' in html and "Пока одна строка по описанию" in html
    resp = manager.post("/admin/order/lines/", data={"id": order.id, **ROWS}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "Позиции сохранены. Стоимость заказа: 4 000,00 ₽." in html
    fresh = Order.get_by_id(order.id)
    assert (fresh.cost, fresh.debt) == (400_000, 400_000)
    assert [(x.name, str(x.quantity), x.unit, x.okei) for x in lines_of(fresh)] == [
        ("Баннер 3×2 м", "2.5", "м2", "055"), ("Люверсы", "40", "шт", "796"),
    ]  # fmt: skip
    assert 'value="Люверсы"' in html and "Стоимость заказа — сумма позиций" in html
    settings.put(
        "company", {"name": "ООО «Печатный двор»", "inn": "7701234567", "address": "Москва"}
    )
    act = issue_document(world["director_actor"], "act", order.id, store)
    text = flat(pdf_text(store.read(act.storage_key)))
    assert "1 Баннер 3×2 м 2,5 м2 1 200,00 3 000,00 2 Люверсы 40 шт 25,00 1 000,00" in text


def test_bad_positions_on_the_card_write_nothing(as_role, world):
    order = world["own"]
    bad = {**ROWS, "line_quantity": ["два", "40", "1"]}
    html = (
        as_role("manager")
        .post("/admin/order/lines/", data={"id": order.id, **bad}, follow_redirects=True)
        .get_data(as_text=True)
    )
    assert "Позиция 1: количество «два»" in html
    assert OrderLine.select().count() == 0 and Order.get_by_id(order.id).cost == order.cost


def test_a_stale_card_does_not_overwrite_positions(as_role, world):
    order = world["own"]
    Order.update(version=Order.version + 1).where(Order.id == order.id).execute()
    html = as_role("manager").post(
        "/admin/order/lines/", data={"id": order.id, "version": order.version, **ROWS},
        follow_redirects=True,
    ).get_data(as_text=True)  # fmt: skip
    assert "уже изменил другой сотрудник" in html and OrderLine.select().count() == 0


def test_who_may_not_see_the_cost_sees_no_positions(as_role, world):
    mine = world["mine"]  # the executor's order; the executor has cost hidden by default
    html = as_role("executor").get(f"/admin/order/card/?id={mine.id}").get_data(as_text=True)
    assert 'id="positions"' not in html and "Позиции" not in html
    resp = as_role("executor").post("/admin/order/lines/", data={"id": mine.id, **ROWS})
    assert resp.status_code in (302, 403) and OrderLine.select().count() == 0


@pytest.mark.e2e
def test_positions_block_at_both_widths(page, server, world, staff, screens):  # noqa: F811
    order = world["own"]
    page.goto(f"{server}/login")
    page.fill("#login", "maria")
    page.fill("#password", "manager-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(f"{server}/admin/order/card/?id={order.id}")
    page.click("#line-add")
    rows = page.locator("#lines-body .line-row")
    assert rows.count() == 2
    rows.nth(1).locator("input[name=line_name]").fill("Ламинация")
    rows.nth(1).locator("input[name=line_unit]").fill("шт")
    rows.nth(1).locator("input[name=line_price]").fill("500")
    with page.expect_navigation():
        page.click("#lines-save")
    assert Order.get_by_id(order.id).cost == 350_000
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("#positions").scroll_into_view_if_needed()
        page.screenshot(path=str(screens / f"positions-{width}.png"), full_page=True)
        if width == 1366:  # every column in sight at a desktop's width, no sideways scroll
            hidden = page.evaluate("() => { const e = document.querySelector('#positions .table-responsive');"
                                   " return e.scrollWidth - e.clientWidth; }")  # fmt: skip
            assert hidden <= 0, f"{hidden}px of the positions are behind a sideways scroll"


def test_the_portal_shows_the_positions(app, world, actors):
    from core.orders.positions import set_lines
    from tests.admin.test_portal import sign_in

    order = world["own"]
    portal = sign_in(app, world["c1"])
    html = portal.get(f"/my/orders/{order.id}").get_data(as_text=True)
    assert 'id="lines"' not in html  # one line that is the description: nothing to repeat
    set_lines(actors["manager"], order.id, [
        {"name": "Визитки 90×50", "quantity": "1000", "unit": "шт", "price": "2,5"},
        {"name": "Дизайн", "quantity": "1", "unit": "усл. ед", "price": "500"},
    ])  # fmt: skip
    html = portal.get(f"/my/orders/{order.id}").get_data(as_text=True)
    assert 'id="lines"' in html and "Визитки 90×50" in html and "1000 шт" in html
    assert "2 500,00" in html and "500,00" in html


def _taxes_form(**values):
    keys = ["vat.tax_system", "vat.rates", "company.vat_rate", "vat.no_vat_reason", "papers.torg12",
            "papers.invoice_days"]  # fmt: skip
    return {"on_page": keys, **{f"set:{k}": v for k, v in values.items()}}


def test_the_director_sets_the_vat_regime_in_settings(as_role, world):
    """The VAT regime lives in the one settings registry (Настройки → Фирма и каналы →
    Налоги и документы): the card's rates, the papers' words and ТОРГ-12 follow it."""
    from core.money import taxes

    director = as_role("director")
    html = director.get("/admin/program/taxes/").get_data(as_text=True)
    assert "Система налогообложения" in html and "Выписывать ТОРГ-12 (кроме УПД)" in html
    html = director.post("/admin/program/taxes/", data=_taxes_form(**{
        "vat.tax_system": "osn", "vat.rates": "22 %\n18 %", "company.vat_rate": "22",
        "papers.invoice_days": "5",
    }), follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "Не сохранено" in html and "«18 %» — нет такого варианта" in html
    assert taxes.regime().rates == (None,)  # refused: nothing written
    director.post("/admin/program/taxes/", data=_taxes_form(**{
        "vat.tax_system": "osn", "vat.rates": "22 %\n10 %", "company.vat_rate": "22",
        "papers.torg12": "1", "papers.invoice_days": "7",
    }))  # fmt: skip
    regime = taxes.regime()
    assert (regime.tax_system, regime.rates, regime.default) == ("osn", (22, 10), 22)
    assert (settings.value("papers.torg12"), settings.value("papers.invoice_days")) == (True, 7)
    html = as_role("manager").get(f"/admin/order/card/?id={world['own'].id}").get_data(as_text=True)
    assert '<option value="22" selected>22 %</option>' in html  # the card offers the firm's rates
    assert '<option value="waybill">' in html  # ТОРГ-12 among the papers now
    assert as_role("manager").get("/admin/program/taxes/").status_code in (302, 403)


def test_the_clients_signer_goes_from_the_form_to_the_act(as_role, world, store):
    """402-ФЗ ст. 9: the act names the customer's signer by post and name, typed on the
    client's form once."""
    firm = world["c2"]
    manager = as_role("manager")
    form = {"name": "ООО «Ромашка»", "kind": "company", "phone": "+7 495 123-45-67",
            "inn": "7707083893", "kpp": "773601001", "ogrn": "1027700132195",
            "address": "г. Москва, ул. Вавилова, д. 19", "signer_post": "Генеральный директор",
            "signer_name": "Кузнецова Мария Ивановна"}  # fmt: skip
    bad = manager.post(f"/admin/client/edit/?id={firm.id}", data={**form, "ogrn": "123"},
                       follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "ОГРН — 13 цифр" in bad
    manager.post(f"/admin/client/edit/?id={firm.id}", data=form, follow_redirects=True)
    card = manager.get(f"/admin/client/card/?id={firm.id}").get_data(as_text=True)
    assert "Генеральный директор Кузнецова Мария Ивановна" in card
    settings.put("company", {"name": "ООО «Печатный двор»", "inn": "7701234567",
                             "address": "Москва", "director": "Петров Пётр Петрович"})  # fmt: skip
    act = issue_document(world["director_actor"], "act", world["foreign"].id, store)
    text = flat(pdf_text(store.read(act.storage_key)))
    assert "ЗАКАЗЧИК Генеральный директор должность подпись Кузнецова М.И." in text
    assert "ИСПОЛНИТЕЛЬ Директор должность подпись Петров П.П." in text
