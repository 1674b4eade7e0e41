"""The site chat: a script tag a firm pastes into its own site (/widget.js) and the three
endpoints the bubble talks to. A visitor is channel "web" with a random visitor id, so the
flows treat them like anyone writing in (a stranger becomes a lead) and staff replies come
back through the web chat's delivery (bots.web.delivery).

On the open internet: only the configured sites may call it (CORS, checked on every POST,
not only by the browser); per-address and per-visitor limits (and call-backs') are the one
primitive core.base.ratelimit, counted before anything is written, the address taken by the
one rule of core.base.security.client_address (X-Forwarded-For only from a trusted proxy); a hidden honeypot field catches form-filling bots; text and
files have size limits; a visitor reaches only their own conversation — the id comes from
their cookie (HttpOnly; SameSite=None; Secure under https) or, where a browser blocks
third-party cookies, from the header the script keeps."""

from __future__ import annotations

import re
import secrets
from importlib import resources

from flask import Blueprint, Response, jsonify, request

from bots import payloads
from bots.flows import Deps, Incoming, InFile, handle
from bots.flows.types import Reply
from bots.web.delivery import latest_for, waiting_for
from core.base import ratelimit
from core.base.config import Config
from core.base.db import database
from core.base.errors import BrigadirError
from core.base.interfaces import FileStore
from core.base.security import client_address
from core.clients import leads

__all__ = ["COOKIE", "make_blueprint"]

COOKIE = "brigadir_visitor"
HEADER = "X-Visitor"
HONEYPOT = "website"
_VISITOR = re.compile(r"^[A-Za-z0-9_-]{24,64}$")
TOO_OFTEN = "Слишком много сообщений подряд. Подождите минуту и напишите снова."
CALLBACKS_PER_VISITOR = 3  # «Перезвоните мне» an hour
CALLBACKS_PER_ADDRESS = 10


def _script() -> str:
    return resources.files("bots.web").joinpath("static/widget.js").read_text(encoding="utf-8")


class _Door:
    """What every widget request is checked against: the site it comes from, the visitor it
    belongs to, and the limits of one address and one visitor (core.base.ratelimit)."""

    def __init__(self, config: Config):
        self.config = config
        self.settings = config.widget
        self.allowed = {o.rstrip("/") for o in self.settings.allowed_origins}
        self.own = config.app.base_url.rstrip("/")

    def origin_ok(self) -> bool:
        origin = (request.headers.get("Origin") or "").rstrip("/")
        return origin in self.allowed or origin in (self.own, request.host_url.rstrip("/"))

    @staticmethod
    def visitor() -> tuple[str, bool]:
        """(the visitor id, whether it is new)."""
        for raw in (request.cookies.get(COOKIE), request.headers.get(HEADER)):
            if raw and _VISITOR.match(raw):
                return raw, False
        return secrets.token_urlsafe(24), True

    def answer(self, body: dict, vid: str, status: int = 200) -> Response:
        resp = jsonify({**body, "visitor": vid})
        resp.status_code = status
        secure = self.config.web.https or request.is_secure
        resp.set_cookie(COOKIE, vid, max_age=180 * 86400, httponly=True, secure=secure,
                        samesite="None" if secure else "Lax", path="/widget/")  # fmt: skip
        return resp

    def refuse(self, text: str, vid: str, status: int) -> Response:
        return self.answer({"replies": [Reply(text).as_dict()], "error": text}, vid, status)

    def address(self) -> str:
        return client_address(request.environ, self.config.trusted_proxies)

    def limited(self, vid: str) -> bool:
        """Counted before anything is written: messages sent at once cannot all pass."""
        ip, limits = self.address(), self.settings
        return not (
            ratelimit.hit(f"widget:ip:{ip}", limits.per_ip_per_minute, 60)
            & ratelimit.hit(f"widget:ip:{ip}", limits.per_ip_per_hour, 3600)
            & ratelimit.hit(f"widget:visitor:{vid}", limits.per_visitor_per_minute, 60)
        )

    def callbacks_limited(self, vid: str) -> bool:
        """«Перезвоните мне» rings a manager's phone: a few an hour per visitor and address."""
        ip = self.address()
        return not (
            ratelimit.hit(f"callback:visitor:{vid}", CALLBACKS_PER_VISITOR, 3600)
            & ratelimit.hit(f"callback:ip:{ip}", CALLBACKS_PER_ADDRESS, 3600)
        )


def _guard(door: _Door, bp: Blueprint) -> None:
    """CORS on every answer; a preflight or a POST from a site not in the list is refused
    before anything is read or written."""

    @bp.after_request
    def cors(resp: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin and door.origin_ok():
            resp.headers["Access-Control-Allow-Origin"] = origin
            resp.headers["Access-Control-Allow-Credentials"] = "true"
            resp.headers["Access-Control-Allow-Headers"] = f"Content-Type, {HEADER}"
            resp.headers["Access-Control-Allow-Methods"] = "GET, POST"
            resp.headers["Access-Control-Max-Age"] = "600"
        resp.headers.add("Vary", "Origin")
        return resp

    @bp.before_request
    def guard():
        if request.method == "OPTIONS":  # the browser's preflight
            return Response(status=204 if door.origin_ok() else 403)
        if request.method == "POST" and not door.origin_ok():
            return Response(status=403)  # a site not in the list: nothing read, nothing written
        return None


def _send(door: _Door, deps: Deps) -> Response:
    """A message or a call-back request typed into the bubble."""
    vid, _ = door.visitor()
    settings = door.settings
    try:
        body = payloads.json_body()
    except payloads.Refused as exc:
        return door.refuse(str(exc), vid, 400)
    if body.get(HONEYPOT):
        return door.answer({"replies": []}, vid)  # a bot filled the hidden field: say nothing
    text = str(body.get("text") or "").strip()
    phone = str(body.get("phone") or "").strip()
    if len(text) > settings.max_text:
        return door.refuse(
            f"Сообщение длиннее {settings.max_text} знаков — разбейте его.", vid, 413
        )
    if not text and not phone:
        return door.answer({"replies": []}, vid)
    if door.limited(vid) or (phone and door.callbacks_limited(vid)):
        return door.refuse(TOO_OFTEN, vid, 429)
    if phone:
        try:
            leads.callback_request("web", vid, phone, str(body.get("name") or "")[:100])
        except BrigadirError as exc:
            return door.refuse(str(exc), vid, 400)
        return door.answer(
            {"replies": [Reply("Спасибо! Перезвоним в ближайшее время.").as_dict()]}, vid
        )
    key = str(body.get("key") or "")[:64] or None  # the same message sent twice: once
    replies = _handle(deps, vid, text=text, update_key=key)
    return door.answer({"replies": [r.as_dict() for r in replies]}, vid)


def _upload(door: _Door, deps: Deps) -> Response:
    """A photo or a file from the bubble, within the size limit."""
    vid, _ = door.visitor()
    settings = door.settings
    if request.form.get(HONEYPOT):
        return door.answer({"replies": []}, vid)
    limit = settings.max_file_mb * 1024 * 1024
    too_big = f"Файл больше {settings.max_file_mb} МБ — такой не принимаем."
    if (request.content_length or 0) > limit + 64 * 1024:
        return door.refuse(too_big, vid, 413)
    file = request.files.get("file")
    if file is None:
        return door.refuse("Выберите фото или файл.", vid, 400)
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        return door.refuse(too_big, vid, 413)
    if door.limited(vid):
        return door.refuse(TOO_OFTEN, vid, 429)
    mime = file.mimetype or "application/octet-stream"
    infile = InFile(file.filename or "file", data, mime, is_photo=mime.startswith("image/"))
    caption = (request.form.get("caption") or "")[: settings.max_text]
    replies = _handle(deps, vid, text=caption, file=infile)
    return door.answer({"replies": [r.as_dict() for r in replies]}, vid)


def _poll(door: _Door) -> Response:
    """Staff replies since `after`: the visitor's own, nobody else's."""
    vid, new = door.visitor()
    if new:
        return door.answer({"last": 0, "replies": []}, vid)
    try:
        after: int | None = max(0, int(request.args.get("after", "")))
    except ValueError:
        after = None
    with database.atomic():
        rows = waiting_for(vid, after)
        newest = [latest_for(vid)] if after is None else []
        last = max([r.id for r in rows] + [after or 0] + newest)
    return door.answer({"last": last, "replies": [Reply(r.text).as_dict() for r in rows]}, vid)


def _handle(deps: Deps, vid: str, **kw) -> list[Reply]:
    return handle(Incoming(channel="web", external_id=vid, display_name="", **kw), deps)


def make_blueprint(config: Config, store: FileStore) -> Blueprint:
    """Register without a prefix: /widget.js and /widget/api/…; exempt it from CSRF (it is
    cross-site by design; the origin check and the visitor cookie stand in)."""
    bp = Blueprint("widget", __name__)
    deps = Deps(store=store, config=config)
    door = _Door(config)
    script = _script()
    _guard(door, bp)

    @bp.get("/widget.js")
    def widget_js() -> Response:
        resp = Response(script, mimetype="application/javascript")
        resp.headers["Cache-Control"] = "public, max-age=300"
        return resp

    bp.add_url_rule("/widget/api/send", "send", lambda: _send(door, deps), methods=["POST"])
    bp.add_url_rule("/widget/api/upload", "upload", lambda: _upload(door, deps), methods=["POST"])
    bp.add_url_rule("/widget/api/poll", "poll", lambda: _poll(door), methods=["GET"])
    return bp
