"""An in-memory FileStore for tests (storage/ has the real ones)."""

from __future__ import annotations

from core.base.interfaces import StoredFile


class MemoryStore:
    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}

    def save(
        self, folder: str, name: str, data: bytes, content_type: str | None = None
    ) -> StoredFile:
        key = f"{folder}/{name}"
        stem, dot, ext = name.rpartition(".")
        n = 1
        while key in self.files:
            n += 1
            key = f"{folder}/{stem} ({n}){dot}{ext}" if dot else f"{folder}/{name} ({n})"
        self.files[key] = (data, content_type or "application/octet-stream")
        return StoredFile(
            key=key, size=len(data), content_type=content_type or "application/octet-stream"
        )

    def read(self, key: str) -> bytes:
        if key not in self.files:
            raise FileNotFoundError(key)
        return self.files[key][0]

    def exists(self, key: str) -> bool:
        return key in self.files

    def delete(self, key: str) -> None:
        self.files.pop(key, None)

    def share_link(self, key: str) -> str | None:
        return None

    def unshare_link(self, key: str) -> None:
        return None

    def order_folder(self, client_name, order_date, number, description) -> str:
        return f"Клиенты/{client_name}/{order_date.isoformat()} №{number}"
