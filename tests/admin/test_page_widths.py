# ruff: noqa: F811 - pytest fixtures imported from other test modules are parameters here
"""Issue 12: every main page of the director fits a desktop (1366 px) and a phone (390 px)
without the document scrolling sideways; a wide table may scroll inside its own wrapper.
Each page is screenshotted at both widths (BRIGADIR_SCREENS keeps them)."""

from __future__ import annotations

import re

import pytest

from cli.demo_inbox import fill_inbox
from core.people.staff import add_bonus
from core.tasks.tasks import create_task
from tests.admin.test_browser import page, screens, server  # noqa: F401 - fixtures
from tests.admin.test_browser_pages import filled  # noqa: F401 - fixture
from tests.admin.test_russian_everywhere import demo_firm  # noqa: F401 - fixture

pytestmark = pytest.mark.e2e

PAGES = (
    ("dashboard", "/admin/"), ("inbox", "/admin/inbox/"), ("orders", "/admin/order/"),
    ("order-card", "/admin/order/card/?id={own}"), ("order-new", "/admin/order/new/"),
    ("order-edit", "/admin/order/edit/?id={own}"), ("clients", "/admin/client/"),
    ("client-card", "/admin/client/card/?id={client}"), ("cash", "/admin/cash/"),
    ("expenses", "/admin/expenses/"), ("documents", "/admin/documents/"), ("tasks", "/admin/task/"),
    ("mailing", "/admin/mailing/"), ("team", "/admin/team/"), ("employees", "/admin/employee/"),
    ("crews", "/admin/crew/"), ("bonuses", "/admin/bonus/"), ("pay", "/admin/pay/"),
    ("pay-card", "/admin/pay/card/?employee={executor}"),
    ("settings", "/admin/settings/"), ("columns", "/admin/settings/columns/"),
    ("stages", "/admin/stage/"), ("booking", "/admin/booking/"),
    ("templates", "/admin/template/"), ("import", "/admin/import/"), ("mailboxes", "/admin/mailboxes/"),
)  # fmt: skip

# How far the document reaches past the window, and which element sticks out the most.
OVERFLOW = """() => {
  const doc = document.documentElement, width = window.innerWidth;
  let worst = null, reach = width;
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.width && r.right > reach && !e.closest('.table-responsive, .modal, .dropdown-menu')) {
      reach = r.right; worst = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
        (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
    }
  }
  return [doc.scrollWidth - width, worst, Math.round(reach)];
}"""


def _paid(staff) -> None:
    """Pay rules and an absence, so the pay sheet and card show every kind of line."""
    from datetime import timedelta

    from core.access import SYSTEM
    from core.base.clock import local_today
    from core.orders.models import Stage
    from core.pay import rules

    first = local_today().replace(day=1)
    mounting = Stage.get(Stage.code == "mounting").id
    rules.set_rule(SYSTEM, staff["executor"].id, first - timedelta(days=400), salary=3_000_000,
                   percent=250, percent_base="margin", rates={mounting: 300_000})  # fmt: skip
    rules.set_rule(
        SYSTEM, staff["manager"].id, first, salary=4_000_000, percent=300, scope="answered"
    )
    rules.mark_absent(SYSTEM, staff["executor"].id, first, "больничный")


def _login(page, server):
    page.goto(f"{server}/login")
    page.fill("#login", "director")
    page.fill("#password", "director-pass-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


def test_every_main_page_fits_a_desktop_and_a_phone(
    demo_firm, page, server, filled, actors, staff, store, screens
):
    fill_inbox(store)
    create_task(actors["manager"], "Позвонить клиенту про макет", order_id=filled["own"].id)
    add_bonus(
        actors["director"], staff["executor"].id, "bonus", 200000, "За срочный монтаж", "2026-11"
    )
    _paid(staff)
    _login(page, server)
    wide = {}
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name, url in PAGES:
            page.goto(server + url.format(own=filled["own"].id, client=filled["c2"].id,
                                          executor=staff["executor"].id))  # fmt: skip
            overflow, worst, reach = page.evaluate(OVERFLOW)
            page.screenshot(path=str(screens / f"{name}-{width}.png"), full_page=True)
            if overflow > 0:
                wide[f"{name} at {width}"] = (
                    f"{overflow} px sideways, widest: {worst} to {reach} px"
                )
    assert not wide, "\n".join(f"{k}: {v}" for k, v in wide.items())


def test_the_date_filter_speaks_russian_and_writes_dates_as_the_firm_does(
    page, server, world, screens
):
    """The order list's «Дата приёма» filter: the picker in Russian, Monday first, the field
    filled as 01.11.2026 — 30.11.2026, and the list filtered by it."""
    _login(page, server)
    page.goto(f"{server}/admin/order/")
    page.click("text=Фильтр")
    page.click(".field-filters >> text=Дата приёма")
    field = page.locator("#filter_form .filter-val").first
    field.click()
    picker = page.locator(".daterangepicker").last
    picker.wait_for(state="visible")
    page.screenshot(path=str(screens / "date-filter-1366.png"))
    words = picker.inner_text()
    assert "Применить" in words and "Отмена" in words and "Apply" not in words
    assert picker.locator("th").filter(has_text="Пн").count() >= 1
    assert picker.locator("tr th").nth(0).inner_text() in ("Пн", "")  # a week starts on Monday
    picker.locator(".applyBtn").click()
    value = field.input_value()
    assert re.fullmatch(r"\d{2}\.\d{2}\.\d{4} — \d{2}\.\d{2}\.\d{4}", value), value
    page.click("#filter_form button[type=submit], #filter_form .btn-primary")
    page.wait_for_load_state()
    assert "не понял" not in page.content()
    assert "Визитки 1000 шт" in page.inner_text(".model-list")


# What sticks out of the window or of its own box (a cell cut off by a card's edge).
STICKS_OUT = """(selector) => {
  const width = window.innerWidth, out = [];
  for (const e of document.querySelectorAll(selector)) {
    const box = e.getBoundingClientRect(), parent = e.parentElement.getBoundingClientRect();
    if (box.right > width || box.right > parent.right + 0.5 || e.scrollWidth > e.clientWidth + 1)
      out.push([e.tagName, Math.round(box.right), Math.round(parent.right), e.scrollWidth, e.clientWidth]);
    for (const cell of e.querySelectorAll('td')) {
      const r = cell.getBoundingClientRect();
      if (r.right > parent.right + 0.5) out.push(['TD', cell.innerText, Math.round(r.right)]);
    }
  }
  return out;
}"""


def test_payments_and_pagers_fit_a_phone(page, server, world, staff, actors, screens):
    """Issue 28: the card's payments (the sum was cut off at 415 px) and the pagers of the
    client list and the archive (409 px) fit 390 px."""
    from core.base.clock import utcnow
    from core.base.money import rubles
    from core.clients.models import Client
    from core.money.payments import add_payment
    from core.orders.models import Order, Stage

    order = world["foreign"]  # 12 500 ₽
    for amount, kind, method in ((rubles(2500), "advance", "transfer"), (rubles(4000), "other", "online"),
                                 (rubles(6000), "final", "transfer")):  # fmt: skip
        add_payment(actors["director"], order.id, amount, kind=kind, method=method)
    now = utcnow()
    Client.insert_many(
        [{"name": f"Клиент {i:04d}", "created_at": now} for i in range(1200)]
    ).execute()
    archive = Stage.get((Stage.code == "archive") & (Stage.pipeline == order.pipeline_id))
    rows = [{"number": 10_000 + i, "pipeline": order.pipeline_id, "stage": archive.id,
             "client": world["c1"].id, "description": "Старый заказ", "is_archived": True,
             "created_at": now, "updated_at": now} for i in range(1200)]  # fmt: skip
    Order.insert_many(rows).execute()
    Stage.update(order_count=Stage.order_count + len(rows)).where(Stage.id == archive.id).execute()
    _login(page, server)
    page.set_viewport_size({"width": 390, "height": 900})
    problems = {}
    for name, url, selector in (
        ("order-card-payments", f"/admin/order/card/?id={order.id}", "#payments"),
        ("clients-pager", "/admin/client/?page=12", ".pagination"),
        ("archive-pager", "/admin/order/?tab=archive&page=12", ".pagination"),
    ):
        page.goto(server + url)
        assert page.locator(selector).count(), name
        page.screenshot(path=str(screens / f"{name}-390.png"), full_page=True)
        out = page.evaluate(STICKS_OUT, selector)
        overflow, worst, reach = page.evaluate(OVERFLOW)
        if out or overflow > 0:
            problems[name] = (out, worst, reach)
    assert "6 000,00 ₽" in page.goto(server + f"/admin/order/card/?id={order.id}").text()
    assert not problems, problems
