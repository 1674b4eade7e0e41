"""A fake Viber REST API (what viberbot calls) plus a media host, on 127.0.0.1."""

from __future__ import annotations

import itertools

from tests.fakes.http import FakeHTTPServer, Reply


class FakeViberApi(FakeHTTPServer):
    def __init__(self):
        self.sent: list[dict] = []
        self.status_for: dict[str, tuple[int, str]] = {}  # receiver -> (status, message)
        self.media: dict[str, bytes] = {}
        self._tokens = itertools.count(5_000_000_001)
        super().__init__(self._handle)

    @property
    def base(self) -> str:
        return self.url + "/pa"

    def media_url(self, name: str, data: bytes) -> str:
        self.media[name] = data
        return f"{self.url}/media/{name}"

    def texts_to(self, receiver: str) -> list[str]:
        return [m.get("text", "") for m in self.sent if m.get("receiver") == receiver]

    def _handle(self, req):
        if req.path.startswith("/media/"):
            data = self.media.get(req.path.removeprefix("/media/"))
            return Reply(200, data, {"Content-Type": "image/jpeg"}) if data else Reply(404, "")
        if req.path == "/pa/send_message":
            body = req.json()
            status, text = self.status_for.get(body.get("receiver"), (0, "ok"))
            if status:
                return Reply(200, {"status": status, "status_message": text})
            self.sent.append(body)
            return Reply(
                200, {"status": 0, "status_message": "ok", "message_token": next(self._tokens)}
            )
        if req.path == "/pa/get_account_info":
            return Reply(200, {"status": 0, "status_message": "ok", "name": "Бригадир"})
        return Reply(404, {"status": 1, "status_message": "unknown"})
