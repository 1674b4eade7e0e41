"""Mango Office VPBX: its event notifications and its API.

Both ways a request is a form of three fields: vpbx_api_key (the VPBX's code), json (the
payload) and sign = SHA-256 hex of vpbx_api_key + json + vpbx_api_salt. Events come to
<our address>/events/<kind>; one call (entry_id) has many legs (call_id), and
events/summary is its end with the verdict: entry_result 1 answered, 0 not."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import requests

from core.calls.pbx import PbxError, PbxEvent
from core.channels.outage import KINDS, classify

__all__ = ["MangoPbx", "genuine", "read_event", "sign"]

SUCCESS = 1000  # the API's result code for "done"


def sign(key: str, payload: str, salt: str) -> str:
    return hashlib.sha256((key + payload + salt).encode()).hexdigest()


def genuine(form: dict[str, str], key: str, salt: str) -> bool:
    given_key, given_sign, payload = (
        form.get("vpbx_api_key", ""),
        form.get("sign", ""),
        form.get("json", ""),
    )
    if not (key and salt and given_key and given_sign and payload):
        return False
    return hmac.compare_digest(given_key, key) and hmac.compare_digest(
        sign(key, payload, salt), given_sign.strip().lower()
    )


def _when(value: Any) -> datetime | None:
    if value in (None, "", 0):
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError, OSError):
        raise ValueError("timestamp") from None


def _side(data: dict, name: str) -> dict[str, str]:
    side = data.get(name) or {}
    if not isinstance(side, dict):
        raise ValueError(name)
    return {k: str(side.get(k) or "")[:100] for k in ("extension", "number", "line_number")}


def _call_event(data: dict) -> PbxEvent | None:
    """events/call: a leg of the call appeared, was answered or ended at some point. An
    employee's side names his extension (and his SIP address or phone as its number); a
    leg from an extension to an outside number is an outgoing call, from an extension to
    an extension is between colleagues (not a client's: skipped)."""
    src, dst = _side(data, "from"), _side(data, "to")
    state = str(data.get("call_state") or "")
    if src["extension"] and dst["extension"]:
        return None
    outgoing = bool(src["extension"])
    base = {"provider": "mango", "key": str(data.get("entry_id") or "")[:100],
            "direction": "out" if outgoing else "in", "started_at": _when(data.get("timestamp")),
            "at": _when(data.get("timestamp")),
            "phone": dst["number"] if outgoing else src["number"], "line": dst["line_number"]}  # fmt: skip
    extension = src["extension"] if outgoing else dst["extension"]
    if state == "Appeared":
        if outgoing:
            return PbxEvent(kind="ring", extension=extension, **base)
        kind = "extension" if extension and data.get("location") == "abonent" else "ring"
        return PbxEvent(kind=kind, extension=extension, **base)
    if state == "Connected" and (outgoing or extension):
        return PbxEvent(kind="answer", extension=extension, **base)
    return None  # OnHold, a leg's Disconnected: the whole call's end is events/summary


def _summary(data: dict) -> PbxEvent | None:
    direction = {1: "in", 2: "out"}.get(int(data.get("call_direction") or 0))
    if direction is None:
        return None  # a call between two extensions: not a client's
    src, dst = _side(data, "from"), _side(data, "to")
    talk, end = _when(data.get("talk_time")), _when(data.get("end_time"))
    duration = int((end - talk).total_seconds()) if talk and end else 0
    answered = int(data.get("entry_result") or 0) == 1
    return PbxEvent(
        provider="mango", key=str(data.get("entry_id") or "")[:100], kind="end",
        direction=direction, phone=src["number"] if direction == "in" else dst["number"],
        line=str(data.get("line_number") or "")[:32],
        extension=dst["extension"] if direction == "in" else src["extension"],
        started_at=_when(data.get("create_time")), at=end, answered=answered,
        duration=duration, outcome=str(data.get("disconnect_reason") or "")[:32],
    )  # fmt: skip


def read_event(kind: str, payload: str) -> PbxEvent | None:
    """The event at <address>/<kind> as a PbxEvent; None for one the log does not need;
    ValueError for a malformed one (nothing is written)."""
    try:
        data = json.loads(payload)
    except ValueError:
        raise ValueError("json") from None
    if not isinstance(data, dict):
        raise ValueError("json")
    if kind == "events/call":
        event = _call_event(data)
    elif kind == "events/summary":
        event = _summary(data)
    elif kind in ("events/recording", "events/record/added"):
        done = kind == "events/record/added" or data.get("recording_state") == "Completed"
        ref = str(data.get("recording_id") or "")[:200]
        event = PbxEvent(provider="mango", key=str(data.get("entry_id") or "")[:100],
                         kind="record", recording_ref=ref) if done and ref else None  # fmt: skip
    else:
        return None  # dtmf, sms, results of commands, ping: nothing for the log
    if event is not None and not event.key:
        raise ValueError("entry_id")
    return event


class MangoPbx:
    """The API the product uses: callback, recordings, the users list as a live check."""

    provider = "mango"

    def __init__(self, key: str, salt: str, base_url: str, timeout: float = 10.0):
        self.key, self.salt, self.base, self.timeout = key, salt, base_url.rstrip("/"), timeout

    def _post(self, path: str, payload: dict) -> requests.Response:
        text = json.dumps(payload, ensure_ascii=False)
        form = {"vpbx_api_key": self.key, "sign": sign(self.key, text, self.salt), "json": text}
        try:
            return requests.post(f"{self.base}/{path}", data=form, timeout=self.timeout)
        except requests.RequestException as exc:
            raise PbxError(f"Манго не отвечает: {KINDS[classify(exc)]}.", classify(exc)) from exc

    def _command(self, path: str, payload: dict) -> dict:
        resp = self._post(path, payload)
        try:
            data = resp.json()
        except ValueError:
            raise PbxError(f"Манго ответил непонятно (HTTP {resp.status_code}).") from None
        code = int(data.get("result") or (SUCCESS if resp.status_code == 200 else 0))
        if resp.status_code in (401, 403) or code in (3102, 3103, 3104):
            raise PbxError("Манго не принял ключи: проверьте код ВАТС и ключ подписи.", "auth")
        if resp.status_code >= 500:
            raise PbxError(f"Манго сейчас не работает (HTTP {resp.status_code}).", "network")
        if resp.status_code != 200 or code != SUCCESS:
            raise PbxError(f"Манго отказал: код {code or resp.status_code}.")
        return data

    def callback(self, extension: str, phone: str) -> None:
        self._command("commands/callback", {"command_id": f"cb-{uuid.uuid4().hex}",
                                            "from": {"extension": extension},
                                            "to_number": phone.lstrip("+")})  # fmt: skip

    def recording(self, ref: str) -> tuple[bytes, str]:
        # The answer is a redirect to a one-time link; requests follows it with a GET.
        resp = self._post("queries/recording/post", {"recording_id": ref, "action": "download"})
        kind = resp.headers.get("Content-Type", "").split(";")[0]
        if resp.status_code != 200 or not resp.content or kind.endswith("json"):
            raise PbxError(f"Манго не отдал запись (HTTP {resp.status_code}).")
        return resp.content, kind or "audio/mpeg"

    def check(self) -> str:
        data = self._command("config/users/request", {})
        users = data.get("users") or []
        return f"Манго на связи: сотрудников в ВАТС — {len(users)}."

    def extensions(self) -> dict[str, str]:
        """Extension → the employee's name in the VPBX (to map them to ours)."""
        data = self._command("config/users/request", {})
        out = {}
        for user in data.get("users") or []:
            ext = str(((user.get("telephony") or {}).get("extension")) or "")
            if ext:
                out[ext] = str(((user.get("general") or {}).get("name")) or "")
        return out
