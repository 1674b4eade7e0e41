"""The real flow in Debian Chromium: log in, create a client and an order, move it through
stages, see the history and the outbox row, take a payment and see the debt drop."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from core.conversations.models import Notification
from core.orders.models import Order, StageMove
from tests.conftest import need_service

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]  # fmt: skip


@pytest.fixture
def screens(tmp_path):
    """Where screenshots go: BRIGADIR_SCREENS to keep them, else the test's temp folder."""
    folder = Path(os.environ.get("BRIGADIR_SCREENS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def server(app):
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


@pytest.fixture
def page(server):
    if not shutil.which(CHROMIUM):
        need_service("Chromium", f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="ru-RU")
        if os.environ.get("BRIGADIR_TEST_NOW"):  # the server's clock moved (tests/conftest.py)
            from datetime import UTC, datetime

            page.clock.install(time=datetime.now(UTC))  # the browser's goes with it, ticking
        page.set_default_timeout(10_000)
        yield page
        browser.close()


def test_counter_order_from_login_to_payment(page, server, world, staff, screens):
    page.goto(f"{server}/admin/")
    assert "/login" in page.url
    page.fill("#login", "maria")
    page.fill("#password", "manager-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")

    # a new client at the counter
    page.goto(f"{server}/admin/client/new/")
    page.fill("#name", "Смирнова Ольга")
    page.fill("#phone", "8 (916) 555-44-33")
    page.click("input[type=submit][value='Сохранить'], button:has-text('Сохранить')")
    page.wait_for_url("**/admin/client/card/**")
    assert "Смирнова Ольга" in page.content()
    client_card = page.url

    # her order, with an advance
    page.click("text=Новый заказ")
    page.wait_for_url("**/admin/order/new/**")
    page.fill("#description", "Баннер 2×1 м, люверсы")
    page.fill("#cost", "12 500")
    page.fill("#advance", "2 500")
    page.click("input[type=submit][value='Сохранить'], button:has-text('Сохранить')")
    page.wait_for_url("**/admin/order/card/**")
    order = Order.select().order_by(Order.id.desc()).get()
    assert page.inner_text("#card-debt") == "10 000,00 ₽"

    # through the stages: В работе, then Выполнен (which notifies the client)
    for stage in ("В работе", "Выполнен"):
        page.select_option("select[name=stage]", label=stage)
        page.click("#move-button")
        page.wait_for_load_state()
        assert stage in page.inner_text("#history")
    assert "Выполнен" in page.inner_text("h3 + .badge, .badge-primary")
    assert "в очереди" in page.inner_text("#outbox")
    assert StageMove.select().where(StageMove.order == order.id).count() == 3
    assert (
        Notification.select()
        .where((Notification.order == order.id) & (Notification.audience == "client"))
        .count()
        == 2
    )

    # the rest of the money
    page.fill("input[name=amount]", "6 000")
    page.click("#pay-button")
    page.wait_for_load_state()
    assert page.inner_text("#card-debt") == "4 000,00 ₽"
    assert "6 000,00 ₽" in page.inner_text("#payments")
    page.fill("textarea[name=text]", "Ольга, баннер готов, можно забирать.")
    page.click("text=Отправить клиенту")
    page.wait_for_load_state()
    assert "баннер готов" in page.inner_text(".thread")
    page.screenshot(path=str(screens / "order-card.png"), full_page=True)

    page.goto(f"{server}/admin/order/")
    assert f"№{order.number}" in page.content()
    page.screenshot(path=str(screens / "order-list.png"), full_page=True)

    # inline stage change from the list
    row = page.locator(f"tr:has(a:text-is('№{order.number}'))")
    with page.expect_navigation():
        row.locator("select[name=stage]").select_option(label="Выдан")
    assert Order.get_by_id(order.id).stage.name == "Выдан"

    page.goto(client_card)
    assert "4 000,00 ₽" in page.content()  # the client's debt followed the payment
    page.screenshot(path=str(screens / "client-card.png"), full_page=True)
    page.goto(f"{server}/admin/client/")
    page.screenshot(path=str(screens / "client-list.png"), full_page=True)
    page.goto(f"{server}/admin/")
    page.screenshot(path=str(screens / "dashboard.png"), full_page=True)
    page.click("text=Выйти")
    page.wait_for_url("**/login")


def test_error_page_and_folder_share_look_right(page, server, world, staff, screens):
    """Issue 10 items 18 and 3 as a person sees them: a styled Russian error page with a way
    back, and the folder row of a card with its share button."""
    page.goto(f"{server}/login")
    page.fill("#login", "maria")
    page.fill("#password", "manager-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{server}/admin/order/card/?id=999999")
        assert page.inner_text("h1") == "Не найдено"
        # Bootstrap really applied: the primary button is coloured, not a bare link
        colour = page.eval_on_selector("a.btn-primary", "e => getComputedStyle(e).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), colour
        page.screenshot(path=str(screens / f"error-404-{width}.png"), full_page=True)
    page.click("text=На главную")
    page.wait_for_url("**/admin/")

    Order.update(folder="Клиенты/Иванов/2026-11-27 №1 Визитки").where(
        Order.id == world["own"].id
    ).execute()
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{server}/admin/order/card/?id={world['own'].id}")
        assert "Клиенты/Иванов/2026-11-27 №1 Визитки" in page.inner_text("#folder")
        page.screenshot(path=str(screens / f"order-card-folder-{width}.png"), full_page=True)
    # local folders cannot be published: no share button that could only fail
    assert page.locator("#share-button").count() == 0


def test_the_expense_table_in_a_browser(page, server, world, staff, actors, store, screens):
    """The director's expense table with a real receipt photo and its QR data, marked
    disputed with a click; at desktop and phone widths."""
    import random

    from core.base.money import rubles
    from core.files.attachments import save_receipt
    from core.money import cash
    from core.money.fiscal import parse_fiscal_qr
    from core.money.models import CashMovement
    from tests.fakes.receipts import Shot, fiscal_text, receipt_photo

    for n, (who, amount, category, note) in enumerate(
        [
            ("executor", 1240, "Бензин", "АИ-95 20 л"),
            ("executor", 3150, "Материалы", "кабель ВВГ 3х2,5 30 м"),
            ("executor2", 450, "Еда", "обед"),
        ]  # fmt: skip
    ):
        text = fiscal_text(random.Random(n), rubles(amount))
        photo = receipt_photo(text, Shot(size=(800, 600), angle=20 * n), seed=n)
        receipt = save_receipt(actors[who], store, f"чек{n}.jpg", photo)
        cash.log_expense(actors[who], rubles(amount), category, note, receipt=receipt,
                         fiscal=parse_fiscal_qr(text), order_id=world["mine"].id if n < 2 else None)  # fmt: skip
    page.goto(f"{server}/admin/")
    page.fill("#login", "director")
    page.fill("#password", "director-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(f"{server}/admin/expenses/")
    assert "Итого: 4 840,00 ₽" in page.inner_text("#expense-totals")
    page.locator("#expenses tbody tr, #expenses tr").nth(1).locator(
        "button[value=disputed]"
    ).click()
    page.wait_for_url("**/admin/expenses/**")
    assert CashMovement.select().where(CashMovement.review == "disputed").count() == 1
    page.screenshot(path=str(screens / "expenses.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screens / "expenses-390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{server}/admin/order/card/?id={world['mine'].id}")
    assert "Заработано" in page.inner_text("#materials")
    page.locator("#materials").screenshot(path=str(screens / "order-materials.png"))
