"""VK Callback API: a Flask Blueprint factory.

    app.register_blueprint(vk.make_blueprint(config, store))   # POST /vk/callback
    csrf.exempt(bp)                                             # VK cannot send a CSRF token

Order of business for every callback:
1. the group id and the secret key (compared in constant time) must match — a forged or
   missing secret: 403, nothing read further, nothing written;
2. "confirmation" answers the configured code (VK's one-time server check);
3. "message_new" becomes `Incoming`s for the shared flows (text, a /command, a button's
   payload, every photo, document and voice note; a sticker, a video or a place as a line
   that says what it was), and the replies go back through vkbottle's API;
4. anything else: "ok" (VK retries whatever is not answered "ok"). The event id is the
   update key: a redelivered event is handled once."""

from __future__ import annotations

import hmac
import json
import logging
import mimetypes
from dataclasses import replace
from typing import Any

import requests
from flask import Blueprint, Response

from bots import payloads
from bots.flows import Deps, Incoming, InFile, already_handled, answers, texts
from bots.flows.types import Reply
from bots.media import fetch
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


def _one(item: dict[str, Any], limit: int) -> InFile | str | None:
    """One attachment: a file to keep, or a line saying what it was (None: nothing)."""
    kind = item.get("type")
    body = item.get(kind) if isinstance(kind, str) else None
    body = body if isinstance(body, dict) else {}
    if kind == "photo":
        sizes = [s for s in body.get("sizes") or [] if isinstance(s, dict) and s.get("url")]
        if not sizes:
            return None
        best = max(sizes, key=lambda s: int(s.get("width") or 0) * int(s.get("height") or 0))
        return InFile("photo.jpg", fetch(str(best["url"]), limit)[0], "image/jpeg", True)
    if kind == "doc" and body.get("url"):
        name = str(body.get("title") or "file")[:200]
        data, served = fetch(str(body["url"]), limit)
        return InFile(name, data, mimetypes.guess_type(name)[0] or served)
    if kind == "audio_message" and (body.get("link_ogg") or body.get("link_mp3")):
        ogg = bool(body.get("link_ogg"))
        data, _ = fetch(str(body.get("link_ogg") or body.get("link_mp3")), limit)
        return InFile(
            "voice.ogg" if ogg else "voice.mp3", data, "audio/ogg" if ogg else "audio/mpeg"
        )
    if kind == "sticker":
        return "Стикер"
    if kind == "video":  # VK gives a bot no file for a video: where to watch it
        return f"Видео: https://vk.com/video{body.get('owner_id')}_{body.get('id')}"
    if kind in ("audio", "wall", "link", "market", "poll", "gift", "graffiti"):
        return {"audio": "Аудиозапись", "wall": "Запись со стены", "link": "Ссылка",
                "market": "Товар", "poll": "Опрос", "gift": "Подарок",
                "graffiti": "Граффити"}[kind] + (f": {body.get('url')}" if body.get("url") else "")  # fmt: skip
    return None


def _parts(message: dict[str, Any], limit: int) -> tuple[list[InFile], list[str]]:
    """Every attachment of the message (not only the first), and a place on the map."""
    files: list[InFile] = []
    notes: list[str] = []
    for item in payloads.items(message.get("attachments"), "attachments"):
        found = _one(item, limit)
        if isinstance(found, InFile):
            files.append(found)
        elif found:
            notes.append(found)
    coordinates = (message.get("geo") or {}).get("coordinates") or {}
    lat, lon = coordinates.get("latitude"), coordinates.get("longitude")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        notes.append(f"📍 Геопозиция: {lat:.6f}, {lon:.6f} — "
                     f"https://yandex.ru/maps/?pt={lon:.6f},{lat:.6f}&z=17")  # fmt: skip
    return files, notes


def _events(message: dict[str, Any], base: dict[str, Any], limit: int) -> list[Incoming]:
    """The words with the first file, then one Incoming per further file or line."""
    text = str(message.get("text") or "")[:4000]
    payload = _payload(message)
    if payload:
        return [Incoming(**base, payload=payload)]
    if text.startswith("/"):
        cmd, _, args = text[1:].partition(" ")
        return [Incoming(**base, text=text, command=cmd.lower(), args=args.strip())]
    files, notes = _parts(message, limit)
    first = Incoming(**base, text=text, file=files[0] if files else None,
                     note="" if files or text else (notes.pop(0) if notes else ""))  # fmt: skip
    key = base["update_key"]
    more = [replace(first, text="", note="", file=f, update_key=f"{key}:{n}" if key else None)
            for n, f in enumerate(files[1:], 1)]  # fmt: skip
    more += [replace(first, text="", file=None, note=line, update_key=f"{key}:n{n}" if key else None)
             for n, line in enumerate(notes)]  # fmt: skip
    return [first, *more]


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
        try:
            body = payloads.json_body()
        except payloads.Refused:
            body = None
        if not isinstance(body, dict) or not _genuine(body, config):
            return Response("forbidden", status=403, mimetype="text/plain")
        kind = body.get("type")
        if kind == "confirmation":
            return Response(config.vk.confirmation, mimetype="text/plain")
        if kind != "message_new":
            return OK
        message = ((body.get("object") or {}).get("message")) or {}
        if not isinstance(message, dict):
            return payloads.refusal(
                payloads.Refused("Неверный запрос: поле «message» не того вида.")
            )
        peer = message.get("from_id") or message.get("peer_id")
        if not isinstance(peer, int) or peer <= 0:  # a user's own chat only, not a group chat
            return OK
        key = str(body.get("event_id") or "")[:80] or None
        if already_handled("vk", key):
            return OK
        base: dict[str, Any] = {"channel": "vk", "external_id": str(peer), "update_key": key}
        try:
            events = _events(message, base, limit)
        except payloads.Refused as exc:
            return payloads.refusal(exc)
        except ValueError:
            reply(peer, [Reply(texts.FILE_TOO_BIG)], f"vk:{key}:big")
            return OK
        except requests.RequestException:
            log.warning("VK attachment download failed for %s", peer)
            events = [Incoming(**base, text=str(message.get("text") or "")[:4000])]
        reply(peer, answers(events, deps), f"vk:{key or peer}")
        return OK

    return bp
