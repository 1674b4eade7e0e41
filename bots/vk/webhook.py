"""VK Callback API: a Flask Blueprint factory.

    app.register_blueprint(vk.make_blueprint(config, store))   # POST /vk/callback
    csrf.exempt(bp)                                             # VK cannot send a CSRF token

Order of business for every callback:
1. the group id and the secret key (compared in constant time) must match — a forged or
   missing secret: 403, nothing read further, nothing written;
2. "confirmation" answers the configured code (VK's one-time server check);
3. "message_new" becomes an `Incoming` for the shared flows (text, a /command, a button's
   payload, the first photo or file), and the replies go back through vkbottle's API;
4. anything else: "ok" (VK retries whatever is not answered "ok"). The event id is the
   update key: a redelivered event is handled once."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

import requests
from flask import Blueprint, Response, request

from bots.flows import Deps, Incoming, InFile, already_handled, handle, texts
from bots.flows.types import Reply
from bots.vk.api import keyboard, send_text
from core.base.config import Config
from core.base.interfaces import FileStore

__all__ = ["URL", "make_blueprint"]

log = logging.getLogger(__name__)
URL = "/vk/callback"
OK = Response("ok", mimetype="text/plain")


def _genuine(body: dict[str, Any], config: Config) -> bool:
    secret = config.vk.secret
    if not secret or not config.vk.group_id:
        return False  # an unconfigured community accepts nothing
    try:
        group = int(body.get("group_id") or 0)
    except (TypeError, ValueError):
        return False
    given = str(body.get("secret") or "")
    return hmac.compare_digest(given.encode(), secret.encode()) and group == config.vk.group_id


def _payload(message: dict[str, Any]) -> str | None:
    raw = message.get("payload")
    if not raw:
        return None
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return None
    value = data.get("p") if isinstance(data, dict) else None
    return str(value)[:200] if value else None


def _file(message: dict[str, Any], limit: int) -> InFile | None:
    """The first photo (its biggest size) or document, downloaded within the size limit."""
    for item in message.get("attachments") or []:
        kind = item.get("type")
        if kind == "photo":
            sizes = (item.get("photo") or {}).get("sizes") or []
            if not sizes:
                continue
            best = max(sizes, key=lambda s: int(s.get("width") or 0) * int(s.get("height") or 0))
            url, name, mime, photo = best.get("url"), "photo.jpg", "image/jpeg", True
        elif kind == "doc":
            doc = item.get("doc") or {}
            url, name, photo = doc.get("url"), str(doc.get("title") or "file"), False
            mime = "application/octet-stream"
        else:
            continue
        if not url:
            continue
        with requests.get(url, stream=True, timeout=30) as resp:
            resp.raise_for_status()
            data = resp.raw.read(limit + 1, decode_content=True)
        if len(data) > limit:
            raise ValueError("too big")
        return InFile(name[:200], data, resp.headers.get("Content-Type", mime).split(";")[0]
                      if not photo else mime, is_photo=photo)  # fmt: skip
    return None


def make_blueprint(config: Config, store: FileStore) -> Blueprint:
    bp = Blueprint("vk", __name__)
    deps = Deps(store=store, config=config)
    limit = config.vk.max_media_mb * 1024 * 1024

    def reply(peer_id: int, replies: list[Reply], key: str) -> None:
        for n, r in enumerate(replies):
            try:
                send_text(config, peer_id, r.text, key=f"{key}:{n}",
                          kb=keyboard(r.buttons, r.menu))  # fmt: skip
            except Exception:  # noqa: BLE001 - the answer is lost, the update is kept
                log.exception("VK reply to %s failed", peer_id)

    @bp.post(URL)
    def callback() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not _genuine(body, config):
            return Response("forbidden", status=403, mimetype="text/plain")
        kind = body.get("type")
        if kind == "confirmation":
            return Response(config.vk.confirmation, mimetype="text/plain")
        if kind != "message_new":
            return OK
        message = ((body.get("object") or {}).get("message")) or {}
        peer = message.get("from_id") or message.get("peer_id")
        if not isinstance(peer, int) or peer <= 0:  # a user's own chat only, not a group chat
            return OK
        key = str(body.get("event_id") or "")[:90] or None
        if already_handled("vk", key):
            return OK
        text = str(message.get("text") or "")[:4000]
        base: dict[str, Any] = {"channel": "vk", "external_id": str(peer), "update_key": key}
        payload = _payload(message)
        if payload:
            incoming = Incoming(**base, payload=payload)
        elif text.startswith("/"):
            cmd, _, args = text[1:].partition(" ")
            incoming = Incoming(**base, text=text, command=cmd.lower(), args=args.strip())
        else:
            try:
                file = _file(message, limit)
            except ValueError:
                reply(peer, [Reply(texts.FILE_TOO_BIG)], f"vk:{key}:big")
                return OK
            except requests.RequestException:
                log.warning("VK attachment download failed for %s", peer)
                file = None
            incoming = Incoming(**base, text=text, file=file)
        replies = handle(incoming, deps)
        reply(peer, replies, f"vk:{key or peer}")
        return OK

    return bp
