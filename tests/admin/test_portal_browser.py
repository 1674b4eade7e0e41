"""The portal in Debian Chromium at a phone's width (390 px): sign in with a code, see the
orders and a paper, add an order with a file, book a slot, pay on the fake YooKassa and see
the order paid. Screenshots at 390 and 1366 px go to BRIGADIR_SCREENS when it is set."""

from __future__ import annotations

import re
import shutil
import threading
from datetime import datetime, timedelta

import pytest
from werkzeug.serving import make_server

from core.access import SYSTEM
from core.base import settings
from core.base.clock import local_today
from core.conversations.models import Notification
from core.documents.issue import issue_document
from core.files.models import Attachment
from core.orders.models import Order
from core.selfservice import booking
from core.selfservice.models import Visit
from tests.admin.test_browser import CHROMIUM, FLAGS, screens  # noqa: F401 - the fixture
from tests.admin.test_online_payment import fake, make_app  # noqa: F401 - the fixture
from tests.conftest import need_service

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(db, staff, store, tmp_path, fake, world):  # noqa: F811
    app = make_app(tmp_path, store, fake)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_port}"
    fake.notify_url = f"{base}/yookassa/notify"
    yield base
    srv.shutdown()


@pytest.fixture
def browser():
    if not shutil.which(CHROMIUM):
        need_service("Chromium", f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


def shoot(browser, url_cookies, base, path, name, screens):  # noqa: F811
    """The same page at 1366 px (phones are shot in the test itself)."""
    wide = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
    wide.add_cookies(url_cookies)
    page = wide.new_page()
    page.goto(f"{base}{path}")
    page.screenshot(path=str(screens / f"{name}-1366.png"), full_page=True)
    wide.close()


def test_client_on_a_phone(browser, site, world, store, fake, screens, tmp_path):  # noqa: F811
    from tests.documents.test_issue import COMPANY

    settings.put("company", COMPANY)
    issue_document(world["director_actor"], "order_form", world["own"].id, store)
    booking.save_settings(SYSTEM, {"weekdays": [1, 2, 3, 4, 5, 6, 7], "min_hours_before": 0})

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="ru-RU", is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.set_default_timeout(10_000)

    # sign in with a one-time code that came through the outbox
    page.goto(f"{site}/my/")
    assert "/my/login" in page.url
    page.screenshot(path=str(screens / "portal-login-390.png"), full_page=True)
    page.fill("#contact", "8 912 345-67-89")
    page.click("text=Получить код")
    note = Notification.get(Notification.text.contains("Код для входа"))
    page.fill("#code", re.search(r"\d{6}", note.text)[0])
    page.click("button:has-text('Войти')")
    page.wait_for_url("**/my/")
    assert f"Заказ №{world['own'].number}" in page.content()
    assert f"Заказ №{world['foreign'].number}" not in page.content()
    page.screenshot(path=str(screens / "portal-orders-390.png"), full_page=True)
    cookies = phone.cookies()
    shoot(browser, cookies, site, "/my/", "portal-orders", screens)

    # an order with its paper (PDF download)
    page.click(f"#order-{world['own'].number}")
    page.wait_for_selector("#papers")
    assert "Бланк заказа №" in page.inner_text("#papers")
    with page.expect_download() as download:
        page.click("#papers a")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    assert page.inner_text("#debt") == "3 000,00 ₽"
    page.screenshot(path=str(screens / "portal-order-390.png"), full_page=True)
    shoot(browser, cookies, site, f"/my/orders/{world['own'].id}", "portal-order", screens)

    # a new order with a file
    layout = tmp_path / "макет.pdf"
    layout.write_bytes(b"%PDF-1.4 layout")
    page.click("header >> text=Новый заказ")
    page.fill("#description", "Листовки А5, 1000 шт.")
    page.set_input_files("#files", str(layout))
    page.screenshot(path=str(screens / "portal-new-390.png"), full_page=True)
    page.click("text=Отправить заказ")
    page.wait_for_url("**/my/orders/**")
    made = Order.select().order_by(Order.id.desc()).get()
    assert made.source == "portal" and "макет.pdf" in page.inner_text("#papers")
    assert Attachment.get(Attachment.order == made.id).original_name == "макет.pdf"

    # book a visit two days ahead, 11:00–13:00
    day = local_today() + timedelta(days=2)
    page.click("header >> text=Записаться")
    page.click(f"#days a[href='?day={day.isoformat()}']")
    page.click("#slots label:has-text('11:00–13:00')")
    page.fill("#address", "пос. Берёзки, ул. Лесная, 12")
    page.fill("#description", "Подключить дом, 15 кВт")
    page.screenshot(path=str(screens / "portal-book-390.png"), full_page=True)
    shoot(browser, phone.cookies(), site, f"/my/book?day={day.isoformat()}", "portal-book", screens)
    page.click("button:has-text('Записаться')")
    page.wait_for_url("**/my/orders/**")
    visit = Visit.get()
    assert "пос. Берёзки" in page.inner_text("#visit") and visit.client_id == world["c1"].id

    # pay the first order on the fake YooKassa and come back to it paid
    page.goto(f"{site}/my/orders/{world['own'].id}")
    page.click("#pay")
    page.wait_for_url(f"{fake.url}/checkout/**")
    page.click("#pay")
    page.wait_for_url(f"**/my/orders/{world['own'].id}")
    assert page.inner_text("#debt") == "0,00 ₽"
    assert "Онлайн" in page.inner_text("#payments")
    page.screenshot(path=str(screens / "portal-paid-390.png"), full_page=True)
    phone.close()


def test_director_booking_page(browser, site, world, staff, screens):  # noqa: F811
    from core.access import actor_for_client
    from core.base.clock import from_local

    booking.save_settings(SYSTEM, {"weekdays": [1, 2, 3, 4, 5, 6, 7], "min_hours_before": 0})
    day = local_today() + timedelta(days=1)
    slot = from_local(datetime(day.year, day.month, day.day, 11, 0))
    booking.book_visit(actor_for_client(world["c1"].id), world["c1"].id, slot, "ул. Садовая, 3")
    for width in (1366, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
        page = context.new_page()
        page.goto(f"{site}/login")
        page.fill("#login", "director")
        page.fill("#password", "director-pass-1")
        page.click("button[type=submit]")
        page.wait_for_url("**/admin/")
        page.goto(f"{site}/admin/booking/")
        page.fill("#days_ahead", "abc")
        page.click("#booking-settings button")
        assert "целое число" in page.content()
        assert "ул. Садовая, 3" in page.inner_text("#visits")
        page.screenshot(path=str(screens / f"admin-booking-{width}.png"), full_page=True)
        context.close()
