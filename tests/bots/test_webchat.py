"""The web chat: its JSON endpoints through Flask's test client, and the page driven in
Debian Chromium with Playwright on a phone-size screen."""

from __future__ import annotations

import io
import os
import shutil
import threading

import pytest
from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.serving import make_server

from bots.web import make_blueprint
from core.access import SYSTEM
from core.base.config import Config
from core.base.money import rubles
from core.clients.clients import create_client
from core.clients.models import MessengerLink
from core.files.models import Attachment
from core.money.cash import issue_advance
from core.money.models import CashMovement
from core.orders.orders import create_order
from core.people.staff import create_invite
from tests.bots.conftest import jpeg
from tests.fakes.memory_store import MemoryStore

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]  # fmt: skip


def make_app(store, csrf: bool = True) -> Flask:
    app = Flask(__name__)
    app.secret_key = "test-secret"
    if csrf:
        CSRFProtect(app)
    app.register_blueprint(make_blueprint(Config(), store), url_prefix="/chat")
    return app


def test_endpoints_need_the_csrf_token_and_join_by_code(staff):
    store = MemoryStore()
    client = make_app(store).test_client()
    page = client.get("/chat/").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    assert token and "{{" not in page
    headers = {"X-Requested-With": "brigadir"}
    assert (
        client.post("/chat/api/send", json={"text": "привет"}, headers=headers).status_code == 400
    )
    headers["X-CSRFToken"] = token
    code = create_invite(SYSTEM, employee_id=staff["executor"].id).code
    replies = client.post("/chat/api/send", json={"text": code}, headers=headers).get_json()[
        "replies"
    ]
    assert "Вы подключены" in replies[0]["text"] and replies[0]["menu"]
    assert MessengerLink.get().channel == "web"
    big = {
        "file": (__import__("io").BytesIO(b"x" * (20 * 1024 * 1024 + 1)), "big.jpg", "image/jpeg")
    }
    replies = client.post("/chat/api/upload", data=big, headers=headers,
                          content_type="multipart/form-data").get_json()["replies"]  # fmt: skip
    assert "больше 20 МБ" in replies[0]["text"] and not store.files


def test_a_client_uploads_a_layout_into_the_order(staff, actors):
    store = MemoryStore()
    client = make_app(store, csrf=False).test_client()
    headers = {"X-Requested-With": "brigadir"}
    person = create_client(actors["manager"], "Орлова Анна", "+79120000004")
    order = create_order(actors["manager"], person.id, "Баннер", rubles(3000))
    code = create_invite(actors["manager"], client_id=person.id).code
    client.post("/chat/api/send", json={"text": code}, headers=headers)
    upload = {"file": (io.BytesIO(jpeg("green")), "макет.jpg", "image/jpeg"), "caption": "Макет"}
    replies = client.post("/chat/api/upload", data=upload, headers=headers,
                          content_type="multipart/form-data").get_json()["replies"]  # fmt: skip
    assert "Файл получен" in replies[0]["text"]
    attachment = Attachment.get()
    assert (attachment.order_id, attachment.message.text) == (order.id, "Макет")
    assert attachment.message.channel == "web" and store.read(attachment.storage_key) == jpeg(
        "green"
    )


def test_a_cross_site_post_is_refused_without_csrf_too(staff):
    client = make_app(MemoryStore(), csrf=False).test_client()
    client.get("/chat/")
    assert client.post("/chat/api/send", json={"text": "баланс"}).status_code == 403


@pytest.fixture
def live_chat(staff):
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        from tests.conftest import need_service

        need_service("Chromium", f"{CHROMIUM} не найден")
    store = MemoryStore()
    server = make_server("127.0.0.1", 0, make_app(store), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/chat/", store
    server.shutdown()


@pytest.mark.e2e
def test_the_web_chat_in_chromium(live_chat, staff, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, store = live_chat
    issue_advance(SYSTEM, staff["executor"].id, rubles(10_000))
    code = create_invite(SYSTEM, employee_id=staff["executor"].id).code
    photo = tmp_path / "receipt.jpg"
    photo.write_bytes(jpeg("orange", (400, 300)))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="ru-RU",
                                device_scale_factor=2)  # fmt: skip
        page.goto(url)
        expect(page.locator(".bot").first).to_contain_text("код приглашения")
        page.fill("#text", code)
        page.press("#text", "Enter")
        expect(page.locator(".bot").last).to_contain_text("Вы подключены")
        page.click("#menu >> text=💰 Баланс")
        expect(page.locator(".bot").last).to_contain_text("На руках: 10 000,00 ₽")
        page.fill("#text", "бензин 1000")
        page.set_input_files("#file", str(photo))
        expect(page.locator(".bot").last).to_contain_text("Осталось на руках: 9 000,00 ₽")
        page.fill("#text", "потратил 5000")
        page.press("#text", "Enter")
        expect(page.locator(".bot").last).to_contain_text("На что потратили")
        page.click(".bot >> nth=-1 >> text=Материалы")
        expect(page.locator(".bot").last).to_contain_text("Осталось на руках: 4 000,00 ₽")
        shots = os.environ.get("BRIGADIR_SCREENS", str(tmp_path))
        page.screenshot(path=os.path.join(shots, "webchat-phone.png"))
        browser.close()
    expenses = list(CashMovement.select().where(CashMovement.kind == "expense"))
    assert len(expenses) == 2 and expenses[0].receipt_id and len(store.files) == 1


@pytest.mark.e2e
def test_the_web_chat_keeps_its_history_after_a_reload(live_chat, staff, tmp_path):
    """Issue 28: a reload (or a phone waking the tab) shows the conversation so far and its
    menu, and does not greet again; another browser's chat starts clean."""
    from playwright.sync_api import expect, sync_playwright

    url, _store = live_chat
    issue_advance(SYSTEM, staff["executor"].id, rubles(10_000))
    code = create_invite(SYSTEM, employee_id=staff["executor"].id).code
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="ru-RU")
        page.goto(url)
        page.fill("#text", code)
        page.press("#text", "Enter")
        expect(page.locator(".bot").last).to_contain_text("Вы подключены")
        page.click("#menu >> text=💰 Баланс")
        expect(page.locator(".bot").last).to_contain_text("На руках: 10 000,00 ₽")
        before = page.locator(".msg").count()
        page.reload()
        expect(page.locator(".bot").last).to_contain_text("На руках: 10 000,00 ₽")
        assert page.locator(".msg").count() == before  # the same messages, no second greeting
        assert page.locator(".me").nth(1).inner_text() == "💰 Баланс"
        expect(page.locator("#menu button").first).to_be_visible()  # the menu is back
        page.click("#menu >> text=💰 Баланс")  # and works
        expect(page.locator(".bot").last).to_contain_text("На руках: 10 000,00 ₽")
        page.screenshot(path=os.path.join(os.environ.get("BRIGADIR_SCREENS", str(tmp_path)),
                                          "webchat-after-reload.png"))  # fmt: skip
        other = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        other.goto(url)
        expect(other.locator(".bot").first).to_contain_text("код приглашения")
        assert "На руках" not in other.inner_text("#log")
        browser.close()


def test_a_malformed_chat_body_is_refused_in_russian_and_writes_nothing(staff):
    from core.conversations.models import Message

    client = make_app(MemoryStore(), csrf=False).test_client()
    headers = {"X-Requested-With": "brigadir", "Content-Type": "application/json"}
    for body in (b"[1]", b"{oops", b'"text"', b"{" * 40 + b"}" * 40):
        resp = client.post("/chat/api/send", data=body, headers=headers)
        assert resp.status_code == 400 and "Неверный запрос" in resp.get_data(as_text=True)
    assert Message.select().count() == 0 and MessengerLink.select().count() == 0
