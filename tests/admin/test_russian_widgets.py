"""Issue 12, Russian where a person looks: the page language and the select2 widget's texts."""

from __future__ import annotations

import pytest

from core.orders.models import Order
from tests.admin.test_browser import page, server  # noqa: F401 - fixtures


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/order/", "/admin/order/new/", "/admin/client/", "/login"]
)
def test_pages_say_they_are_russian(as_role, world, url):
    html = as_role("director").get(url).get_data(as_text=True)
    assert '<html lang="ru">' in html


@pytest.mark.e2e
def test_select2_speaks_russian(page, server, world):  # noqa: F811
    page.goto(f"{server}/login")
    page.fill("#login", "director")
    page.fill("#password", "director-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(f"{server}/admin/order/edit/?id={world['own'].id}")
    container = page.locator("#s2id_executor")
    assert "Выберите сотрудника" in container.inner_text()
    container.locator("a").click()
    page.keyboard.type("Щщщщ")
    page.wait_for_selector(".select2-no-results")
    assert page.inner_text(".select2-no-results") == "Ничего не найдено"


@pytest.mark.parametrize(
    "n, words",
    [(1, "новое сообщение"), (2, "новых сообщения"), (4, "новых сообщения"), (5, "новых сообщений"),
     (11, "новых сообщений"), (21, "новое сообщение"), (22, "новых сообщения"), (112, "новых сообщений")],
)  # fmt: skip
def test_words_agree_with_numbers(n, words):
    from admin.formatting import plural

    assert plural(n, "новое сообщение", "новых сообщения", "новых сообщений") == words


def test_the_card_counts_new_messages_in_russian(as_role, world):
    Order.update(unread=1).where(Order.id == world["own"].id).execute()
    html = as_role("manager").get(f"/admin/order/card/?id={world['own'].id}").get_data(as_text=True)
    assert "новое сообщение" in html and "новых сообщений" not in html
    Order.update(unread=3).where(Order.id == world["own"].id).execute()
    html = as_role("manager").get(f"/admin/order/card/?id={world['own'].id}").get_data(as_text=True)
    assert "новых сообщения" in html


def test_saving_an_order_names_it(as_role, world):
    order = Order.get_by_id(world["own"].id)
    resp = as_role("manager").post(
        f"/admin/order/edit/?id={order.id}",
        data={"description": "Визитки 2000 шт", "cost": "3000", "version": order.version,
              "source": "", "object_address": "", "object_type": "", "object_note": "", "folder": ""},
        follow_redirects=True,
    )  # fmt: skip
    html = resp.get_data(as_text=True)
    assert f"Заказ №{order.number} сохранён." in html
    assert "Запись" not in html and "Record" not in html
