from __future__ import annotations

import io
import itertools

import pytest
from PIL import Image

from bots.flows import Deps, Incoming, InFile, handle
from core.access import SYSTEM
from core.clients.identity import SharedContact
from core.people.staff import create_invite
from tests.fakes.memory_store import MemoryStore


def jpeg(color: str = "white", size: tuple[int, int] = (60, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


_updates = itertools.count(1000)


class Chat:
    """One person in one channel, talking to the flows directly."""

    def __init__(self, deps: Deps, external_id: str, channel: str = "telegram", name: str = ""):
        self.deps, self.external_id, self.channel, self.name = deps, external_id, channel, name
        self.last: list = []

    def _send(self, **kw):
        kw.setdefault("update_key", str(next(_updates)))
        incoming = Incoming(
            channel=self.channel, external_id=self.external_id, display_name=self.name, **kw
        )
        self.last = handle(incoming, self.deps)
        return self.last

    def say(self, text: str, **kw):
        if text.startswith("/"):
            cmd, _, args = text[1:].partition(" ")
            return self._send(command=cmd, args=args, text=text, **kw)
        return self._send(text=text, **kw)

    def contact(self, phone: str, owner: str | None = "self", **kw):
        """A contact card; owner: whose the platform says it is ("self": the sender's)."""
        owner = self.external_id if owner == "self" else owner
        card = SharedContact(self.channel, self.external_id, phone, owner)
        return self._send(contact=card, **kw)

    def tap(self, payload: str, **kw):
        return self._send(payload=payload, **kw)

    def photo(self, data: bytes | None = None, caption: str = "", **kw):
        file = InFile(
            name="photo.jpg",
            data=data if data is not None else jpeg(),
            mime="image/jpeg",
            is_photo=True,
        )
        return self._send(text=caption, file=file, **kw)

    def document(self, data: bytes, name: str, mime: str, caption: str = "", **kw):
        return self._send(text=caption, file=InFile(name=name, data=data, mime=mime), **kw)

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last)

    def buttons(self) -> list[tuple[str, str]]:
        return [b for r in self.last for row in r.buttons for b in row]

    def button(self, label_part: str) -> str:
        for label, payload in self.buttons():
            if label_part in label:
                return payload
        raise AssertionError(f"no button with {label_part!r} in {self.buttons()}")


@pytest.fixture
def store():
    return MemoryStore()


@pytest.fixture
def deps(store):
    return Deps(store=store)


@pytest.fixture
def join(deps, staff):
    """join("executor") -> a Chat bound to that employee through a real invite."""

    def _join(who: str, channel: str = "telegram", external_id: str | None = None) -> Chat:
        invite = create_invite(SYSTEM, employee_id=staff[who].id)
        chat = Chat(deps, external_id or f"{who}-{channel}", channel, staff[who].name)
        chat.say(f"/start {invite.code}")
        assert "Вы подключены" in chat.text, chat.text
        return chat

    return _join
