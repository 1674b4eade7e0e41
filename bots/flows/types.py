"""Plain data between a channel adapter and the flows: what came in, what goes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.base.config import Config
from core.base.interfaces import FileStore
from core.clients.identity import SharedContact

__all__ = ["Deps", "InFile", "Incoming", "OutFile", "Reply"]

Buttons = list[list[tuple[str, str]]]  # rows of (label, payload)


@dataclass(frozen=True)
class InFile:
    """A photo or document the person sent, already downloaded by the adapter."""

    name: str
    data: bytes
    mime: str = "application/octet-stream"
    is_photo: bool = False  # sent as a photo (must be an image), not as a file


@dataclass(frozen=True)
class Incoming:
    """One thing a person did in a chat. The adapter fills what applies."""

    channel: str  # telegram | viber | web
    external_id: str  # chat/user id on that channel (web: the session id)
    display_name: str = ""
    text: str = ""  # message text or the caption of a photo/document
    command: str | None = None  # "start" for "/start abc"
    args: str = ""  # "abc"
    payload: str | None = None  # a button pressed
    file: InFile | None = None
    contact: SharedContact | None = None  # a contact card; core.clients.identity judges it
    location: tuple[float, float] | None = None
    # What a message without words or a file was (a sticker, a place on the map): one line,
    # kept in a client's conversation like words, so nothing said is dropped at the door.
    note: str = ""
    update_key: str | None = None  # platform update id: the same key twice does nothing


@dataclass(frozen=True)
class OutFile:
    name: str
    data: bytes
    mime: str = "application/octet-stream"


@dataclass
class Reply:
    """One message back. menu: rows of labels for the persistent keyboard (None: leave
    it as it is). ask_contact: offer the platform's "share my phone" button."""

    text: str
    buttons: Buttons = field(default_factory=list)
    file: OutFile | None = None
    menu: list[list[str]] | None = None
    ask_contact: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [
                [{"label": label, "payload": p} for label, p in row] for row in self.buttons
            ],
            "menu": self.menu,
            "file": {"name": self.file.name, "mime": self.file.mime} if self.file else None,
        }


@dataclass(frozen=True)
class Deps:
    """What flows need from the outside: where files go and the configuration."""

    store: FileStore
    config: Config = field(default_factory=Config)
