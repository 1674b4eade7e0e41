"""A fake Telegram Bot API on 127.0.0.1 (aiohttp): queues updates for getUpdates,
records every call (sendMessage, sendPhoto, sendDocument with their files), serves
getFile and file downloads, and can be told to fail (403 blocked, 429 retry_after).
Like Telegram it answers a callback query once, and refuses getUpdates while a webhook
is set (setWebhook / deleteWebhook).

Usable from async tests (await start()/stop()) and from sync ones (start_in_thread())."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from typing import Any

from aiohttp import web


class FakeTelegram:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.pending: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}  # file_path -> bytes
        self.file_ids: dict[str, tuple[str, int]] = {}  # file_id -> (file_path, size)
        self.failures: list[tuple[str, int, str, int | None]] = []
        self.answered: set[str] = set()  # callback query ids
        self.webhook: dict[str, Any] = {}  # the setWebhook parameters in force
        self._ids = itertools.count(1)
        self._updates = itertools.count(1)
        self._files = itertools.count(1)
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None

    # --- test side --------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_file(self, data: bytes, size: int | None = None) -> str:
        n = next(self._files)
        file_id, path = f"FILE{n}", f"photos/file_{n}.jpg"
        self.files[path] = data
        self.file_ids[file_id] = (path, size if size is not None else len(data))
        return file_id

    def media(self, data: bytes, size: int | None = None, **fields: Any) -> dict[str, Any]:
        """A voice note, audio, video or video note as the Bot API describes it."""
        file_id = self.add_file(data, size)
        return {"file_id": file_id, "file_unique_id": file_id + "u",
                "file_size": size if size is not None else len(data), **fields}  # fmt: skip

    def _user(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": f"User{chat_id}"}

    def message_update(self, chat_id: int, *, text: str | None = None, photo: bytes | None = None,
                       caption: str | None = None, photo_size: int | None = None,
                       contact: str | None = None, update_id: int | None = None,
                       document: bytes | None = None, file_name: str | None = None,
                       mime: str | None = None,
                       extra: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
        message: dict[str, Any] = {
            "message_id": next(self._ids), "date": 1_700_000_000,
            "chat": {"id": chat_id, "type": "private"}, "from": self._user(chat_id),
        }  # fmt: skip
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
                ]
        if photo is not None:
            file_id = self.add_file(photo, photo_size)
            small = self.add_file(photo[:10])
            message["photo"] = [
                {"file_id": small, "file_unique_id": small + "u", "width": 90, "height": 60,
                 "file_size": 10},
                {"file_id": file_id, "file_unique_id": file_id + "u", "width": 1280, "height": 960,
                 "file_size": photo_size if photo_size is not None else len(photo)},
            ]  # fmt: skip
        if document is not None:
            file_id = self.add_file(document)
            message["document"] = {"file_id": file_id, "file_unique_id": file_id + "u",
                                   "file_size": len(document)}  # fmt: skip
            if file_name is not None:
                message["document"]["file_name"] = file_name
            if mime is not None:
                message["document"]["mime_type"] = mime
        if caption and (photo is not None or document is not None):
            message["caption"] = caption
        if contact is not None:
            message["contact"] = {"phone_number": contact, "first_name": "X", "user_id": chat_id}
        message.update(extra or {})
        return {"update_id": update_id or next(self._updates), "message": message}

    def button_update(
        self, chat_id: int, data: str, update_id: int | None = None
    ) -> dict[str, Any]:
        return {
            "update_id": update_id or next(self._updates),
            "callback_query": {
                "id": f"cb{next(self._ids)}", "from": self._user(chat_id), "chat_instance": "ci",
                "data": data,
                "message": {"message_id": next(self._ids), "date": 1_700_000_000,
                            "chat": {"id": chat_id, "type": "private"}, "text": "…"},
            },
        }  # fmt: skip

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        self.pending.append(update)
        return update

    def fail_next(
        self, method: str, code: int, description: str, retry_after: int | None = None
    ) -> None:
        self.failures.append((method.lower(), code, description, retry_after))

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [params for m, params in self.calls if m.lower() == method.lower()]

    def texts(self) -> list[str]:
        return [p.get("text") or p.get("caption") or "" for p in self.sent()]

    # --- server side ------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.filename:
                    params[part.name] = {
                        "filename": part.filename,
                        "data": bytes(await part.read()),
                    }
                else:
                    params[part.name] = await part.text()
        else:
            params = dict(await request.post())
        params.update(request.query)
        low = method.lower()
        for i, (m, code, description, retry_after) in enumerate(self.failures):
            if m == low:
                del self.failures[i]
                self.calls.append((method, params))
                body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
                if retry_after is not None:
                    body["parameters"] = {"retry_after": retry_after}
                return web.json_response(body, status=code)
        self.calls.append((method, params))
        refusal = self._refusal(low, params)
        if refusal is not None:
            return web.json_response({"ok": False, "error_code": refusal[0],
                                      "description": refusal[1]}, status=refusal[0])  # fmt: skip
        if low == "getme":
            result: Any = {
                "id": 1,
                "is_bot": True,
                "first_name": "Бригадир",
                "username": "brigadir_bot",
            }
        elif low == "getupdates":
            offset = int(params.get("offset", 0) or 0)
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
            result = list(self.pending)
            if not result:
                await asyncio.sleep(0.05)
        elif low in ("sendmessage", "sendphoto", "senddocument"):
            chat = int(params["chat_id"])
            result = {"message_id": next(self._ids), "date": 1_700_000_001,
                      "chat": {"id": chat, "type": "private"}, "text": params.get("text", "")}  # fmt: skip
            if low == "sendphoto":
                result["photo"] = [
                    {"file_id": "out", "file_unique_id": "o", "width": 1, "height": 1}
                ]
            elif low == "senddocument":
                result["document"] = {"file_id": "out", "file_unique_id": "o"}
        elif low == "setwebhook":
            self.webhook = dict(params)
            result = True
        elif low == "deletewebhook":
            self.webhook = {}
            result = True
        elif low == "answercallbackquery":
            self.answered.add(params["callback_query_id"])
            result = True
        elif low == "getfile":
            path, size = self.file_ids[params["file_id"]]
            result = {"file_id": params["file_id"], "file_unique_id": "u", "file_size": size,
                      "file_path": path}  # fmt: skip
        else:
            result = True
        return web.json_response({"ok": True, "result": result})

    def _refusal(self, method: str, params: dict[str, Any]) -> tuple[int, str] | None:
        """What the real Bot API refuses, in its words."""
        if method == "getupdates" and self.webhook.get("url"):
            return 409, ("Conflict: can't use getUpdates method while webhook is active; "
                         "use deleteWebhook to delete the webhook first")  # fmt: skip
        if method == "answercallbackquery" and params.get("callback_query_id") in self.answered:
            return 400, ("Bad Request: query is too old and response timeout expired "
                         "or query ID is invalid")  # fmt: skip
        return None

    async def _file(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["path"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        return app

    async def start(self) -> FakeTelegram:
        self._runner = web.AppRunner(self.app())
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def start_in_thread(self) -> FakeTelegram:
        loop = asyncio.new_event_loop()
        self._thread_loop = loop
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        ready.wait(10)
        return self

    def stop_thread(self) -> None:
        loop = self._thread_loop
        if loop is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)


def markup(params: dict[str, Any]) -> Any:
    raw = params.get("reply_markup")
    return json.loads(raw) if isinstance(raw, str) else raw
