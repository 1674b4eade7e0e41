"""MAX webhook: a Flask Blueprint factory.

    app.register_blueprint(maxbot.make_blueprint(config, store))   # POST /max/webhook
    csrf.exempt(bp)

1. the X-Max-Bot-Api-Secret header must equal the subscription's secret (constant-time
   compare) — forged or missing: 403, nothing read further, nothing written;
2. "message_created" (text, a /command, the first image or file, a shared contact),
   "message_callback" (a button's payload; "menu:<label>" reads as the label typed) and
   "bot_started" (the start link's payload is an invite code) become an `Incoming` for the
   shared flows; the replies go back through maxapi;
3. the message id / callback id is the update key: a redelivered update is handled once.
A contact counts as the sender's own phone only when MAX says it is the sender's."""

from __future__ import annotations

import hmac
import logging
import re
from typing import Any

import requests
from flask import Blueprint, Response, request

from bots.flows import Deps, Incoming, InFile, already_handled, handle, texts
from bots.flows.types import Reply
from bots.maxbot.api import MENU, send_text
from core.base.config import Config
from core.base.interfaces import FileStore
from core.clients.identity import SharedContact

__all__ = ["HEADER", "URL", "make_blueprint"]

log = logging.getLogger(__name__)
URL = "/max/webhook"
HEADER = "X-Max-Bot-Api-Secret"
_TEL = re.compile(r"TEL[^:\n]*:([+\d][\d\s()+-]{5,})")


def _contact(body: dict[str, Any], sender: int) -> SharedContact | None:
    """A contact card: its phone and whose MAX account it is (core.clients.identity judges)."""
    for item in body.get("attachments") or []:
        if item.get("type") != "contact":
            continue
        payload = item.get("payload") or {}
        owner = (payload.get("max_info") or {}).get("user_id")
        found = _TEL.search(str(payload.get("vcf_info") or ""))
        if found:
            return SharedContact("max", str(sender), found.group(1).strip(),
                                 str(owner) if isinstance(owner, int) else None)  # fmt: skip
    return None


def _file(body: dict[str, Any], limit: int) -> InFile | None:
    for item in body.get("attachments") or []:
        kind, payload = item.get("type"), item.get("payload") or {}
        if kind not in ("image", "file") or not payload.get("url"):
            continue
        with requests.get(payload["url"], stream=True, timeout=30) as resp:
            resp.raise_for_status()
            data = resp.raw.read(limit + 1, decode_content=True)
            mime = resp.headers.get("Content-Type", "application/octet-stream").split(";")[0]
        if len(data) > limit:
            raise ValueError("too big")
        if kind == "image":
            return InFile("photo.jpg", data, "image/jpeg", is_photo=True)
        return InFile(str(item.get("filename") or "file")[:200], data, mime)
    return None


def make_blueprint(config: Config, store: FileStore) -> Blueprint:
    bp = Blueprint("max", __name__)
    deps = Deps(store=store, config=config)
    limit = config.max.max_media_mb * 1024 * 1024

    def reply(user_id: int, replies: list[Reply]) -> None:
        for r in replies:
            try:
                send_text(config, user_id, r.text, buttons=r.buttons, menu=r.menu,
                          ask_contact=r.ask_contact)  # fmt: skip
            except Exception:  # noqa: BLE001 - the answer is lost, the update is kept
                log.exception("MAX reply to %s failed", user_id)

    def incoming(update: dict[str, Any]) -> tuple[int, Incoming] | None:
        kind = update.get("update_type")
        if kind == "bot_started":
            user = (update.get("user") or {}).get("user_id")
            if not isinstance(user, int):
                return None
            code = str(update.get("payload") or "")[:64]
            key = f"start:{user}:{update.get('timestamp')}"
            return user, Incoming("max", str(user), text="/start", command="start", args=code,
                                  update_key=key)  # fmt: skip
        if kind == "message_callback":
            callback = update.get("callback") or {}
            user = (callback.get("user") or {}).get("user_id")
            payload = str(callback.get("payload") or "")[:200]
            if not isinstance(user, int) or not payload:
                return None
            base = {"channel": "max", "external_id": str(user),
                    "update_key": str(callback.get("callback_id") or "")[:90] or None}  # fmt: skip
            if payload.startswith(MENU):
                return user, Incoming(**base, text=payload.removeprefix(MENU))
            return user, Incoming(**base, payload=payload)
        if kind != "message_created":
            return None
        message = update.get("message") or {}
        user = (message.get("sender") or {}).get("user_id")
        if not isinstance(user, int) or (message.get("recipient") or {}).get("chat_type") not in (
            None, "dialog",
        ):  # fmt: skip
            return None
        body = message.get("body") or {}
        base = {"channel": "max", "external_id": str(user),
                "display_name": str((message.get("sender") or {}).get("name") or "")[:200],
                "update_key": str(body.get("mid") or "")[:90] or None}  # fmt: skip
        text = str(body.get("text") or "")[:4000]
        contact = _contact(body, user)
        if contact is not None:
            return user, Incoming(**base, contact=contact)
        if text.startswith("/"):
            cmd, _, args = text[1:].partition(" ")
            return user, Incoming(**base, text=text, command=cmd.lower(), args=args.strip())
        if already_handled("max", base["update_key"]):
            return user, Incoming(**base)  # handle() drops it before anything is downloaded
        return user, Incoming(**base, text=text, file=_file(body, limit))

    @bp.post(URL)
    def webhook() -> Response:
        secret = config.max.secret
        given = request.headers.get(HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return Response("forbidden", status=403, mimetype="text/plain")
        update = request.get_json(silent=True)
        if not isinstance(update, dict):
            return Response("bad request", status=400, mimetype="text/plain")
        try:
            found = incoming(update)
        except ValueError:
            user = ((update.get("message") or {}).get("sender") or {}).get("user_id")
            if isinstance(user, int):
                reply(user, [Reply(texts.FILE_TOO_BIG)])
            return Response("ok", mimetype="text/plain")
        except requests.RequestException:
            log.warning("MAX attachment download failed")
            return Response("retry", status=502, mimetype="text/plain")  # MAX sends it again
        if found is not None:
            user, event = found
            reply(user, handle(event, deps))
        return Response("ok", mimetype="text/plain")

    return bp
