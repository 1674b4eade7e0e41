"""Files in local folders: the default backend and the spool for Yandex Disk."""

from __future__ import annotations

import datetime as dt
import mimetypes
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from core.base.interfaces import StoredFile
from storage.folders import order_folder
from storage.names import check_key, join_key, split_ext

__all__ = ["LocalStore", "guess_type", "unique_key"]


def guess_type(name: str, content_type: str | None) -> str:
    return content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"


def unique_key(key: str, taken: Callable[[str], bool]) -> str:
    """ "file.pdf" -> "file (2).pdf", "file (3).pdf"... the first one `taken` says is free."""
    if not taken(key):
        return key
    folder, _, name = key.rpartition("/")
    stem, ext = split_ext(name)
    n = 2
    while True:
        candidate = f"{stem} ({n}){ext}"
        candidate = f"{folder}/{candidate}" if folder else candidate
        if not taken(candidate):
            return candidate
        n += 1


class LocalStore:
    """FileStore over a root folder. Keys are relative POSIX paths under the root."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """The absolute path for a key; refuses anything that could leave the root."""
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root):  # symlinks pointing outside
            raise ValueError(f"Недопустимый путь к файлу: {key!r}")
        return path

    def save(
        self, folder: str, name: str, data: bytes, content_type: str | None = None
    ) -> StoredFile:
        key = join_key(folder, name)
        self.path(key).parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL claims the name atomically, so two saves of "макет.pdf" never overwrite each other.
        while True:
            key = unique_key(key, lambda k: self.path(k).exists())
            try:
                fd = os.open(self.path(key), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                continue
            break
        os.close(fd)
        self.write(key, data)
        return StoredFile(key=key, size=len(data), content_type=guess_type(key, content_type))

    def write(self, key: str, data: bytes) -> None:
        """Write bytes at exactly this key (replacing it), atomically: readers never see half a file."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        try:
            return self.path(key).is_file()
        except ValueError:
            return False

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def order_folder(
        self, client_name: str, order_date: dt.date, number: int, description: str
    ) -> str:
        return order_folder(client_name, order_date, number, description)

    can_share = False  # local folders have no public links

    def share_link(self, key: str) -> str | None:
        return None

    def unshare_link(self, key: str) -> None:
        return None

    def is_folder(self, key: str) -> bool:
        return (self.root / check_key(key)).is_dir()

    def list(self, folder: str) -> list[str]:
        """Keys of the files directly in a folder (for the order card's file list)."""
        base = self.root / check_key(folder) if folder else self.root
        if not base.is_dir():
            return []
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in base.iterdir()
            if p.is_file() and not p.name.startswith(".tmp-")
        )
