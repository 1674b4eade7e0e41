"""MAX webhook: a Flask Blueprint factory.

    app.register_blueprint(maxbot.make_blueprint(config, store))   # POST /max/webhook
    csrf.exempt(bp)

1. the X-Max-Bot-Api-Secret header must equal the subscription's secret (constant-time
   compare) — forged or missing: 403, nothing read further, nothing written;
2. the body goes through bots.payloads (not a JSON object of the expected shape: 400 in
   Russian, nothing written);
3. "message_created" (text, a /command, every image, file, video and voice note, a sticker
   or a place as a line, a shared contact),
   "message_callback" (a button's payload; "menu:<label>" reads as the label typed) and
   "bot_started" (the start link's payload is an invite code) become an `Incoming` for the
   shared flows; the replies go back through maxapi;
4. the message id / callback id is the update key: a redelivered update is handled once.
A contact counts as the sender's own phone only when MAX says it is the sender's."""

from __future__ import annotations

import hmac
import logging
import mimetypes
import re
from typing import Any

import requests
from flask import Blueprint, Response, request

from bots import payloads
from bots.flows import Deps, Incoming, InFile, already_handled, answers, texts
from bots.flows.types import Reply
from bots.maxbot.api import MENU, send_text
from bots.media import fetch
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
    for item in payloads.items(body.get("attachments"), "attachments"):
        if item.get("type") != "contact":
            continue
        payload = item.get("payload") or {}
        owner = (payload.get("max_info") or {}).get("user_id")
        found = _TEL.search(str(payload.get("vcf_info") or ""))
        if found:
            return SharedContact("max", str(sender), found.group(1).strip(),
                                 str(owner) if isinstance(owner, int) else None)  # fmt: skip
    return None


# What a kept file is called when MAX gives no name: (name, type, is it a photo).
_FILES = {"image": ("photo.jpg", "image/jpeg", True), "file": ("file", None, False),
          "video": ("video.mp4", "video/mp4", False), "audio": ("audio.ogg", "audio/ogg", False)}  # fmt: skip


def _attachments(body: dict[str, Any], limit: int) -> tuple[list[InFile], list[str]]:
    """Every image, file, video and voice note of the message, downloaded; a sticker or a
    place on the map as a line that says what it was."""
    files: list[InFile] = []
    notes: list[str] = []
    for item in payloads.items(body.get("attachments"), "attachments"):
        kind, payload = item.get("type"), item.get("payload") or {}
        if kind == "sticker":
            notes.append("Стикер")
        elif kind == "location":
            lat, lon = item.get("latitude"), item.get("longitude")
            if isinstance(lat, int | float) and isinstance(lon, int | float):
                notes.append(f"📍 Геопозиция: {lat:.6f}, {lon:.6f} — "
                             f"https://yandex.ru/maps/?pt={lon:.6f},{lat:.6f}&z=17")  # fmt: skip
        elif kind in _FILES and isinstance(payload, dict) and payload.get("url"):
            name, mime, photo = _FILES[kind]
            data, served = fetch(str(payload["url"]), limit)
            name = str(item.get("filename") or payload.get("filename") or name)[:200]
            mime = mime or mimetypes.guess_type(name)[0] or served  # the name says what it is
            files.append(InFile(name, data, mime, is_photo=photo))
    return files, notes


def _started(update: dict[str, Any]) -> tuple[int, list[Incoming]] | None:
    user = (update.get("user") or {}).get("user_id")
    if not isinstance(user, int):
        return None
    code = str(update.get("payload") or "")[:64]
    key = f"start:{user}:{update.get('timestamp')}"
    return user, [Incoming("max", str(user), text="/start", command="start", args=code,
                           update_key=key)]  # fmt: skip


def _callback(update: dict[str, Any]) -> tuple[int, list[Incoming]] | None:
    callback = payloads.require(update.get("callback") or {}, dict, "callback")
    user = (callback.get("user") or {}).get("user_id")
    payload = str(callback.get("payload") or "")[:200]
    if not isinstance(user, int) or not payload:
        return None
    base = {"channel": "max", "external_id": str(user),
            "update_key": str(callback.get("callback_id") or "")[:90] or None}  # fmt: skip
    if payload.startswith(MENU):
        return user, [Incoming(**base, text=payload.removeprefix(MENU))]
    return user, [Incoming(**base, payload=payload)]


def _message(update: dict[str, Any], limit: int) -> tuple[int, list[Incoming]] | None:
    """A message: its words with the first file, then one more Incoming per further file or
    line (each with its own update key), so every attachment goes where the first one goes."""
    message = payloads.require(update.get("message") or {}, dict, "message")
    user = (message.get("sender") or {}).get("user_id")
    if not isinstance(user, int) or (message.get("recipient") or {}).get("chat_type") not in (
        None, "dialog",
    ):  # fmt: skip
        return None
    body = payloads.require(message.get("body") or {}, dict, "body")
    key = str(body.get("mid") or "")[:80] or None
    base = {"channel": "max", "external_id": str(user),
            "display_name": str((message.get("sender") or {}).get("name") or "")[:200]}  # fmt: skip
    text = str(body.get("text") or "")[:4000]
    contact = _contact(body, user)
    if contact is not None:
        return user, [Incoming(**base, update_key=key, contact=contact)]
    if text.startswith("/"):
        cmd, _, args = text[1:].partition(" ")
        return user, [Incoming(**base, update_key=key, text=text, command=cmd.lower(),
                               args=args.strip())]  # fmt: skip
    if already_handled("max", key):
        return user, [Incoming(**base, update_key=key)]  # dropped before anything is fetched
    files, notes = _attachments(body, limit)
    first = Incoming(**base, update_key=key, text=text, file=files[0] if files else None,
                     note="" if files or text else (notes.pop(0) if notes else ""))  # fmt: skip
    more = [Incoming(**base, update_key=f"{key}:{n}" if key else None, file=f)
            for n, f in enumerate(files[1:], 1)]  # fmt: skip
    more += [Incoming(**base, update_key=f"{key}:n{n}" if key else None, note=line)
             for n, line in enumerate(notes)]  # fmt: skip
    return user, [first, *more]


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

    @bp.post(URL)
    def webhook() -> Response:
        secret = config.max.secret
        given = request.headers.get(HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return Response("forbidden", status=403, mimetype="text/plain")
        try:
            update = payloads.json_body()
            found = _parse(update, limit)
        except payloads.Refused as exc:
            return payloads.refusal(exc)
        except ValueError:
            user = ((update.get("message") or {}).get("sender") or {}).get("user_id")
            if isinstance(user, int):
                reply(user, [Reply(texts.FILE_TOO_BIG)])
            return Response("ok", mimetype="text/plain")
        except requests.RequestException:
            log.warning("MAX attachment download failed")
            return Response("retry", status=502, mimetype="text/plain")  # MAX sends it again
        if found is not None:
            user, events = found
            reply(user, answers(events, deps))
        return Response("ok", mimetype="text/plain")

    return bp


def _parse(update: dict[str, Any], limit: int) -> tuple[int, list[Incoming]] | None:
    kind = update.get("update_type")
    if kind == "bot_started":
        return _started(update)
    if kind == "message_callback":
        return _callback(update)
    if kind == "message_created":
        return _message(update, limit)
    return None
