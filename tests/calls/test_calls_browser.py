"""The caller's card in Debian Chromium: a manager on the order list sees who is calling as
the PBX posts its notifications over HTTP, follows «Заказ за стойкой» with the number
filled in; a recording plays on the order card — at 1366 px and on a 390 px phone."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from bots.phone.webhook import NOVOFON
from core.base.money import rubles
from core.calls import recordings
from core.clients.clients import create_client
from core.orders.orders import create_order
from tests.admin.test_browser import page, screens  # noqa: F401 - shared fixtures
from tests.calls.test_calls_admin import CALLER, pbx_app  # noqa: F401

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(pbx_app):  # noqa: F811
    srv = make_server("127.0.0.1", 0, pbx_app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


def sign_in(browser, base, width=1366):
    browser.set_viewport_size({"width": width, "height": 900})
    browser.goto(f"{base}/admin/order/")
    browser.fill("#login", "maria")
    browser.fill("#password", "manager-pass-1")
    browser.click("button[type=submit]")
    browser.wait_for_url("**/admin/order/**")


def ring(novofon, base, call_id, caller, rings=("101",)):
    for form, headers in novofon.incoming(call_id, caller, "2026-12-07 10:00:00", rings=rings)[
        : 1 + len(rings)
    ]:
        assert novofon.post(base + NOVOFON, form, headers).status_code == 200


@pytest.mark.parametrize("width", [1366, 390])
def test_the_caller_appears_on_the_page(page, server, novofon, actors, screens, width):  # noqa: F811
    person = create_client(actors["manager"], "Иванов Иван", "+7 912 345-67-89")
    create_order(actors["manager"], person.id, "Баннер 3×6 с люверсами", rubles(12500))
    sign_in(page, server, width)
    ring(novofon, server, "c1", CALLER)
    card = page.wait_for_selector(".call-card")
    text = card.inner_text()
    assert "10:00" in text  # the firm's clock (Moscow), whatever zone the browser is in
    assert (
        "Звонит" in text
        and "Иванов Иван" in text
        and "Баннер 3×6" in text
        and "долг 12 500,00 ₽" in text
    )
    page.screenshot(path=str(screens / f"call-card-{width}.png"))
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # fits the screen
    ring(novofon, server, "c2", "79035550011")
    page.wait_for_selector(".call-card:has-text('Новый номер')")
    page.screenshot(path=str(screens / f"call-cards-two-{width}.png"))
    page.click(".call-card:has-text('Новый номер') >> text=Заказ за стойкой")
    page.wait_for_url("**/admin/order/new/**")
    assert page.input_value("#new_client_phone") == "+7 903 555-00-11"


def test_a_recording_plays_on_the_order_card(page, server, novofon, actors, store, screens):  # noqa: F811
    from tests.fakes.pbx import MP3

    person = create_client(actors["manager"], "Иванов Иван", "+7 912 345-67-89")
    order = create_order(actors["manager"], person.id, "Визитки", rubles(3000))
    novofon.recordings["r1"] = MP3
    for form, headers in novofon.incoming("c1", CALLER, "2026-12-07 10:00:00", answered_by="101",
                                          duration=42, record="r1"):  # fmt: skip
        novofon.post(server + NOVOFON, form, headers)
    from bots.phone import pbx
    from core.calls.models import Call

    assert recordings.fetch_due(pbx(), store, now=Call.get().recording_due) == 1
    sign_in(page, server)
    page.goto(f"{server}/admin/order/card/?id={order.id}")
    page.wait_for_selector("#calls audio")
    assert "разговор 42 с" in page.inner_text("#calls")
    duration = page.evaluate(
        """() => new Promise((done) => { const a = document.querySelector('#calls audio');
             a.preload = 'auto'; a.addEventListener('loadedmetadata', () => done(a.duration));
             a.addEventListener('error', () => done(-1)); a.load(); })"""
    )
    assert duration > 0.5
    page.screenshot(path=str(screens / "call-recording-card-1366.png"), full_page=True)
