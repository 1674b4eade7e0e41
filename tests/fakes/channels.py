"""In-memory doubles for the outbox's collaborators: a scripted Sender and a FileStore."""

from __future__ import annotations

import itertools
from collections import deque
from pathlib import Path

from core.base.interfaces import DeliveryError, OutgoingMessage, StoredFile


class FakeSender:
    """A transport that records what it was asked to send. `script` queues outcomes:
    None = success, a DeliveryError = raise it. An empty script means success."""

    def __init__(self, channel: str, *script: DeliveryError | None):
        self.channel = channel
        self.sent: list[OutgoingMessage] = []
        self.tries: list[OutgoingMessage] = []
        self.script = deque(script)
        self._ids = itertools.count(1)

    def fail_next(self, *errors: DeliveryError | None) -> None:
        self.script.extend(errors)

    def send(self, message: OutgoingMessage) -> str | None:
        self.tries.append(message)
        outcome = self.script.popleft() if self.script else None
        if outcome is not None:
            raise outcome
        self.sent.append(message)
        return f"{self.channel}-{next(self._ids)}"


class FolderStore:
    """A FileStore over a temp folder (the storage branch brings the real LocalStore)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def save(self, folder: str, name: str, data: bytes, content_type: str | None = None):
        safe = "".join(c for c in name if c not in "/\\\x00").strip(". ") or "file"
        target = self.root / folder / safe
        n = 1
        while target.exists():
            n += 1
            target = self.root / folder / f"{Path(safe).stem}-{n}{Path(safe).suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        key = str(target.relative_to(self.root))
        return StoredFile(
            key=key, size=len(data), content_type=content_type or "application/octet-stream"
        )

    def read(self, key: str) -> bytes:
        return (self.root / key).read_bytes()

    def exists(self, key: str) -> bool:
        return (self.root / key).exists()

    def delete(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)

    def share_link(self, key: str) -> str | None:
        return None

    def unshare_link(self, key: str) -> None:
        return None


def firm_sends_sms_and_mail() -> None:
    """The firm has set up an SMS gateway and outgoing mail in Настройки (the web's values,
    which every process's configuration overlays): clients with a phone or an e-mail are
    reachable, as a mailing's preview counts them."""
    from core.base import settings

    # No secrets among them: a test app with its own secret key reads them all the same.
    for key, value in (("sms.provider", "http"), ("sms.url", "https://sms.example.test/send"),
                       ("smtp.host", "smtp.example.test"), ("smtp.sender", "shop@example.test")):  # fmt: skip
        settings.put(key, value)
