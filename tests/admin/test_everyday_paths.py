# ruff: noqa: F811 - pytest fixtures imported from other test modules are parameters here
"""Issue 28: both firms' everyday paths in Chromium — take an order, move it, log an expense,
collect cash, issue papers, close the month's subcontracts — each step screenshot at 1366 and
390 px (BRIGADIR_SCREENS keeps them) and its page read for wording that is not Russian."""

from __future__ import annotations

import dataclasses

import pytest

from cli.demo import DEMO_COMPANY
from core.base import runtime, settings
from core.base.money import rubles
from core.orders import orders
from core.orders.models import Order
from tests.admin.test_browser import page, screens, server  # noqa: F401 - fixtures
from tests.admin.visible_text import problems

pytestmark = pytest.mark.e2e


def _firm(monkeypatch, pipeline: str) -> None:
    config = runtime.config()
    monkeypatch.setattr(runtime, "_config", dataclasses.replace(
        config, app=dataclasses.replace(config.app, pipeline=pipeline)))  # fmt: skip
    monkeypatch.setattr(runtime, "_effective", None)  # Настройки are laid over the file anew


class Walk:
    """A person's path: each step shot at both widths and read for its wording."""

    def __init__(self, page, screens, firm):
        self.page, self.screens, self.firm, self.wording = page, screens, firm, {}

    def shot(self, step: str) -> None:
        for width in (1366, 390):
            self.page.set_viewport_size({"width": width, "height": 900})
            self.page.screenshot(path=str(self.screens / f"path-{self.firm}-{step}-{width}.png"),
                                 full_page=True)  # fmt: skip
        self.page.set_viewport_size({"width": 1366, "height": 900})
        if found := problems(self.page.content()):
            self.wording[step] = found

    def flash(self) -> str:
        return self.page.inner_text(".alert-success")


@pytest.mark.parametrize("firm", ["printing", "installation"])
def test_everyday_paths_read_in_russian(
    firm, page, server, world, staff, actors, screens, monkeypatch
):
    _firm(monkeypatch, firm)
    settings.put("company", DEMO_COMPANY)
    sub = orders.create_order(actors["manager"], world["c2"].id, "Кружки с логотипом, 30 шт",
                              rubles(9000), pipeline=firm, subcontractor_id=staff["sub"].id)  # fmt: skip
    walk = Walk(page, screens, firm)
    page.goto(f"{server}/login")
    page.fill("#login", "director")
    page.fill("#password", "director-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")

    # 1. Take an order: a new client, one line, save and print the form.
    page.goto(f"{server}/admin/order/new/")
    page.keyboard.insert_text("Смирнова Ольга")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'new_client_phone'")
    page.keyboard.insert_text("8 (916) 555-44-33")
    page.keyboard.press("Enter")
    line = ("Баннер 2×1 м, 12 500, аванс 5 000, пятница" if firm == "printing"
            else "Подключение дома 15 кВт, 45 000, аванс 20 000, через 14 дней")  # fmt: skip
    page.keyboard.insert_text(line)
    page.wait_for_function("() => document.getElementById('cost').value !== ''")
    walk.shot("1-order-filled")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    order = Order.select().order_by(Order.id.desc()).get()
    assert f"Заказ №{order.number} принят." in walk.flash()
    assert order.pipeline.code == firm and order.paid > 0
    walk.shot("1-order-taken")

    # 2. Move it: the next stage is already chosen on the card (opened again from the list: the
    # printed form's frame holds Chromium's PDF viewer, which headless keeps busy).
    page.goto(f"{server}/admin/order/card/?id={order.id}")
    with page.expect_navigation():
        page.click("#move-button")
    moved = Order.get_by_id(order.id)
    assert moved.stage_id != order.stage_id and f"№{order.number}" in walk.flash()
    walk.shot("2-moved")

    # 3. Log an expense for the crew member's purchase.
    page.goto(f"{server}/admin/cash/")
    page.select_option("#operation", "expense")
    page.fill("#amount", "1 250")
    page.select_option("#employee", str(staff["executor"].id))
    page.select_option("#category", "Материалы")
    page.fill("#note", "кабель ВВГ 3×2,5")
    with page.expect_navigation():
        page.click("form[action$='/cash/add/'] button")
    assert "Расход записан: 1 250,00 ₽ — Иван Монтажников." in walk.flash()
    walk.shot("3-expense")

    # 4. Collect the rest in cash on the card.
    page.goto(f"{server}/admin/order/card/?id={order.id}")
    page.fill("input[name=amount]", page.inner_text("#card-debt").replace("₽", "").strip())
    page.select_option("select[name=method]", "cash")
    with page.expect_navigation():
        page.click("#pay-button")
    assert Order.get_by_id(order.id).debt == 0
    walk.shot("4-paid")

    # 5. Issue papers: the act for the client.
    page.select_option("select[name=kind][aria-label=Документ]", "act")
    with page.expect_navigation():
        page.click("text=Выписать")
    assert "Акт № " in walk.flash() and "выписан." in walk.flash()
    walk.shot("5-papers")

    # 6. The month's subcontracts: the tab, the item in, and on until it is given out.
    page.goto(f"{server}/admin/order/?tab=sub")
    assert f"№{sub.number}" in page.inner_text(".model-list")
    walk.shot("6-subcontracts")
    page.goto(f"{server}/admin/order/card/?id={sub.id}")
    with page.expect_navigation():
        page.click("text=Перезаказ получен")
    while not Order.get_by_id(sub.id).is_archived:
        with page.expect_navigation():
            page.click("#move-button")
    page.goto(f"{server}/admin/order/?tab=sub")
    assert f"№{sub.number}" not in page.inner_text("body")
    walk.shot("6-subcontracts-closed")
    assert not walk.wording, walk.wording
