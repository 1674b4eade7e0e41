"""The site chat: a script tag a firm pastes into its own site (/widget.js) and the three
endpoints the bubble talks to. A visitor is channel "web" with a random visitor id, so the
flows treat them like anyone writing in (a stranger becomes a lead) and staff replies come
back through the web chat's delivery (bots.web.delivery).

On the open internet: only the configured sites may call it (CORS, checked on every POST,
not only by the browser); per-IP and per-visitor limits live in the database (core.base.ratelimit)
so every worker shares them; a hidden honeypot field catches form-filling bots; text and
files have size limits; a visitor reaches only their own conversation — the id comes from
their cookie (HttpOnly; SameSite=None; Secure under https) or, where a browser blocks
third-party cookies, from the header the script keeps."""

from __future__ import annotations

import re
import secrets
from importlib import resources

from flask import Blueprint, Response, jsonify, request

from bots.flows import Deps, Incoming, InFile, handle
from bots.flows.types import Reply
from bots.web.delivery import latest_for, waiting_for
from core.base import ratelimit
from core.base.config import Config
from core.base.db import database
from core.base.errors import BrigadirError
from core.base.interfaces import FileStore
from core.clients import leads

__all__ = ["COOKIE", "make_blueprint"]

COOKIE = "brigadir_visitor"
HEADER = "X-Visitor"
HONEYPOT = "website"
_VISITOR = re.compile(r"^[A-Za-z0-9_-]{24,64}$")
TOO_OFTEN = "Слишком много сообщений подряд. Подождите минуту и напишите снова."


def _script() -> str:
    return resources.files("bots.web").joinpath("static/widget.js").read_text(encoding="utf-8")


def make_blueprint(config: Config, store: FileStore) -> Blueprint:
    """Register without a prefix: /widget.js and /widget/api/…; exempt it from CSRF (it is
    cross-site by design; the origin check and the visitor cookie stand in)."""
    bp = Blueprint("widget", __name__)
    deps = Deps(store=store, config=config)
    settings = config.widget
    allowed = {o.rstrip("/") for o in settings.allowed_origins}
    own = config.app.base_url.rstrip("/")
    script = _script()

    def origin_ok() -> bool:
        origin = (request.headers.get("Origin") or "").rstrip("/")
        return origin in allowed or origin == own or origin == request.host_url.rstrip("/")

    def visitor() -> tuple[str, bool]:
        """(the visitor id, whether it is new)."""
        for raw in (request.cookies.get(COOKIE), request.headers.get(HEADER)):
            if raw and _VISITOR.match(raw):
                return raw, False
        return secrets.token_urlsafe(24), True

    def answer(body: dict, vid: str, status: int = 200) -> Response:
        resp = jsonify({**body, "visitor": vid})
        resp.status_code = status
        secure = config.web.https or request.is_secure
        resp.set_cookie(COOKIE, vid, max_age=180 * 86400, httponly=True, secure=secure,
                        samesite="None" if secure else "Lax", path="/widget/")  # fmt: skip
        return resp

    def refuse(text: str, vid: str, status: int) -> Response:
        return answer({"replies": [Reply(text).as_dict()], "error": text}, vid, status)

    def limited(vid: str) -> bool:
        ip = request.remote_addr or "?"
        return not (
            ratelimit.take(f"widget:ip:{ip}", settings.per_ip_per_minute, 60)
            and ratelimit.take(f"widget:ip:{ip}", settings.per_ip_per_hour, 3600)
            and ratelimit.take(f"widget:visitor:{vid}", settings.per_visitor_per_minute, 60)
        )

    @bp.after_request
    def cors(resp: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin and origin_ok():
            resp.headers["Access-Control-Allow-Origin"] = origin
            resp.headers["Access-Control-Allow-Credentials"] = "true"
            resp.headers["Access-Control-Allow-Headers"] = f"Content-Type, {HEADER}"
            resp.headers["Access-Control-Allow-Methods"] = "GET, POST"
            resp.headers["Access-Control-Max-Age"] = "600"
        resp.headers.add("Vary", "Origin")
        return resp

    @bp.get("/widget.js")
    def widget_js() -> Response:
        resp = Response(script, mimetype="application/javascript")
        resp.headers["Cache-Control"] = "public, max-age=300"
        return resp

    @bp.before_request
    def guard():
        if request.method == "OPTIONS":  # the browser's preflight
            return Response(status=204 if origin_ok() else 403)
        if request.method == "POST" and not origin_ok():
            return Response(status=403)  # a site not in the list: nothing read, nothing written
        return None

    def _handle(vid: str, **kw) -> list[Reply]:
        return handle(Incoming(channel="web", external_id=vid, display_name="", **kw), deps)

    @bp.post("/widget/api/send")
    def send() -> Response:
        vid, _ = visitor()
        body = request.get_json(silent=True) or {}
        if body.get(HONEYPOT):
            return answer({"replies": []}, vid)  # a bot filled the hidden field: say nothing
        text = str(body.get("text") or "").strip()
        phone = str(body.get("phone") or "").strip()
        if len(text) > settings.max_text:
            return refuse(f"Сообщение длиннее {settings.max_text} знаков — разбейте его.", vid, 413)
        if not text and not phone:
            return answer({"replies": []}, vid)
        if limited(vid):
            return refuse(TOO_OFTEN, vid, 429)
        if phone:
            try:
                leads.callback_request("web", vid, phone, str(body.get("name") or "")[:100])
            except BrigadirError as exc:
                return refuse(str(exc), vid, 400)
            return answer(
                {"replies": [Reply("Спасибо! Перезвоним в ближайшее время.").as_dict()]}, vid
            )
        key = str(body.get("key") or "")[:64] or None  # the same message sent twice: once
        return answer({"replies": [r.as_dict() for r in _handle(vid, text=text, update_key=key)]},
                      vid)  # fmt: skip

    @bp.post("/widget/api/upload")
    def upload() -> Response:
        vid, _ = visitor()
        if request.form.get(HONEYPOT):
            return answer({"replies": []}, vid)
        limit = settings.max_file_mb * 1024 * 1024
        if (request.content_length or 0) > limit + 64 * 1024:
            return refuse(f"Файл больше {settings.max_file_mb} МБ — такой не принимаем.", vid, 413)
        file = request.files.get("file")
        if file is None:
            return refuse("Выберите фото или файл.", vid, 400)
        data = file.stream.read(limit + 1)
        if len(data) > limit:
            return refuse(f"Файл больше {settings.max_file_mb} МБ — такой не принимаем.", vid, 413)
        if limited(vid):
            return refuse(TOO_OFTEN, vid, 429)
        mime = file.mimetype or "application/octet-stream"
        infile = InFile(file.filename or "file", data, mime, is_photo=mime.startswith("image/"))
        caption = (request.form.get("caption") or "")[: settings.max_text]
        replies = _handle(vid, text=caption, file=infile)
        return answer({"replies": [r.as_dict() for r in replies]}, vid)

    @bp.get("/widget/api/poll")
    def poll() -> Response:
        """Staff replies since `after`: the visitor's own, nobody else's."""
        vid, new = visitor()
        if new:
            return answer({"last": 0, "replies": []}, vid)
        try:
            after: int | None = max(0, int(request.args.get("after", "")))
        except ValueError:
            after = None
        with database.atomic():
            rows = waiting_for(vid, after)
            last = max([r.id for r in rows] + [after or 0] + ([latest_for(vid)] if after is None
                                                               else []))  # fmt: skip
        return answer({"last": last, "replies": [Reply(r.text).as_dict() for r in rows]}, vid)

    return bp
