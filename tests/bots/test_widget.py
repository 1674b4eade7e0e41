"""The site chat widget on the open internet: only the configured sites, a visitor sees only
their own conversation, a honeypot, size limits, and the database limiter that cuts a flood."""

from __future__ import annotations

import io
import time

import pytest

from bots.web.delivery import WebChatSender
from bots.web.widget import COOKIE
from cli.serve import build_web_app
from core.base.config import AppSection, Config, WidgetSection
from core.base.models import RateCount
from core.clients.models import Client
from core.conversations import inbox_actions
from core.conversations.models import Dialogue, Message
from core.files.models import Attachment
from scheduler.deliverer import Deliverer
from tests.fakes.memory_store import MemoryStore

SITE = "http://firm-site.test"


def make_config(**limits) -> Config:
    return Config(app=AppSection(secret_key="k" * 32),
                  widget=WidgetSection(allowed_origins=(SITE,), **limits))  # fmt: skip


@pytest.fixture
def site(db, staff):
    store = MemoryStore()
    app = build_web_app(make_config(), store)
    return app, store


def _send(client, text, origin=SITE, **body):
    return client.post("/widget/api/send", json={"text": text, **body}, headers={"Origin": origin})


def test_the_script_is_served_by_the_app_itself(site):
    app, _ = site
    resp = app.test_client().get("/widget.js")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.mimetype == "application/javascript"
    assert "attachShadow" in body and "http" not in body.split("*/", 1)[1].replace(
        "location.href", ""
    )  # no third-party asset is fetched


def test_a_visitor_writes_a_manager_answers_and_only_they_see_it(site, actors):
    app, _ = site
    anna, bob = app.test_client(), app.test_client()
    first = _send(anna, "Сколько стоит баннер 3х6?")
    assert first.status_code == 200 and "обращаться" in first.get_json()["replies"][0]["text"]
    assert first.headers["Access-Control-Allow-Origin"] == SITE
    cookie = first.headers["Set-Cookie"]
    assert COOKIE in cookie and "HttpOnly" in cookie
    _send(bob, "А у вас есть визитки?")
    lead = Client.get(Client.name.contains("Новый клиент"), Client.is_lead)
    dialogue = Dialogue.get(Dialogue.client == lead.id)
    assert dialogue.channel == "web"
    anna_dialogue = Dialogue.get(Dialogue.last_text.contains("баннер"))
    inbox_actions.reply(actors["manager"], anna_dialogue.id, "Баннер 3х6 — 4 500 ₽")
    Deliverer({"web": WebChatSender()}, Config(), sleep=lambda s: None).run_once()
    got = anna.get("/widget/api/poll?after=0", headers={"Origin": SITE}).get_json()
    assert [r["text"] for r in got["replies"]] == ["Баннер 3х6 — 4 500 ₽"]
    other = bob.get("/widget/api/poll?after=0", headers={"Origin": SITE}).get_json()
    assert other["replies"] == []
    forged = (
        app.test_client()
        .get(  # somebody else's id in the header: still theirs only
            "/widget/api/poll?after=0", headers={"Origin": SITE, "X-Visitor": "short"}
        )
        .get_json()
    )
    assert forged["replies"] == []


def test_another_site_is_refused_and_nothing_written(site):
    app, _ = site
    client = app.test_client()
    resp = _send(client, "Привет", origin="http://evil.test")
    assert resp.status_code == 403 and "Access-Control-Allow-Origin" not in resp.headers
    assert (
        client.options("/widget/api/send", headers={"Origin": "http://evil.test"}).status_code
        == 403
    )
    ok = client.options("/widget/api/send", headers={"Origin": SITE})
    assert ok.status_code == 204 and ok.headers["Access-Control-Allow-Credentials"] == "true"
    assert Message.select().count() == 0 and Client.select().count() == 0


def test_the_honeypot_and_the_size_limits_write_nothing(site):
    app, store = site
    client = app.test_client()
    assert _send(client, "Купите SEO", website="http://spam.test").get_json()["replies"] == []
    too_long = _send(client, "а" * 2001)
    assert too_long.status_code == 413 and "2000" in too_long.get_json()["error"]
    big = io.BytesIO(b"%PDF-1.4 " + b"0" * (10 * 1024 * 1024 + 10))
    resp = client.post("/widget/api/upload", data={"file": (big, "big.pdf")},
                       headers={"Origin": SITE}, content_type="multipart/form-data")  # fmt: skip
    assert resp.status_code == 413 and "10 МБ" in resp.get_json()["error"]
    assert Message.select().count() == 0 and Client.select().count() == 0 and not store.files


def test_a_file_and_a_call_back_request_are_kept(site):
    app, store = site
    client = app.test_client()
    pdf = io.BytesIO(b"%PDF-1.4 macket")
    client.post("/widget/api/upload", data={"file": (pdf, "макет.pdf"), "caption": "вот макет"},
                headers={"Origin": SITE}, content_type="multipart/form-data")  # fmt: skip
    bad = _send(client, "", phone="12")
    assert bad.status_code == 400
    done = _send(client, "", phone="8 912 777-66-55", name="Ольга")
    assert "Перезвоним" in done.get_json()["replies"][0]["text"]
    again = _send(client, "", phone="8 912 777-66-55", name="Ольга")  # pressed twice
    assert again.status_code == 200
    lead = Client.get(Client.is_lead)
    assert (lead.name, lead.phone, lead.source) == ("Ольга", "+79127776655", "web")
    file = Attachment.get(Attachment.client == lead.id)
    assert store.read(file.storage_key) == b"%PDF-1.4 macket"
    texts = [m.text for m in Message.select().where(Message.client == lead.id)]
    assert "вот макет" in texts and "Прошу перезвонить: 8 912 777-66-55" in texts


@pytest.fixture
def one_minute(monkeypatch):
    """The limits' clock stands still: a slow run (a thousand requests on a loaded machine)
    must not cross into the next minute's window, which would rightly admit 20 more."""
    import types

    from core.base import ratelimit

    start = time.time() // 60 * 60 + 30
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: start))


def test_a_flood_of_a_thousand_messages_from_one_address_is_cut(db, staff, one_minute):
    app = build_web_app(
        make_config(per_ip_per_minute=20, per_visitor_per_minute=1000), MemoryStore()
    )
    client = app.test_client()
    codes = [_send(client, f"спам {i}").status_code for i in range(1000)]
    assert codes.count(200) == 20 and codes.count(429) == 980
    assert Message.select().where(Message.direction == "in").count() == 20
    cookieless = app.test_client(use_cookies=False)  # new visitors from the same address
    assert _send(cookieless, "ещё").status_code == 429
    assert Client.select().count() == 1 and RateCount.select().count() >= 1


def test_one_visitor_is_limited_too(db, staff, one_minute):
    app = build_web_app(make_config(per_visitor_per_minute=3), MemoryStore())
    client = app.test_client()
    codes = [_send(client, f"вопрос {i}").status_code for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]
