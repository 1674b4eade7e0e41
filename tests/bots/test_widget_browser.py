"""The site chat widget in Chromium, embedded in a page served on another origin (a second
local port), on a desktop and on a phone: write, get a staff answer live, leave a phone,
send a file."""

from __future__ import annotations

import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from werkzeug.serving import make_server

from bots.web.delivery import WebChatSender
from cli.serve import build_web_app
from core.base.config import AppSection, Config, WidgetSection
from core.clients.models import Client
from core.conversations import inbox_actions
from core.conversations.models import Dialogue
from core.files.models import Attachment
from scheduler.deliverer import Deliverer
from tests.bots.test_webchat import CHROMIUM, FLAGS
from tests.conftest import need_service
from tests.fakes.memory_store import MemoryStore

SHOTS = "/work/team/screens/i14"


def _site(app_url: dict[str, str]) -> ThreadingHTTPServer:
    """The firm's own site: a page that only pastes the script tag."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server name)
            page = (
                '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                "<title>Типография</title></head><body><h1>Типография «Оттиск»</h1>"
                "<p>Печать баннеров и визиток.</p>"
                f'<script src="{app_url["url"]}/widget.js" async></script></body></html>'
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page.encode())

        def log_message(self, *args):
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Page)


@pytest.fixture
def two_origins(db, staff):
    if not shutil.which(CHROMIUM):
        need_service("Chromium", f"{CHROMIUM} не найден")
    app_url: dict[str, str] = {}
    site = _site(app_url)
    site_url = f"http://127.0.0.1:{site.server_port}"
    store = MemoryStore()
    config = Config(app=AppSection(secret_key="k" * 32),
                    widget=WidgetSection(allowed_origins=(site_url,)))  # fmt: skip
    server = make_server("127.0.0.1", 0, build_web_app(config, store), threaded=True)
    app_url["url"] = f"http://127.0.0.1:{server.server_port}"
    for srv in (site, server):
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield site_url, store
    site.shutdown()
    server.shutdown()


def _deliver() -> None:
    Deliverer({"web": WebChatSender()}, Config(), sleep=lambda s: None).run_once()


@pytest.mark.e2e
@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_the_widget_on_another_site(two_origins, actors, tmp_path, width, height):
    from playwright.sync_api import expect, sync_playwright

    site_url, store = two_origins
    shots = SHOTS if os.path.isdir("/work/team") else str(tmp_path)
    os.makedirs(shots, exist_ok=True)
    pdf = tmp_path / "макет.pdf"
    pdf.write_bytes(b"%PDF-1.4 test")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": width, "height": height}, locale="ru-RU")
        page.goto(site_url)
        page.click("button.bubble")
        panel = page.locator(".panel")
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1  # fits the screen
        if width < 480:
            assert box["width"] >= width - 1  # a phone: the chat takes the whole screen
        page.fill("input.text", "Сколько стоят визитки 1000 шт?")
        page.press("input.text", "Enter")
        expect(page.locator(".them").last).to_contain_text("Как к вам обращаться")
        page.fill("input.text", "Ольга")
        page.press("input.text", "Enter")
        expect(page.locator(".them").last).to_contain_text("телефон")
        page.set_input_files("input.file", str(pdf))
        expect(page.locator(".them").last).to_contain_text("Файл получен")
        page.click("button.callme")
        page.fill("input.cphone", "+7 912 777-66-55")
        page.click(".call button.act")
        expect(page.locator(".them").last).to_contain_text("Перезвоним")
        lead = Client.get(Client.is_lead)
        assert (lead.name, lead.phone, lead.source) == ("Ольга", "+79127776655", "web")
        dialogue = Dialogue.get(Dialogue.client == lead.id)
        inbox_actions.reply(actors["manager"], dialogue.id, "Ольга, 1000 визиток — 1 900 ₽.")
        _deliver()
        expect(page.locator(".them").last).to_contain_text("1 900 ₽", timeout=10_000)
        page.wait_for_timeout(3500)  # another poll or two: the answer is shown once
        assert page.locator(".them", has_text="1 900 ₽").count() == 1
        page.screenshot(path=os.path.join(shots, f"widget-{width}.png"))
        browser.close()
    file = Attachment.get(Attachment.client == lead.id)
    assert store.read(file.storage_key) == b"%PDF-1.4 test"
