"""Viber webhook: a Flask Blueprint factory.

    app.register_blueprint(viber_blueprint(config, deps))   # POST /viber/webhook
    csrf.exempt(bp)                                          # Viber cannot send a CSRF token

Order of business for every callback:
1. the X-Viber-Content-Signature (HMAC-SHA256 of the raw body, key = bot token) is
   checked with a constant-time compare — forged or missing: 403, nothing read further;
2. a body bots.payloads or viberbot cannot read: 400 in Russian, nothing written;
3. receipts (seen / failed / delivered) and subscriptions update the outbox and links;
4. messages and conversation starts become `Incoming` for the shared flows, and their
   `Reply` objects go back through the Viber API — the same flows as Telegram. A message
   token already handled (Viber retries a slow answer) is dropped before its media is
   downloaded or anything is sent."""

from __future__ import annotations

import hashlib
import hmac
import logging
import mimetypes
from collections.abc import Callable

import requests
from flask import Blueprint, abort, jsonify, request
from viberbot.api.messages import (
    ContactMessage,
    FileMessage,
    LocationMessage,
    PictureMessage,
    StickerMessage,
    TextMessage,
    VideoMessage,
)
from viberbot.api.viber_requests import (
    ViberConversationStartedRequest,
    ViberDeliveredRequest,
    ViberFailedRequest,
    ViberMessageRequest,
    ViberSeenRequest,
    ViberSubscribedRequest,
    ViberUnsubscribedRequest,
)

from bots import payloads
from bots.flows import Deps, Incoming, InFile, Reply, already_handled
from bots.flows import handle as flows_handle
from bots.viber.api import PAYLOAD_PREFIX, keyboard, make_api, to_messages
from core.base.config import Config
from core.clients import links
from core.clients.identity import SharedContact
from core.conversations import delivery

__all__ = ["MediaTooBig", "download", "incoming_of", "signature", "viber_blueprint"]

log = logging.getLogger(__name__)


class MediaTooBig(Exception):
    pass


def signature(token: str, body: bytes) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def download(url: str, limit: int, timeout: float = 20) -> bytes:
    """Fetch a media URL Viber gave us, refusing more than `limit` bytes (whatever the
    Content-Length claims: the body is counted as it arrives)."""
    with requests.get(url, stream=True, timeout=timeout) as response:
        response.raise_for_status()
        if int(response.headers.get("Content-Length") or 0) > limit:
            raise MediaTooBig
        data = bytearray()
        for chunk in response.iter_content(64 * 1024):
            data += chunk
            if len(data) > limit:
                raise MediaTooBig
    return bytes(data)


def _media(msg, config: Config, base: dict) -> Incoming | Reply:
    """A picture, file or video: downloaded within the size limit, or a polite refusal."""
    limit = config.viber.max_media_mb * 1024 * 1024
    too_big = Reply(f"Файл больше {config.viber.max_media_mb} МБ — пришлите поменьше.")
    if (getattr(msg, "size", None) or 0) > limit:  # announced: no need to fetch it
        return too_big
    try:
        data = download(msg.media, limit)
    except MediaTooBig:
        return too_big
    except requests.RequestException:
        log.exception("viber: media download failed")
        return Reply("Не удалось получить файл из Viber. Отправьте ещё раз.")
    is_photo = isinstance(msg, PictureMessage)
    default = "photo.jpg" if is_photo else "video.mp4" if isinstance(msg, VideoMessage) else "file"
    name = getattr(msg, "file_name", None) or default
    guessed = mimetypes.guess_type(name)[0]
    mime = "image/jpeg" if is_photo else guessed or "application/octet-stream"
    caption = getattr(msg, "text", None) or ""
    return Incoming(**base, text=caption, file=InFile(name, data, mime, is_photo))


def incoming_of(req: ViberMessageRequest, config: Config) -> Incoming | Reply:
    """One Viber message as the flows see it (or the answer when it cannot be taken)."""
    msg, sender = req.message, req.sender
    base = {"channel": "viber", "external_id": sender.id, "display_name": sender.name or "",
            "update_key": str(req.message_token)}  # fmt: skip
    if isinstance(msg, TextMessage):
        text = (msg.text or "").strip()
        if text.startswith(PAYLOAD_PREFIX):
            return Incoming(**base, payload=text[len(PAYLOAD_PREFIX) :])
        if text.startswith("/"):
            cmd, _, args = text[1:].partition(" ")
            return Incoming(**base, text=text, command=cmd.lower(), args=args.strip())
        return Incoming(**base, text=text)
    if isinstance(msg, ContactMessage):
        # Viber does not say whose card it is: core.clients.identity never trusts it.
        phone = msg.contact.phone_number or ""
        return Incoming(**base, contact=SharedContact("viber", sender.id, phone))
    if isinstance(msg, LocationMessage):
        lat, lon = msg.location.lat, msg.location.lon
        return Incoming(**base, location=(lat, lon),
                        note=f"📍 Геопозиция: {lat:.6f}, {lon:.6f} — "
                             f"https://yandex.ru/maps/?pt={lon:.6f},{lat:.6f}&z=17")  # fmt: skip
    if isinstance(msg, StickerMessage):
        return Incoming(**base, note="Стикер")
    if isinstance(msg, PictureMessage | FileMessage | VideoMessage):
        return _media(msg, config, base)
    return Reply("Такие сообщения бот не понимает. Напишите текстом или пришлите фото.")


def _receipt(event) -> bool:
    """Seen / failed / delivered receipts and (un)subscriptions; False for anything else."""
    if isinstance(event, ViberSeenRequest):
        delivery.mark_seen("viber", str(event.message_token))
    elif isinstance(event, ViberFailedRequest):
        delivery.mark_rejected(
            "viber", str(event.message_token), f"Viber: {event.desc or 'failed'}"
        )
    elif isinstance(event, ViberDeliveredRequest):
        log.info("viber: %s delivered to %s", event.message_token, event.user_id)
    elif isinstance(event, ViberUnsubscribedRequest):
        links.mark_blocked("viber", event.user_id, True)
    elif isinstance(event, ViberSubscribedRequest):
        links.mark_blocked("viber", event.user.id, False)
    else:
        return False
    return True


def _welcome(event: ViberConversationStartedRequest, config: Config, deps: Deps, handle):
    """conversation_started: the only moment a bot may write to someone who has not
    subscribed, and only in the HTTP answer. The deep-link context is the invite code."""
    incoming = Incoming(channel="viber", external_id=event.user.id,
                        display_name=event.user.name or "", command="start",
                        args=(event.context or "").strip(),
                        update_key=f"start:{event.message_token}")  # fmt: skip
    replies = handle(incoming, deps)
    if not replies:
        return ""
    text = "\n\n".join(r.text for r in replies if r.text)[:7000]
    last = replies[-1]
    body = {"sender": {"name": config.viber.name[:28]}, "type": "text", "text": text}
    kb = keyboard(last.buttons, last.menu, last.ask_contact)
    if kb:
        body["keyboard"] = kb
    return jsonify(body)


def viber_blueprint(
    config: Config,
    deps: Deps,
    *,
    api=None,
    handle: Callable[[Incoming, Deps], list[Reply]] = flows_handle,
    path: str = "/viber/webhook",
) -> Blueprint:
    api = api or make_api(config)
    token = config.viber.token
    bp = Blueprint("viber", __name__)

    def send(user_id: str, replies: list[Reply]) -> None:
        for reply in replies:
            messages = to_messages(reply)
            if messages:
                try:
                    api.send_messages(user_id, messages)
                except Exception:  # noqa: BLE001 - the update is handled; the answer is lost
                    log.exception("viber: could not answer %s", user_id)

    @bp.post(path)
    def webhook():
        try:
            raw = payloads.raw_body()
        except payloads.Refused as exc:
            return payloads.refusal(exc)
        given = request.headers.get("X-Viber-Content-Signature", "")
        if not token or not given or not hmac.compare_digest(signature(token, raw), given):
            abort(403)
        try:
            payloads.json_body(raw)
            event = api.parse_request(raw.decode("utf-8"))
        except Exception:  # noqa: BLE001 - viberbot raises anything on a bad body
            log.warning("viber: unparseable callback")
            return payloads.refusal(payloads.Refused("Неверный запрос: не событие Viber."))
        if _receipt(event):
            return ""
        if isinstance(event, ViberConversationStartedRequest):
            return _welcome(event, config, deps, handle)
        if isinstance(event, ViberMessageRequest):
            if already_handled("viber", str(event.message_token)):
                return ""  # a replay: silent, and its media is not fetched again
            result = incoming_of(event, config)
            replies = [result] if isinstance(result, Reply) else handle(result, deps)
            send(event.sender.id, replies)
        return ""

    return bp
