"""A fake VK API (what vkbottle calls: POST /method/<name>, form-encoded, access_token in
the query) plus a media host, on 127.0.0.1."""

from __future__ import annotations

import itertools

from tests.fakes.http import FakeHTTPServer, Reply


class FakeVkApi(FakeHTTPServer):
    def __init__(self):
        self.sent: list[dict] = []
        self.error_for: dict[str, tuple[int, str]] = {}  # peer id -> (VK error code, message)
        self.media: dict[str, bytes] = {}
        self._ids = itertools.count(700)
        self._seen_random: set[tuple[str, str]] = set()
        super().__init__(self._handle)

    @property
    def base(self) -> str:
        return self.url + "/method/"

    def media_url(self, name: str, data: bytes) -> str:
        self.media[name] = data
        return f"{self.url}/media/{name}"

    def texts_to(self, peer: int) -> list[str]:
        return [m.get("message", "") for m in self.sent if m.get("peer_id") == str(peer)]

    def _handle(self, req):
        if req.path.startswith("/media/"):
            data = self.media.get(req.path.removeprefix("/media/"))
            return Reply(200, data, {"Content-Type": "image/jpeg"}) if data else Reply(404, "")
        if req.path == "/method/messages.send":
            if req.query.get("access_token") != "vk-token":
                return Reply(
                    200, {"error": {"error_code": 5, "error_msg": "User authorization failed"}}
                )
            body = req.form
            peer = body.get("peer_id", "")
            if peer in self.error_for:
                code, msg = self.error_for[peer]
                return Reply(200, {"error": {"error_code": code, "error_msg": msg}})
            key = (peer, body.get("random_id", ""))
            if key not in self._seen_random:  # VK: the same random_id is sent once
                self._seen_random.add(key)
                self.sent.append(body)
            return Reply(200, {"response": next(self._ids)})
        return Reply(200, {"error": {"error_code": 3, "error_msg": "Unknown method"}})
