"""The pages of the firm's lists in Debian Chromium at a desktop's and a phone's width:
the documents register, stages, cash, dashboard and the import's word mapping. Each is
screenshotted (BRIGADIR_SCREENS keeps them) and must not scroll sideways at 1366 px (the
registers and the cash page not even on a phone: their rows become cards)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.base import settings
from core.base.money import rubles
from core.clients.clients import update_client
from core.documents.issue import issue_document
from core.money import cash
from core.orders import orders, pipelines
from core.orders.models import Stage
from tests.admin.test_browser import page, screens, server  # noqa: F401 - shared fixtures
from tests.admin.test_documents_register import COMPANY
from tests.admin.test_import_words import ROWS, _xlsx

pytestmark = pytest.mark.e2e
PHONE_FIT = {"documents", "cash", "stage-remove", "dashboard"}  # these fit a phone's width too


@pytest.fixture
def filled(world, actors, staff, store):
    boss, manager = actors["director"], actors["manager"]
    settings.put("company", COMPANY)
    update_client(manager, world["c2"].id, inn="7707083893", kpp="771201001", address="г. Москва")
    for kind in ("invoice", "act", "upd"):  # ТОРГ-12 is for goods; these orders sell services
        issue_document(manager, kind, world["foreign"].id, store, date=dt.date(2026, 11, 20))
    issue_document(manager, "order_form", world["own"].id, store, date=dt.date(2026, 11, 21))
    in_work = Stage.get(Stage.code == "in_work", Stage.pipeline == world["own"].pipeline_id)
    pipelines.update_stage(boss, in_work.id, responsible=staff["executor2"].id)
    orders.move_order(boss, world["own"].id, "in_work")
    orders.move_order(boss, world["mine"].id, "archive")
    cash.issue_advance(boss, staff["executor"].id, rubles(5000), "на кабель")
    return world


def _login(page, server):  # noqa: F811
    page.goto(f"{server}/login")
    page.fill("#login", "director")
    page.fill("#password", "director-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


def _shoot(page, screens, name: str) -> None:  # noqa: F811
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screens / f"{name}-{width}.png"), full_page=True)
        if width == 1366 or name in PHONE_FIT:
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name}: {overflow} px sideways at {width}"


def test_firm_pages_in_chromium(page, server, filled, screens, tmp_path):  # noqa: F811
    _login(page, server)
    for name, url in (("documents", "/admin/documents/"), ("stages", "/admin/stage/"),
                      ("cash", "/admin/cash/"), ("dashboard", "/admin/"),
                      ("order-card", f"/admin/order/card/?id={filled['own'].id}"),
                      ("client-card", f"/admin/client/card/?id={filled['c2'].id}")):  # fmt: skip
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{server}{url}")
        _shoot(page, screens, name)
    page.goto(f"{server}/admin/documents/")
    assert page.locator("#register tbody tr, #register tr").count() >= 5
    page.goto(f"{server}/admin/stage/")
    accepted = Stage.get(Stage.code == "accepted", Stage.pipeline == filled["own"].pipeline_id)
    page.goto(f"{server}/admin/stage/remove/{accepted.id}")
    _shoot(page, screens, "stage-remove")
    page.set_viewport_size({"width": 1366, "height": 900})
    (tmp_path / "заказы.xlsx").write_bytes(_xlsx(ROWS))
    page.goto(f"{server}/admin/import/")
    page.select_option("#kind", "orders")
    page.select_option("#pipeline", "installation")
    page.set_input_files("#file", str(tmp_path / "заказы.xlsx"))
    page.click("text=Проверить")
    page.wait_for_selector("#import-words")
    page.select_option("#stage_to_1", label="Монтаж")
    page.select_option("#crew_to_1", label="создать новую бригаду «Петров»")
    _shoot(page, screens, "import-words")
