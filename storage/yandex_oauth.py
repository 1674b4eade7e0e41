"""Yandex Disk connected through Yandex's OAuth code flow (issue 24), not a raw token typed
into a file: the director opens Yandex's page for the firm's app (`authorize_url`), allows
access, copies the confirmation code Yandex shows and pastes it into Настройки → Файлы;
`exchange` trades the code for the Disk's token at Yandex's /token. The app (its ClientID
and password) is registered once at oauth.yandex.ru with the Disk's rights and the
redirect address https://oauth.yandex.ru/verification_code (Yandex shows the code there)."""

from __future__ import annotations

from urllib.parse import urlencode

import requests

from core.base.config import Config
from core.base.errors import BrigadirError

__all__ = ["OAuthRefused", "authorize_url", "exchange"]

TIMEOUT = (3.0, 10.0)


class OAuthRefused(BrigadirError):
    pass


def authorize_url(config: Config) -> str:
    """Yandex's page where the director allows the firm's app to use the Disk ("" without an app)."""
    app_id = config.storage.yadisk_app_id
    if not app_id:
        return ""
    query = urlencode({"response_type": "code", "client_id": app_id})
    return f"{config.storage.yadisk_oauth_url.rstrip('/')}/authorize?{query}"


def exchange(config: Config, code: str) -> str:
    """The confirmation code for the Disk's token; OAuthRefused says in Russian what is wrong."""
    code = (code or "").strip()
    if not code.isdigit() or not 4 <= len(code) <= 20:
        raise OAuthRefused(
            "Код подтверждения — цифры, которые показал Яндекс. Скопируйте его целиком."
        )
    storage = config.storage
    if not storage.yadisk_app_id or not storage.yadisk_app_secret:
        raise OAuthRefused(
            "Сначала укажите приложение Яндекса: идентификатор и пароль, затем сохраните."
        )
    try:
        resp = requests.post(
            f"{storage.yadisk_oauth_url.rstrip('/')}/token",
            data={"grant_type": "authorization_code", "code": code},
            auth=(storage.yadisk_app_id, storage.yadisk_app_secret),
            timeout=TIMEOUT,
        )
    except requests.RequestException:
        raise OAuthRefused(
            "Яндекс не ответил. Проверьте интернет на сервере и попробуйте ещё раз."
        ) from None
    try:
        body = resp.json()
    except ValueError:
        body = {}
    token = body.get("access_token") if isinstance(body, dict) else None
    if resp.ok and isinstance(token, str) and token:
        return token
    error = body.get("error", "") if isinstance(body, dict) else ""
    if error in ("bad_verification_code", "invalid_grant"):
        raise OAuthRefused(
            "Яндекс не принял код: он неверный или устарел. Получите новый по ссылке."
        )
    if error in ("invalid_client", "unauthorized_client"):
        raise OAuthRefused("Яндекс не узнал приложение: проверьте его идентификатор и пароль.")
    raise OAuthRefused(f"Яндекс отказал ({resp.status_code}). Попробуйте ещё раз позже.")
