"""A small synchronous Bot API client (requests): for the outbox transport, which runs
in the scheduler's thread, and for the webhook, which runs inside a WSGI worker. Neither
has an event loop, and neither should start one per message."""

from __future__ import annotations

import json
from typing import Any

import requests

from bots.flows.types import Reply
from bots.telegram.mapping import chunks, markup_for

__all__ = ["BotApi", "TelegramApiError"]


class TelegramApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: float | None = None):
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.retry_after = retry_after


class BotApi:
    def __init__(
        self,
        token: str,
        base: str = "https://api.telegram.org",
        *,
        timeout: float | tuple[float, float] = 30.0,
        session: requests.Session | None = None,
    ):
        self.token = token
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()

    def call(
        self, method: str, data: dict[str, Any] | None = None, files: dict[str, Any] | None = None,
        *, timeout: float | tuple[float, float] | None = None,
    ) -> Any:  # fmt: skip
        response = self.session.post(
            f"{self.base}/bot{self.token}/{method}", data=data, files=files,
            timeout=timeout or self.timeout,
        )  # fmt: skip
        try:
            body = response.json()
        except ValueError:
            raise TelegramApiError(response.status_code, response.text[:200]) from None
        if not body.get("ok"):
            params = body.get("parameters") or {}
            raise TelegramApiError(
                int(body.get("error_code") or response.status_code),
                str(body.get("description") or ""),
                retry_after=params.get("retry_after"),
            )
        return body.get("result")

    def get_file(self, file_id: str) -> dict[str, Any]:
        return self.call("getFile", {"file_id": file_id})

    def download(self, file_path: str, limit: int) -> bytes:
        url = f"{self.base}/file/bot{self.token}/{file_path}"
        with self.session.get(url, timeout=self.timeout, stream=True) as response:
            if response.status_code != 200:
                raise TelegramApiError(response.status_code, "file download failed")
            data = bytearray()
            for piece in response.iter_content(64 * 1024):
                data += piece
                if len(data) > limit:
                    raise TelegramApiError(413, "file is too big")
            return bytes(data)

    def send_text(self, chat_id: str | int, text: str, markup: Any = None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        parts = chunks(text)
        for index, part in enumerate(parts):
            data: dict[str, Any] = {"chat_id": chat_id, "text": part}
            if markup is not None and index == len(parts) - 1:
                data["reply_markup"] = _json(markup)
            result = self.call("sendMessage", data)
        return result

    def send_file(
        self, chat_id: str | int, name: str, data: bytes, mime: str, caption: str = "",
        markup: Any = None, timeout: float | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        photo = mime in ("image/jpeg", "image/png") and len(data) <= 10 * 1024 * 1024
        method, field = ("sendPhoto", "photo") if photo else ("sendDocument", "document")
        form: dict[str, Any] = {"chat_id": chat_id}
        if caption:
            form["caption"] = caption[:1024]
        if markup is not None:
            form["reply_markup"] = _json(markup)
        return self.call(method, form, files={field: (name, data, mime)}, timeout=timeout)

    def send_reply(self, chat_id: str | int, reply: Reply) -> dict[str, Any]:
        markup = markup_for(reply)
        if reply.file is not None and len(reply.text) <= 1024:
            f = reply.file
            return self.send_file(chat_id, f.name, f.data, f.mime, reply.text, markup)
        if reply.file is not None:
            self.send_file(chat_id, reply.file.name, reply.file.data, reply.file.mime)
        return self.send_text(chat_id, reply.text, markup)


def _json(markup: Any) -> str:
    if hasattr(markup, "model_dump"):
        return markup.model_dump_json(exclude_none=True)
    return json.dumps(markup, ensure_ascii=False)
