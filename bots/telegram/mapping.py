"""Telegram updates to Incoming, Replies to Telegram keyboards. Pure functions shared by
long polling (aiogram) and the webhook (plain HTTP)."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)

from bots.flows.types import Incoming, Reply
from core.clients.identity import SharedContact

__all__ = ["ALLOWED_UPDATES", "COMMANDS", "FileRef", "MAX_TEXT", "chunks", "markup_for",
           "to_incoming"]  # fmt: skip

ALLOWED_UPDATES = ["message", "callback_query"]  # all the flows read
COMMANDS = [
    ("tasks", "Мои задачи"),
    ("balance", "Баланс: деньги на руках"),
    ("order", "Открыть заказ: /order 123"),
    ("help", "Что умеет бот"),
    ("cancel", "Отменить текущее действие"),
]
MAX_TEXT = 4096
MAX_DOWNLOAD = 20 * 1024 * 1024  # the Bot API serves files up to 20 MB


@dataclass(frozen=True)
class FileRef:
    """A file the update points at; the adapter downloads it (if not too big)."""

    file_id: str
    size: int | None
    name: str
    mime: str
    is_photo: bool
    what: str = ""  # a voice note, a video…: said in a line when the file cannot be had

    @property
    def too_big(self) -> bool:
        return self.size is not None and self.size > MAX_DOWNLOAD


def to_incoming(update: Update) -> tuple[Incoming, FileRef | None] | None:
    """None for what the bot ignores (group chats, edits, service messages)."""
    key = str(update.update_id)
    if update.callback_query is not None:
        query = update.callback_query
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        return (
            Incoming(
                channel="telegram",
                external_id=str(chat_id),
                display_name=query.from_user.full_name,
                payload=query.data or "",
                update_key=key,
            ),
            None,
        )
    message = update.message
    if message is None or message.chat.type != "private" or message.from_user is None:
        return None
    text = message.text or message.caption or ""
    command = args = None
    if message.text and message.text.startswith("/"):
        head, _, rest = message.text[1:].partition(" ")
        command, args = head.split("@", 1)[0].lower(), rest.strip()
    file = _file_of(message)
    contact = None
    if message.contact is not None:  # core.clients.identity judges whose it is
        owner = message.contact.user_id
        contact = SharedContact("telegram", str(message.from_user.id),
                                message.contact.phone_number, str(owner) if owner else None)  # fmt: skip
    location = None
    if message.location is not None:
        location = (message.location.latitude, message.location.longitude)
    incoming = Incoming(
        note=_note_of(message),
        channel="telegram",
        external_id=str(message.chat.id),
        display_name=message.from_user.full_name,
        text=text,
        command=command,
        args=args or "",
        contact=contact,
        location=location,
        update_key=key,
    )
    return incoming, file


# Media the bot keeps as files (the name it gets, its type, what it is called in a line).
_MEDIA = (
    ("voice", "voice_{uid}.ogg", "audio/ogg", "Голосовое сообщение"),
    ("audio", "audio_{uid}.mp3", "audio/mpeg", "Аудиозапись"),
    ("video", "video_{uid}.mp4", "video/mp4", "Видео"),
    ("video_note", "video_note_{uid}.mp4", "video/mp4", "Видеосообщение"),
    ("animation", "animation_{uid}.mp4", "video/mp4", "Анимация"),
)


def _file_of(message) -> FileRef | None:
    """The photo (its biggest size), the document, or a voice note, audio, video, video note
    or animation: every file a person can send is kept."""
    if message.photo:
        biggest = message.photo[-1]  # sizes come smallest first
        return FileRef(biggest.file_id, biggest.file_size,
                       f"photo_{biggest.file_unique_id}.jpg", "image/jpeg", True)  # fmt: skip
    if message.document is not None:
        doc = message.document
        return FileRef(doc.file_id, doc.file_size, doc.file_name or "file",
                       doc.mime_type or "application/octet-stream", False)  # fmt: skip
    for field, name, mime, what in _MEDIA:
        media = getattr(message, field, None)
        if media is not None:
            own = getattr(media, "file_name", None) or name.format(uid=media.file_unique_id)
            kind = getattr(media, "mime_type", None) or mime
            return FileRef(media.file_id, media.file_size, own, kind, False, what)
    return None


def _note_of(message) -> str:
    """A sticker or a place on the map: a line that says what it was."""
    if message.sticker is not None:
        return f"Стикер {message.sticker.emoji or ''}".strip()
    place = message.venue.location if message.venue is not None else message.location
    if place is not None:
        lat, lon = place.latitude, place.longitude
        title = f" ({message.venue.title})" if message.venue is not None else ""
        return (f"📍 Геопозиция{title}: {lat:.6f}, {lon:.6f} — "
                f"https://yandex.ru/maps/?pt={lon:.6f},{lat:.6f}&z=17")  # fmt: skip
    return ""


def markup_for(reply: Reply) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """Inline buttons win; else the persistent menu; else a "share my phone" button."""
    if reply.buttons:
        return InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(text=label[:64], callback_data=payload[:64])
                    for label, payload in row
                ]  # fmt: skip
                for row in reply.buttons
            ]
        )
    if reply.menu:
        return ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text=label) for label in row] for row in reply.menu],
            resize_keyboard=True,
            is_persistent=True,
        )
    if reply.ask_contact:
        return ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text="📱 Поделиться номером", request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    return None


def chunks(text: str, size: int = MAX_TEXT) -> list[str]:
    """Telegram refuses messages over 4096 characters: split on line breaks."""
    text = text or "…"
    parts: list[str] = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        cut = cut if cut > size // 2 else size
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return parts + [text]
