"""Issue 29, item 25: «today» is the firm's, whatever the hour and whatever the clock zone of the
person's computer. The clock is frozen (server and browser alike) at 23:30 UTC and at 00:30 in
Moscow — the two hours when Moscow is already tomorrow for a computer on UTC — and the order
list's date filter, opened and applied as it offers itself, finds the order taken a minute ago.
The server's quick due dates count from the firm's today too."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from core.base.clock import local_today
from tests.admin.test_browser import CHROMIUM, FLAGS, screens, server  # noqa: F401 - fixtures
from tests.conftest import need_service

pytestmark = pytest.mark.e2e

INSTANTS = {
    "23:30 UTC": datetime(2026, 12, 7, 23, 30, tzinfo=UTC),  # 02:30 on the 8th in Moscow
    "00:30 Moscow": datetime(2026, 12, 7, 21, 30, tzinfo=UTC),  # still the 7th in UTC
}
FIRM_DAY = "08.12.2026"


@pytest.fixture(params=sorted(INSTANTS))
def frozen(request):
    """The process's clock (every thread: the server too) starts at the instant and ticks."""
    with time_machine.travel(INSTANTS[request.param], tick=True):
        yield INSTANTS[request.param]


@pytest.fixture
def utc_page(frozen, server):  # noqa: F811
    """A person whose computer keeps UTC, its clock at the same instant."""
    if not shutil.which(CHROMIUM):
        need_service("Chromium", f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU",
                                      timezone_id="UTC")  # fmt: skip
        page = context.new_page()
        page.clock.set_fixed_time(frozen)
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def test_the_clock_is_frozen_where_moscow_is_already_tomorrow(frozen):
    assert local_today().strftime("%d.%m.%Y") == FIRM_DAY
    assert datetime.now(UTC).date() == datetime(2026, 12, 7).date()


def test_the_date_filter_offers_the_firms_today(frozen, world, utc_page, server, screens):  # noqa: F811
    page = utc_page
    page.goto(f"{server}/login")
    page.fill("#login", "director")
    page.fill("#password", "director-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    assert page.evaluate("new Date().getUTCDate()") == 7  # the browser's own today is the 7th
    page.goto(f"{server}/admin/order/")
    page.click("text=Фильтр")
    page.click(".field-filters >> text=Дата приёма")
    field = page.locator("#filter_form .filter-val").first
    field.click()
    picker = page.locator(".daterangepicker").last
    picker.wait_for(state="visible")
    picker.locator(".applyBtn").click()
    assert field.input_value() == f"{FIRM_DAY} — {FIRM_DAY}"
    page.click("#filter_form button[type=submit], #filter_form .btn-primary")
    page.wait_for_load_state()
    page.screenshot(path=str(screens / "firm-today-filter.png"))
    assert "Визитки 1000 шт" in page.inner_text(".model-list")  # taken a minute ago


def test_quick_due_dates_count_from_the_firms_today(frozen):
    from admin.views.orders.counter import quick_dates

    dates = dict(quick_dates())
    assert dates["сегодня"] == FIRM_DAY
    firm = datetime.strptime(FIRM_DAY, "%d.%m.%Y").date()
    assert dates["завтра"] == (firm + timedelta(days=1)).strftime("%d.%m.%Y")
    assert re.fullmatch(r"\d\d\.\d\d\.2026", dates["пятница"])
