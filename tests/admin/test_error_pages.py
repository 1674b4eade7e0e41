"""Error pages look like the rest of the admin: real styles, a Russian heading, a way back."""

from __future__ import annotations

import re

import pytest

from tests.admin.conftest import login


@pytest.fixture
def broken_app(app):
    """The admin with one page that fails, for the 500 page (before any request is served)."""

    @app.route("/admin/boom/")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


@pytest.mark.parametrize(
    ("url", "code", "heading"),
    [
        ("/admin/order/card/?id=999999", 404, "Не найдено"),
        ("/admin/employee/", 403, "Нет доступа"),
        ("/admin/boom/", 500, "Ошибка на сервере"),
    ],
)
def test_error_page_is_styled_and_russian(broken_app, world, url, code, heading):
    s = login(broken_app, "manager")
    resp = s.get(url, headers={"Referer": "http://localhost/admin/order/"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == code
    assert heading in html
    headings = [h.strip() for h in re.findall(r"<h\d[^>]*>(.*?)</h\d>", html, re.S)]
    assert headings == [heading]  # not the dashboard's "Сводка"
    assert f"<title>{heading}" in html
    styles = re.findall(r'<link href="([^"]+)" rel="stylesheet"', html)
    scripts = re.findall(r'<script[^>]* src="([^"]+)"', html)
    assert styles and scripts
    assert not [u for u in styles + scripts if u.startswith("#") or not u.startswith("/")]
    for asset in styles + scripts:
        assert s.get(asset).status_code == 200, asset
    assert 'href="/admin/order/"' in html  # back where the person came from
    assert "На главную" in html


def test_error_page_for_a_stranger(app, world):
    resp = app.test_client().get("/nowhere")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 404 and "Не найдено" in html and "Сводка" not in html
    assert "/admin/static/" in html
    assert 'href="#"' not in html
