"""Issue 24: a Content-Security-Policy without inline scripts. Every page each role reaches
(walked from the menu, as tests/admin/test_russian_everywhere.py walks it), the login, the
portal's and the web chat's pages carry no inline script, no on…= handler and no javascript:
address — so the policy can say script-src 'self' and a script injected into a page by a
client's text would not run — and every answer sends that policy."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from core.orders.models import Order
from tests.admin.conftest import LOGINS, PASSWORDS
from tests.admin.test_browser import page, server  # noqa: F401 - fixtures
from tests.admin.test_browser_pages import filled  # noqa: F401 - fixture
from tests.admin.test_russian_everywhere import crawl, demo_firm, firm  # noqa: F401 - fixtures

DATA_TYPES = ("application/json", "application/ld+json", "text/template")


class _Inline(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "script" and not a.get("src") and (a.get("type") or "") not in DATA_TYPES:
            self._script = ""

    def handle_data(self, data):
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            if self._script.strip():
                self.found.append("<script>" + self._script.strip()[:60])
            self._script = None


def inline_code(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("role", ["director", "manager", "executor"])
def test_no_admin_page_carries_inline_script(firm, as_role, role):  # noqa: F811
    pages = crawl(as_role(role))
    assert len(pages) > 10
    found = {url: inline_code(html) for url, html in pages.items()}
    found = {url: codes for url, codes in found.items() if codes}
    assert not found, "\n".join(f"{u}: {c}" for u, c in found.items())


def test_login_portal_and_chat_carry_none_and_every_answer_sends_the_policy(app, store):
    from bots.web import make_blueprint

    config = app.config["BRIGADIR_CONFIG"]
    app.register_blueprint(make_blueprint(config, store), url_prefix="/chat")
    client = app.test_client()
    for url in ("/login", "/my/", "/chat/"):
        resp = client.get(url, follow_redirects=True)
        assert resp.status_code == 200, url
        assert inline_code(resp.get_data(as_text=True)) == [], url
        policy = resp.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, policy
        assert "frame-ancestors 'none'" in policy
    assert client.get("/chat/static/chat.js").status_code == 200


def test_pages_work_under_the_policy_in_chromium(page, server, world, staff):  # noqa: F811
    """Chromium enforces the policy: no page reports a refused script, and what the inline
    code used to do still happens (the order list's stage box moves the order)."""
    refused: list[str] = []
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.goto(f"{server}/login")
    page.fill("#login", LOGINS["director"])
    page.fill("#password", PASSWORDS["director"])
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    order = world["own"]
    for url in ("/admin/", f"/admin/order/card/?id={order.id}", "/admin/inbox/", "/admin/team/",
                "/admin/pay/", "/admin/settings/columns/"):  # fmt: skip
        page.goto(f"{server}{url}")
    page.goto(f"{server}/admin/order/")
    box = page.locator(f"select[data-order='{order.id}']")
    target = box.locator("option").nth(1).get_attribute("value")
    assert target != str(order.stage_id)
    with page.expect_navigation():
        box.select_option(target)
    assert Order.get_by_id(order.id).stage_id == int(target)
    page.click("a.dropdown-toggle >> nth=0")  # a menu's link opens its menu
    assert page.locator(".dropdown-menu.show").count() == 1
    assert refused == [], refused
