"""A fake MAX Bot API (what maxapi calls: POST /messages?user_id=…, the token in the
Authorization header) plus a media host, on 127.0.0.1."""

from __future__ import annotations

import itertools

from tests.fakes.http import FakeHTTPServer, Reply


class FakeMaxApi(FakeHTTPServer):
    def __init__(self, token: str = "max-token"):
        self.token = token
        self.sent: list[dict] = []
        self.status_for: dict[str, int] = {}  # user id -> HTTP status to answer with
        self.media: dict[str, bytes] = {}
        self._ids = itertools.count(1)
        super().__init__(self._handle)

    def media_url(self, name: str, data: bytes) -> str:
        self.media[name] = data
        return f"{self.url}/media/{name}"

    def texts_to(self, user: int) -> list[str]:
        return [m["text"] for m in self.sent if m["user_id"] == str(user)]

    def _handle(self, req):
        if req.path.startswith("/media/"):
            data = self.media.get(req.path.removeprefix("/media/"))
            return Reply(200, data, {"Content-Type": "image/jpeg"}) if data else Reply(404, "")
        if req.headers.get("Authorization") != self.token:
            return Reply(401, {"code": "verify.token", "message": "Invalid access_token"})
        if req.path == "/messages" and req.method == "POST":
            user = req.query.get("user_id", "")
            if user in self.status_for:
                return Reply(self.status_for[user], {"code": "error", "message": "blocked"})
            body = req.json()
            self.sent.append({"user_id": user, **body})
            mid = f"mid.{next(self._ids)}"
            return Reply(200, {"message": {
                "recipient": {"user_id": int(user), "chat_type": "dialog"},
                "body": {"mid": mid, "seq": 1, "text": body.get("text")}, "timestamp": 1}})  # fmt: skip
        return Reply(404, {"code": "not.found", "message": "Unknown"})
