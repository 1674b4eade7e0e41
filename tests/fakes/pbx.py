"""Fake cloud PBXs on 127.0.0.1, written from the providers' published APIs (not from the
product's adapters): each signs its notifications as the provider does and checks the
signature of each API call it serves.

Novofon (ex-Zadarma): notifications are form posts with a `Signature` header =
base64(hex HMAC-SHA1(secret, fields named per event)); the API wants `Authorization:
key:base64(hex HMAC-SHA1(secret, method + sorted query + md5(query)))` and answers JSON
with "status": "success" | "error". Mango Office: every request both ways is a form of
vpbx_api_key, json and sign = sha256(key + json + salt); a recording is a 302 to a
one-time link."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import urlencode

import requests

from tests.fakes.http import FakeHTTPServer, Reply, Request

# Silence as MPEG-1 Layer III: 128 kbit/s, 44.1 kHz frames of 417 bytes, ~1 s of them.
MP3 = (b"\xff\xfb\x90\x64" + b"\x00" * 413) * 38

SIGNED = {  # the provider's table of which fields each notification's signature covers
    "NOTIFY_START": ("caller_id", "called_did", "call_start"),
    "NOTIFY_INTERNAL": ("caller_id", "called_did", "call_start"),
    "NOTIFY_ANSWER": ("caller_id", "destination", "call_start"),
    "NOTIFY_END": ("caller_id", "called_did", "call_start"),
    "NOTIFY_OUT_START": ("internal", "destination", "call_start"),
    "NOTIFY_OUT_END": ("internal", "destination", "call_start"),
    "NOTIFY_RECORD": ("pbx_call_id", "call_id_with_rec"),
}


def _zadarma_hash(text: str, secret: str) -> str:
    # PHP: base64_encode(hash_hmac('sha1', $text, $secret)) — hash_hmac returns hex.
    return base64.b64encode(
        hmac.new(secret.encode(), text.encode(), "sha1").hexdigest().encode()
    ).decode()


class FakeNovofon(FakeHTTPServer):
    def __init__(self, key: str = "nf-key", secret: str = "nf-secret"):
        self.key, self.secret = key, secret
        self.callbacks: list[dict[str, str]] = []
        self.recordings: dict[str, bytes] = {}  # call_id_with_rec -> audio
        self.refuse_callbacks = ""  # an error message the callback API answers with
        super().__init__(self._handle)

    # --- notifications, as the PBX posts them
    def notification(self, event: str, **fields: str) -> tuple[dict[str, str], dict[str, str]]:
        form = {"event": event, **{k: str(v) for k, v in fields.items()}}
        signed = "".join(form.get(f, "") for f in SIGNED[event])
        return form, {"Signature": _zadarma_hash(signed, self.secret)}

    def incoming(self, call_id: str, caller: str, start: str, *, did: str = "74951234567",
                 rings: tuple[str, ...] = ("101",), answered_by: str = "", duration: int = 0,
                 record: str = "") -> list[tuple[dict, dict]]:  # fmt: skip
        """The notifications of one incoming call, in the order the PBX sends them."""
        common = {
            "pbx_call_id": call_id,
            "caller_id": caller,
            "called_did": did,
            "call_start": start,
        }
        out = [self.notification("NOTIFY_START", **common)]
        out += [self.notification("NOTIFY_INTERNAL", internal=ext, **common) for ext in rings]
        if answered_by:
            out.append(self.notification("NOTIFY_ANSWER", pbx_call_id=call_id, caller_id=caller,
                                         destination=answered_by, call_start=start, internal=answered_by))  # fmt: skip
        end = {**common, "internal": answered_by, "duration": duration if answered_by else 0,
               "disposition": "answered" if answered_by else "no answer", "status_code": "16",
               "is_recorded": "1" if record else "0", "call_id_with_rec": record}  # fmt: skip
        out.append(self.notification("NOTIFY_END", **end))
        if record:
            out.append(
                self.notification("NOTIFY_RECORD", pbx_call_id=call_id, call_id_with_rec=record)
            )
        return out

    def outgoing(self, call_id: str, internal: str, destination: str, start: str, *,
                 answered: bool, duration: int = 0, record: str = "") -> list[tuple[dict, dict]]:  # fmt: skip
        common = {"pbx_call_id": call_id, "internal": internal, "destination": destination,
                  "call_start": start, "caller_id": "74951234567"}  # fmt: skip
        end = {**common, "duration": duration if answered else 0,
               "disposition": "answered" if answered else "busy", "status_code": "16",
               "is_recorded": "1" if record else "0", "call_id_with_rec": record}  # fmt: skip
        out = [
            self.notification("NOTIFY_OUT_START", **common),
            self.notification("NOTIFY_OUT_END", **end),
        ]
        if record:
            out.append(
                self.notification("NOTIFY_RECORD", pbx_call_id=call_id, call_id_with_rec=record)
            )
        return out

    def post(self, url: str, form: dict, headers: dict) -> requests.Response:
        return requests.post(url, data=form, headers=headers, timeout=10)

    # --- the API
    def _authorized(self, req: Request) -> bool:
        key, _, given = req.headers.get("Authorization", "").partition(":")
        query = urlencode(sorted(req.query.items()))
        want = _zadarma_hash(
            req.path + query + hashlib.md5(query.encode()).hexdigest(), self.secret
        )
        return key == self.key and hmac.compare_digest(given, want)

    def _handle(self, req: Request) -> Reply:
        if req.path.startswith("/rec/"):
            ref = req.path.removeprefix("/rec/").removesuffix(".mp3")
            data = self.recordings.get(ref)
            return Reply(200, data, {"Content-Type": "audio/mpeg"}) if data else Reply(404, b"")
        if not self._authorized(req):
            return Reply(401, {"status": "error", "message": "Not authorized"})
        if req.path == "/v1/info/balance/":
            return Reply(200, {"status": "success", "balance": 512.5, "currency": "RUB"})
        if req.path == "/v1/request/callback/":
            if self.refuse_callbacks:
                return Reply(400, {"status": "error", "message": self.refuse_callbacks})
            self.callbacks.append(dict(req.query))
            return Reply(200, {"status": "success", "from": req.query.get("from"),
                               "to": req.query.get("to"), "time": 1})  # fmt: skip
        if req.path == "/v1/pbx/record/request/":
            ref = req.query.get("call_id", "")
            if ref not in self.recordings:
                return Reply(400, {"status": "error", "message": "Record not found"})
            return Reply(200, {"status": "success", "link": f"{self.url}/rec/{ref}.mp3",
                               "lifetime_till": "2030-01-01 00:00:00"})  # fmt: skip
        return Reply(404, {"status": "error", "message": "Method not found"})


class FakeMango(FakeHTTPServer):
    def __init__(self, key: str = "mango-key", salt: str = "mango-salt"):
        self.key, self.salt = key, salt
        self.callbacks: list[dict] = []
        self.recordings: dict[str, bytes] = {}
        self.users = [{"general": {"name": "Мария Менеджерова", "user_id": 1},
                       "telephony": {"extension": "101", "numbers": []}}]  # fmt: skip
        super().__init__(self._handle)

    def _sign(self, payload: str) -> str:
        return hashlib.sha256((self.key + payload + self.salt).encode()).hexdigest()

    def event(self, payload: dict) -> dict[str, str]:
        text = json.dumps(payload, ensure_ascii=False)
        return {"vpbx_api_key": self.key, "sign": self._sign(text), "json": text}

    @staticmethod
    def sip(extension: str) -> str:
        """An employee's side of a call names his SIP address as its number (Mango's events
        carry both: {"extension": "101", "number": "sip:user101@vpbx….mangosip.ru"})."""
        return f"sip:user{extension}@vpbx400000001.mangosip.ru"

    def internal(self, entry: str, caller: str, callee: str, start: int) -> list[tuple[str, dict]]:
        """A call between two extensions: Mango reports it, the client's log has no place for it."""
        leg = {"entry_id": entry, "call_id": f"{entry}-int", "location": "abonent",
               "from": {"extension": caller, "number": self.sip(caller)},
               "to": {"extension": callee, "number": self.sip(callee)}}  # fmt: skip
        return [
            ("events/call", self.event({**leg, "timestamp": start, "seq": 1, "call_state": state}))
            for state in ("Appeared", "Connected", "Disconnected")
        ] + [("events/summary", self.event({
            "entry_id": entry, "call_direction": 0, "from": leg["from"], "to": leg["to"],
            "create_time": start, "talk_time": start + 2, "end_time": start + 30,
            "entry_result": 1, "disconnect_reason": 1110}))]  # fmt: skip

    def incoming(self, entry: str, caller: str, start: int, *, line: str = "74951234567",
                 rings: tuple[str, ...] = ("101",), answered_by: str = "", talk: int = 0,
                 record: str = "") -> list[tuple[str, dict]]:  # fmt: skip
        """(event kind, form) of one incoming call in the order Mango posts them."""
        src = {"number": caller}
        dst = {"number": line, "line_number": line}
        seq = iter(range(1, 100))
        out = [("events/call", self.event({"entry_id": entry, "call_id": f"{entry}-ivr", "timestamp": start,
                "seq": next(seq), "call_state": "Appeared", "location": "ivr", "from": src, "to": dst}))]  # fmt: skip
        for n, ext in enumerate(rings):
            leg = {"entry_id": entry, "call_id": f"{entry}-{ext}", "timestamp": start + 1 + n,
                   "location": "abonent", "from": src,
                   "to": {**dst, "extension": ext, "number": self.sip(ext)}}  # fmt: skip
            out.append(
                ("events/call", self.event({**leg, "seq": next(seq), "call_state": "Appeared"}))
            )
            if ext == answered_by:
                out.append(
                    (
                        "events/call",
                        self.event({**leg, "seq": next(seq), "call_state": "Connected"}),
                    )
                )
            out.append(("events/call", self.event({**leg, "seq": next(seq), "call_state": "Disconnected",
                                                   "disconnect_reason": 1110})))  # fmt: skip
        talk_at = start + 5 if answered_by else 0
        end = start + 5 + talk if answered_by else start + 30
        out.append(("events/summary", self.event({
            "entry_id": entry, "call_direction": 1, "from": src,
            "to": {"extension": answered_by, "number": self.sip(answered_by)} if answered_by
            else {"number": line}, "line_number": line,
            "create_time": start, "forward_time": start + 1, "talk_time": talk_at, "end_time": end,
            "entry_result": 1 if answered_by else 0, "disconnect_reason": 1110})))  # fmt: skip
        if record:
            out.append(("events/record/added", self.event({"entry_id": entry, "product_id": 1,
                                                           "recording_id": record, "timestamp": end})))  # fmt: skip
        return out

    def outgoing(self, entry: str, extension: str, number: str, start: int, *, answered: bool,
                 talk: int = 0) -> list[tuple[str, dict]]:  # fmt: skip
        caller = {"extension": extension, "number": self.sip(extension)}
        leg = {"entry_id": entry, "call_id": f"{entry}-out", "from": caller,
               "to": {"number": number}}  # fmt: skip
        out = [("events/call", self.event({**leg, "timestamp": start, "seq": 1, "call_state": "Appeared",
                                           "location": "abonent"}))]  # fmt: skip
        if answered:
            out.append(("events/call", self.event({**leg, "timestamp": start + 3, "seq": 2,
                                                   "call_state": "Connected", "location": "abonent"})))  # fmt: skip
        end = start + 3 + talk if answered else start + 20
        out.append(("events/summary", self.event({
            "entry_id": entry, "call_direction": 2, "from": caller,
            "to": {"number": number}, "create_time": start, "talk_time": start + 3 if answered else 0,
            "end_time": end, "entry_result": 1 if answered else 0, "disconnect_reason": 1110})))  # fmt: skip
        return out

    # --- the API
    def _handle(self, req: Request) -> Reply:
        if req.path.startswith("/download/"):
            data = self.recordings.get(req.path.removeprefix("/download/"))
            return Reply(200, data, {"Content-Type": "audio/mpeg"}) if data else Reply(404, b"")
        form = req.form
        if form.get("vpbx_api_key") != self.key or form.get("sign") != self._sign(
            form.get("json", "")
        ):
            return Reply(401, {"result": 3102})
        payload = json.loads(form["json"])
        path = req.path.removeprefix("/vpbx/").strip("/")
        if path == "commands/callback":
            self.callbacks.append(payload)
            return Reply(200, {"result": 1000})
        if path == "queries/recording/post":
            ref = payload.get("recording_id", "")
            if ref not in self.recordings:
                return Reply(404, {"result": 3200})
            return Reply(302, b"", {"Location": f"{self.url}/download/{ref}"})
        if path == "config/users/request":
            return Reply(200, {"users": self.users})
        return Reply(404, {"result": 4001})

    @property
    def api_url(self) -> str:
        return f"{self.url}/vpbx"
