"""Novofon (ex-Zadarma) cloud PBX: its webhook notifications and its API.

Notifications come as form posts with a `Signature` header: base64 of the hex HMAC-SHA1,
keyed with the API secret, over the fields each event names (the provider's published
PHP: base64_encode(hash_hmac('sha1', …, secret)), hash_hmac giving hex). API calls carry
`Authorization: key:signature`, the signature over method + sorted query + md5(query)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime
from urllib.parse import urlencode

import requests

from core.base.clock import from_local, utcnow
from core.calls.pbx import PbxError, PbxEvent
from core.channels.outage import KINDS, classify

__all__ = ["EVENTS", "NovofonPbx", "api_signature", "genuine", "read_event", "signature"]

# Each notification's signed fields, as the provider publishes them.
EVENTS = {
    "NOTIFY_START": ("caller_id", "called_did", "call_start"),
    "NOTIFY_INTERNAL": ("caller_id", "called_did", "call_start"),
    "NOTIFY_ANSWER": ("caller_id", "destination", "call_start"),
    "NOTIFY_END": ("caller_id", "called_did", "call_start"),
    "NOTIFY_OUT_START": ("internal", "destination", "call_start"),
    "NOTIFY_OUT_END": ("internal", "destination", "call_start"),
    "NOTIFY_RECORD": ("pbx_call_id", "call_id_with_rec"),
    "NOTIFY_IVR": ("caller_id", "called_did", "call_start"),
}
_FIELD = re.compile(r"[\w.,:@+()\- ]{0,100}")


def _hmac_b64(text: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha1).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def signature(form: dict[str, str], secret: str) -> str:
    """The signature a notification must carry ("" for an event the provider does not sign)."""
    fields = EVENTS.get(form.get("event", ""))
    if fields is None:
        return ""
    return _hmac_b64("".join(form.get(f, "") for f in fields), secret)


def genuine(form: dict[str, str], given: str, secret: str) -> bool:
    expected = signature(form, secret)
    return bool(secret and expected and given) and hmac.compare_digest(expected, given.strip())


def _start(form: dict[str, str]) -> datetime | None:
    raw = form.get("call_start", "")
    if not raw:
        return None
    try:  # the PBX's wall clock, set to the firm's zone in its cabinet
        return from_local(datetime.strptime(raw.strip(), "%Y-%m-%d %H:%M:%S"))
    except ValueError:
        raise ValueError("call_start") from None


def read_event(form: dict[str, str]) -> PbxEvent | None:
    """The notification as a PbxEvent; None for one the log does not need (IVR); ValueError
    for a malformed one (nothing is written)."""
    for name, value in form.items():
        if not _FIELD.fullmatch(value or ""):
            raise ValueError(name)
    event, key = form.get("event", ""), form.get("pbx_call_id", "")
    if event not in EVENTS or not key:
        raise ValueError("event")
    if event == "NOTIFY_IVR":
        return None
    base = {"provider": "novofon", "key": key, "at": utcnow(), "started_at": _start(form)}
    if event == "NOTIFY_RECORD":
        return PbxEvent(kind="record", recording_ref=form.get("call_id_with_rec", ""), **base)
    incoming = not event.startswith("NOTIFY_OUT")
    base.update(direction="in" if incoming else "out", extension=form.get("internal", ""),
                phone=form.get("caller_id" if incoming else "destination", ""),
                line=form.get("called_did", "") if incoming else form.get("caller_id", ""))  # fmt: skip
    if event in ("NOTIFY_START", "NOTIFY_OUT_START"):
        return PbxEvent(kind="ring", **base)
    if event == "NOTIFY_INTERNAL":
        return PbxEvent(kind="extension", **base)
    if event == "NOTIFY_ANSWER":
        return PbxEvent(kind="answer", **base)
    try:
        duration = int(form.get("duration") or 0)
    except ValueError:
        raise ValueError("duration") from None
    disposition = form.get("disposition", "")
    recorded = form.get("is_recorded") == "1"
    return PbxEvent(kind="end", answered=disposition == "answered", duration=duration,
                    outcome=disposition, recording_ref=form.get("call_id_with_rec", "")
                    if recorded else "", **base)  # fmt: skip


def api_signature(method: str, params: dict[str, str], secret: str) -> str:
    query = urlencode(sorted(params.items()))  # PHP's http_build_query, RFC 1738 spaces
    return _hmac_b64(method + query + hashlib.md5(query.encode()).hexdigest(), secret)


class NovofonPbx:
    """The API the product uses: callback, recordings, and the balance as a live check."""

    provider = "novofon"

    def __init__(self, key: str, secret: str, base_url: str, timeout: float = 10.0):
        self.key, self.secret, self.base, self.timeout = key, secret, base_url.rstrip("/"), timeout

    def _call(self, method: str, params: dict[str, str]) -> dict:
        params = {**params, "format": "json"}
        query = urlencode(sorted(params.items()))
        sign = api_signature(method, params, self.secret)
        try:
            resp = requests.get(f"{self.base}{method}?{query}", timeout=self.timeout,
                                headers={"Authorization": f"{self.key}:{sign}"})  # fmt: skip
        except requests.RequestException as exc:
            raise PbxError(f"Новофон не отвечает: {KINDS[classify(exc)]}.", classify(exc)) from exc
        if resp.status_code == 401:
            raise PbxError("Новофон не принял ключи: проверьте ключ и секрет.", "auth")
        if resp.status_code >= 500:
            raise PbxError(f"Новофон сейчас не работает (HTTP {resp.status_code}).", "network")
        try:
            data = resp.json()
        except ValueError:
            raise PbxError(f"Новофон ответил непонятно (HTTP {resp.status_code}).") from None
        if resp.status_code != 200 or data.get("status") != "success":
            raise PbxError(f"Новофон отказал: {str(data.get('message') or resp.status_code)[:200]}")
        return data

    def callback(self, extension: str, phone: str) -> None:
        self._call("/v1/request/callback/", {"from": extension, "to": phone.lstrip("+")})

    def recording(self, ref: str) -> tuple[bytes, str]:
        data = self._call("/v1/pbx/record/request/", {"call_id": ref})
        link = data.get("link") or next(iter(data.get("links") or []), "")
        if not link:
            raise PbxError("Новофон не дал ссылку на запись.")
        try:
            resp = requests.get(link, timeout=max(self.timeout, 60))
            resp.raise_for_status()
        except requests.RequestException as exc:
            raise PbxError(f"Запись не скачалась: {KINDS[classify(exc)]}.", classify(exc)) from exc
        return resp.content, resp.headers.get("Content-Type", "audio/mpeg").split(";")[0]

    def check(self) -> str:
        data = self._call("/v1/info/balance/", {})
        return f"Новофон на связи: баланс {data.get('balance', '?')} {data.get('currency', '')}".strip()
