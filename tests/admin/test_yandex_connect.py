"""Issue 24: Yandex Disk is connected through Yandex's OAuth code flow, not a raw token — the
director saves the firm's Yandex app, follows the link Настройки → Файлы shows, pastes the
confirmation code; the program trades it at Yandex's /token (a fake here, answering as
Yandex documents) and keeps the token sealed. A wrong code is said in Russian, nothing kept."""

from __future__ import annotations

import base64

from core.base import runtime
from core.base.models import Setting
from tests.admin.test_program_settings import _post
from tests.fakes.http import FakeHTTPServer, Reply

APP_ID, APP_SECRET, GOOD_CODE = "0123456789abcdef0123456789abcdef", "app-secret-1", "4815162"


def _yandex(request):
    """Yandex's /token: the app by HTTP Basic, the code in the form."""
    expected = "Basic " + base64.b64encode(f"{APP_ID}:{APP_SECRET}".encode()).decode()
    if request.path != "/token" or request.headers.get("Authorization") != expected:
        return Reply(400, {"error": "invalid_client", "error_description": "Client not found"})
    if request.form != {"grant_type": "authorization_code", "code": GOOD_CODE}:
        return Reply(400, {"error": "bad_verification_code", "error_description": "Invalid code"})
    return Reply(
        200, {"access_token": "y0_DISK-TOKEN", "refresh_token": "1:r", "expires_in": 31536000}
    )


def test_the_disk_is_connected_with_a_code_not_a_token(as_role):
    s = as_role("director")
    with FakeHTTPServer(_yandex) as yandex:
        page = s.get("/admin/program/storage/").get_data(as_text=True)
        assert "Подключить Яндекс Диск" in page and "Сначала укажите выше приложение" in page
        form = {"storage.yadisk_app_id": APP_ID, "storage.yadisk_app_secret": APP_SECRET,
                "storage.yadisk_oauth_url": yandex.url}  # fmt: skip
        page = _post(s, "/admin/program/storage/", form, follow_redirects=True).get_data(
            as_text=True
        )
        assert f"{yandex.url}/authorize?response_type=code&amp;client_id={APP_ID}" in page

        def paste(code: str) -> str:
            data = {"code": code, "csrf_token": s.token}
            resp = s.client.post("/admin/program/storage/yandex/", data=data, follow_redirects=True)
            return resp.get_data(as_text=True)

        assert "Код подтверждения — цифры" in paste("y0_raw-token")  # not even sent to Yandex
        assert "Яндекс не принял код" in paste("1234567")
        assert runtime.config().storage.yadisk_token == ""
        assert "Яндекс Диск подключён" in paste(f" {GOOD_CODE} ")
        assert runtime.config().storage.yadisk_token == "y0_DISK-TOKEN"
        stored = Setting.get(Setting.key == "storage.yadisk_token").value
        assert "DISK-TOKEN" not in str(stored)  # sealed in the database
        assert [r.path for r in yandex.requests] == ["/token", "/token"]


def test_a_wrong_app_is_named(as_role):
    s = as_role("director")
    with FakeHTTPServer(_yandex) as yandex:
        form = {"storage.yadisk_app_id": APP_ID, "storage.yadisk_app_secret": "wrong",
                "storage.yadisk_oauth_url": yandex.url}  # fmt: skip
        _post(s, "/admin/program/storage/", form)
        data = {"code": GOOD_CODE, "csrf_token": s.token}
        html = s.client.post("/admin/program/storage/yandex/", data=data, follow_redirects=True)
        assert "Яндекс не узнал приложение" in html.get_data(as_text=True)
    assert as_role("manager").post(
        "/admin/program/storage/yandex/", data={"code": GOOD_CODE}
    ).status_code in (400, 403)
