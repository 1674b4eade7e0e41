"""A Flask blueprint serving the web chat page and its two JSON endpoints.

The browser session (a signed cookie) carries a random chat id; the flows see it as
channel "web", so joining with an invite code binds that browser like a messenger.

CSRF: the page puts the token of Flask-WTF's CSRFProtect (when the app has it) in
<meta name="csrf-token"> and sends it back as X-CSRFToken, so the endpoints need no
exemption. Without CSRFProtect the endpoints still refuse requests that do not carry
the X-Requested-With header a cross-site form cannot set."""

from __future__ import annotations

import hashlib
import secrets
from importlib import resources

from flask import Blueprint, abort, jsonify, render_template_string, request, session

from bots import payloads
from bots.flows import Deps, Incoming, InFile, handle, texts
from bots.flows.types import Reply
from core.base.config import Config
from core.base.interfaces import FileStore

__all__ = ["make_blueprint"]

MAX_UPLOAD = 20 * 1024 * 1024
SESSION_KEY = "webchat_id"


def _page() -> str:
    return resources.files("bots.web").joinpath("static/chat.html").read_text(encoding="utf-8")


def _chat_id() -> str:
    if SESSION_KEY not in session:
        session[SESSION_KEY] = secrets.token_urlsafe(18)
        session.permanent = True
    return session[SESSION_KEY]


def _answer(replies: list[Reply]):
    return jsonify({"replies": [r.as_dict() for r in replies]})


def _incoming(**kw) -> Incoming:
    key = (request.headers.get("X-Update-Id") or "")[:64] or None
    return Incoming(channel="web", external_id=_chat_id(), display_name="Веб-чат",
                    update_key=key, **kw)  # fmt: skip


def _send(deps: Deps):
    """Words, a /command or a button's payload typed in the page."""
    try:
        body = payloads.json_body()
    except payloads.Refused as exc:
        return payloads.refusal(exc)
    text = str(body.get("text") or "")[:4000]
    payload = body.get("payload")
    if payload is not None:
        return _answer(handle(_incoming(payload=str(payload)[:64]), deps))
    if text.startswith("/"):
        command, _, args = text[1:].partition(" ")
        return _answer(
            handle(_incoming(text=text, command=command.lower(), args=args.strip()), deps)
        )
    if not text.strip():
        return _answer([])
    return _answer(handle(_incoming(text=text), deps))


def _upload(deps: Deps):
    """A photo or a file chosen in the page (a form upload, not a JSON body)."""
    file = request.files.get("file")
    if file is None:
        return _answer([Reply("Выберите фото или файл.")])
    data = file.stream.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return _answer([Reply(texts.FILE_TOO_BIG)])
    mime = file.mimetype or "application/octet-stream"
    infile = InFile(file.filename or "file", data, mime, is_photo=mime.startswith("image/"))
    caption = (request.form.get("caption") or "")[:1000]
    return _answer(handle(_incoming(text=caption, file=infile), deps))


def _poll():
    """Staff messages that arrived since `after` (the page asks every few seconds)."""
    from bots.web.delivery import latest_for, waiting_for

    try:
        after: int | None = max(0, int(request.args.get("after", "")))
    except ValueError:  # the page's first call: whatever came while it was closed
        after = None
    rows = waiting_for(_chat_id(), after)
    last = max([r.id for r in rows] + [after or 0, latest_for(_chat_id()) if after is None else 0])
    return jsonify({
        "last": last,
        "replies": [Reply(r.text, buttons=[[(str(b[0]), str(b[1])) for b in row]
                                           for row in r.buttons or []]).as_dict() for r in rows],
    })  # fmt: skip


def make_blueprint(
    config: Config, store: FileStore, *, name: str = "webchat", title: str = "Бригадир"
) -> Blueprint:
    """Register with a url_prefix, e.g. app.register_blueprint(bp, url_prefix="/chat")."""
    bp = Blueprint(name, __name__, static_folder="static", static_url_path="/static")
    deps = Deps(store=store, config=config)
    page = _page()

    @bp.before_request
    def same_origin_only():
        if request.method == "POST" and request.headers.get("X-Requested-With") != "brigadir":
            abort(403)

    @bp.get("/")
    def chat_page():
        # The history this browser keeps is filed under a digest of its chat id: another
        # chat id (a new session) starts clean, and the id itself never reaches the page.
        key = hashlib.sha256(_chat_id().encode()).hexdigest()[:20]
        return render_template_string(page, title=title, history_key=key)

    bp.add_url_rule("/api/send", "send", lambda: _send(deps), methods=["POST"])
    bp.add_url_rule("/api/upload", "upload", lambda: _upload(deps), methods=["POST"])
    bp.add_url_rule("/api/poll", "poll", _poll, methods=["GET"])
    return bp
