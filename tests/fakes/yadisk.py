"""A fake Yandex Disk REST API on 127.0.0.1, enough for the yadisk sync client.

Answers the calls yadisk makes (recorded in research §5): mkdir, meta/listdir, upload and
download links followed by the byte transfer, publish, delete, operation status for
check_token. Failure switches: a wrong token (401), a quota (507), slow answers
(timeouts) and `down` (the connection is dropped, as when the network is gone).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit


def _norm(path: str) -> str:
    """'disk:/A/B' and '/A/B/' -> '/A/B' (the fake keeps one namespace, the user's disk)."""
    if path.startswith("disk:"):
        path = path[5:]
    return "/" + path.strip("/")


class FakeYandexDisk:
    def __init__(self, token: str = "GOOD-TOKEN"):
        self.token = token
        self.files: dict[str, bytes] = {}
        self.dirs: set[str] = {"/"}
        self.public: dict[str, str] = {}
        self.trash: dict[str, bytes] = {}
        self.quota: int | None = None  # bytes; None = unlimited
        self.down = False
        self.slow: list[float] = []  # per upcoming request: seconds to sleep before answering
        self.calls: list[tuple[str, str]] = []
        self._links: dict[str, str] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # lifecycle -------------------------------------------------------------------------
    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_GET(self):
                fake._dispatch(self, "GET")

            def do_PUT(self):
                fake._dispatch(self, "PUT")

            def do_DELETE(self):
                fake._dispatch(self, "DELETE")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self.base_url

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    # plumbing --------------------------------------------------------------------------
    def _dispatch(self, h: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(h.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.calls.append((method, url.path))
        if self.down:
            h.close_connection = True
            h.connection.shutdown(2)  # drop without an answer: requests sees a ConnectionError
            return
        with self._lock:
            delay = self.slow.pop(0) if self.slow else 0.0
        if delay:
            time.sleep(delay)
        body = b""
        if method == "PUT" and h.headers.get("Content-Length"):
            body = h.rfile.read(int(h.headers["Content-Length"]))
        if url.path.startswith("/transfer/"):
            status, payload = self._transfer(method, url.path.rsplit("/", 1)[1], body)
        elif h.headers.get("Authorization") != f"OAuth {self.token}":
            status, payload = 401, self._err("UnauthorizedError", "Не авторизован.")
        else:
            status, payload = self._api(method, url.path, q)
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        h.send_response(status)
        h.send_header(
            "Content-Type",
            "application/octet-stream" if isinstance(payload, bytes) else "application/json",
        )
        h.send_header("Content-Length", str(len(raw)))
        h.end_headers()
        try:
            h.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first: exactly what the timeout tests provoke

    @staticmethod
    def _err(name: str, message: str) -> dict:
        return {"error": name, "description": message, "message": message}

    def _link(self, path: str) -> dict:
        return {
            "href": f"{self.base_url}/v1/disk/resources?path={quote('disk:' + path)}",
            "method": "GET",
            "templated": False,
        }

    def _meta(self, path: str) -> dict:
        name = path.rsplit("/", 1)[-1]
        meta = {
            "name": name,
            "path": "disk:" + path,
            "type": "dir" if path in self.dirs else "file",
        }
        if path in self.files:
            meta["size"] = len(self.files[path])
            meta["md5"] = hashlib.md5(self.files[path]).hexdigest()
        if path in self.public:
            meta["public_url"] = self.public[path]
        if path in self.dirs:
            prefix = path.rstrip("/") + "/"
            children = sorted(
                p
                for p in self.dirs | set(self.files)
                if p.startswith(prefix) and "/" not in p[len(prefix) :]
            )
            meta["_embedded"] = {
                "items": [self._meta_flat(p) for p in children],
                "limit": 1000,
                "offset": 0,
                "total": len(children),
                "path": "disk:" + path,
            }
        return meta

    def _meta_flat(self, path: str) -> dict:
        meta = {
            "name": path.rsplit("/", 1)[-1],
            "path": "disk:" + path,
            "type": "dir" if path in self.dirs else "file",
        }
        if path in self.files:  # the real API lists size and md5 of files in a folder too
            meta["size"] = len(self.files[path])
            meta["md5"] = hashlib.md5(self.files[path]).hexdigest()
        return meta

    # the REST API ----------------------------------------------------------------------
    def _api(self, method: str, route: str, q: dict) -> tuple[int, dict | bytes]:
        path = _norm(q.get("path", "/"))
        parent = path.rsplit("/", 1)[0] or "/"
        exists = path in self.files or path in self.dirs
        if route.startswith("/v1/disk/operations/"):
            return 404, self._err("DiskOperationNotFoundError", "Операция не найдена.")
        if route == "/v1/disk/resources" and method == "PUT":  # mkdir
            if parent not in self.dirs:
                return 409, self._err("DiskPathDoesntExistsError", "Указанного пути не существует.")
            if exists:
                return 409, self._err(
                    "DiskPathPointsToExistentDirectoryError", "Папка уже существует."
                )
            self.dirs.add(path)
            return 201, self._link(path)
        if route == "/v1/disk/resources" and method == "GET":
            return (
                (200, self._meta(path))
                if exists
                else (404, self._err("DiskNotFoundError", "Не найдено."))
            )
        if route == "/v1/disk/resources" and method == "DELETE":
            if path not in self.files:
                return 404, self._err("DiskNotFoundError", "Не найдено.")
            self.trash[path] = self.files.pop(path)
            self.public.pop(path, None)
            return 204, b""
        if route == "/v1/disk/resources/upload":
            if parent not in self.dirs:
                return 409, self._err("DiskPathDoesntExistsError", "Указанного пути не существует.")
            if exists and q.get("overwrite") != "true":
                return 409, self._err("DiskResourceAlreadyExistsError", "Ресурс уже существует.")
            return 200, self._transfer_link("PUT", path)
        if route == "/v1/disk/resources/download":
            if path not in self.files:
                return 404, self._err("DiskNotFoundError", "Не найдено.")
            return 200, self._transfer_link("GET", path)
        if route == "/v1/disk/resources/publish" and method == "PUT":
            if not exists:
                return 404, self._err("DiskNotFoundError", "Не найдено.")
            self.public.setdefault(
                path, f"https://yadi.sk/d/{hashlib.sha1(path.encode()).hexdigest()[:14]}"
            )
            return 200, self._link(path)
        if route == "/v1/disk/resources/unpublish" and method == "PUT":
            if not exists:
                return 404, self._err("DiskNotFoundError", "Не найдено.")
            self.public.pop(path, None)
            return 200, self._link(path)
        return 404, self._err("NotFound", f"нет такого метода {method} {route}")

    def _transfer_link(self, method: str, path: str) -> dict:
        token = uuid.uuid4().hex
        self._links[token] = path
        return {"href": f"{self.base_url}/transfer/{token}", "method": method, "templated": False}

    def _transfer(self, method: str, token: str, body: bytes) -> tuple[int, dict | bytes]:
        path = self._links.get(token)
        if path is None:
            return 404, self._err("NotFound", "ссылка устарела")
        if method == "GET":
            return 200, self.files[path]
        used = sum(len(v) for k, v in self.files.items() if k != path)
        if self.quota is not None and used + len(body) > self.quota:
            return 507, self._err("DiskInsufficientStorageError", "Недостаточно свободного места.")
        self.files[path] = body
        return 201, b""
