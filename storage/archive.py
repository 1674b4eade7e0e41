"""The backup archive: one tar file with the database copy, the stored files and a manifest.

Layout: ``database/…`` (the SQLite copy or the pg_dump file), ``files/<key>`` (the file
store's keys), ``config/config.toml`` (only when secrets were asked for) and
``manifest.json`` last, listing every other member with its size and SHA-256.

It lives in storage/ because it is file-system work and nothing else: core/ knows no files,
and the database dump that goes into it is made by the composition root (cli/backup/).

Memory stays flat whatever the file sizes: each member is copied in CHUNK-sized pieces and
hashed on the way, in and out. Reading checks everything into a staging folder before the
caller touches live data; a truncated archive lacks its manifest (written last), a tampered
member fails its checksum, and either way the caller gets a BackupRefused in Russian.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from core.base.errors import BrigadirError

__all__ = [
    "FORMAT",
    "MANIFEST",
    "ArchiveWriter",
    "BackupRefused",
    "Entry",
    "extract_verified",
    "refuse_damaged",
    "sha256_file",
]

FORMAT = "brigadir-backup"
VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1 << 20  # 1 MiB pieces: the whole memory a member costs
MAX_MANIFEST = 512 << 20  # a manifest of a few million files still fits; a bigger one is junk
PREFIXES = ("database/", "files/", "config/")


class BackupRefused(BrigadirError):
    """The file is not a sound backup; nothing was changed."""


@dataclass(frozen=True)
class Entry:
    size: int
    sha256: str


class _Hashing:
    """A reader that hashes and counts what passes through it."""

    def __init__(self, fh: IO[bytes]):
        self.fh = fh
        self.sha = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


def sha256_file(path: Path) -> Entry:
    reader = _Hashing(open(path, "rb"))
    with reader.fh:
        while reader.read(CHUNK):
            pass
    return Entry(reader.size, reader.sha.hexdigest())


def walk_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(key, path) of every regular file under root, sorted, skipping half-written temp files
    (LocalStore.write's ".tmp-*") so a save in progress is not caught half-way."""
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder, name)
            if name.startswith(".tmp-") or not path.is_file() or path.is_symlink():
                continue
            yield path.relative_to(root).as_posix(), path


class ArchiveWriter:
    """Write members one by one into ``target.part``; ``close`` adds the manifest and renames
    the finished archive into place, so a crash never leaves a file that looks complete."""

    def __init__(self, target: Path):
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.target = target
        self.part = target.with_name(target.name + ".part")
        # Personal data and (with --with-secrets) the tokens: readable by the owner only.
        fd = os.open(self.part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a .part left by a crash keeps no wider mode
        self._fh = os.fdopen(fd, "wb")
        self._tar = tarfile.open(fileobj=self._fh, mode="w", format=tarfile.PAX_FORMAT)
        self._tar.copybufsize = CHUNK
        self.entries: dict[str, Entry] = {}

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, kind: Any, *_: Any) -> None:
        if kind is not None:
            self.abort()

    def add_file(self, name: str, path: Path) -> Entry:
        """Stream one file in. The size is taken from the open descriptor, so a file replaced
        meanwhile (stores write atomically) is read whole in its old version."""
        with open(path, "rb") as fh:
            stat = os.fstat(fh.fileno())
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o644
            reader = _Hashing(fh)
            self._tar.addfile(info, reader)
        entry = Entry(reader.size, reader.sha.hexdigest())
        self.entries[name] = entry
        return entry

    def add_bytes(self, name: str, data: bytes) -> Entry:
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(data), 0o600
        reader = _Hashing(_BytesReader(data))
        self._tar.addfile(info, reader)
        entry = Entry(reader.size, reader.sha.hexdigest())
        self.entries[name] = entry
        return entry

    def close(self, extra: dict[str, Any]) -> dict[str, Any]:
        """Add the manifest (the caller's `extra` plus every member) and publish the archive."""
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            **extra,
            "members": {
                name: {"size": e.size, "sha256": e.sha256} for name, e in self.entries.items()
            },
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode = len(data), 0o644
        self._tar.addfile(info, _BytesReader(data))
        self._tar.close()
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        os.replace(self.part, self.target)
        return manifest

    def abort(self) -> None:
        try:
            self._tar.close()
        except (OSError, tarfile.TarError):
            pass
        self._fh.close()
        self.part.unlink(missing_ok=True)


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def read(self, n: int = -1) -> bytes:
        end = len(self.data) if n < 0 else self.pos + n
        out = self.data[self.pos : end]
        self.pos += len(out)
        return out


def _safe_name(name: str) -> str | None:
    """The member name as a relative path that stays inside the staging folder, or None."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return None
    text = path.as_posix()
    return text if text == MANIFEST or text.startswith(PREFIXES) else None


def extract_verified(archive: Path, staging: Path) -> dict[str, Any]:
    """Unpack `archive` into `staging` and check every member against the manifest.

    Returns the manifest. Raises BackupRefused (Russian) if the file is not a backup, is
    cut short, or any member differs from the manifest; `staging` is then removed."""
    name = archive.name
    broken = f"Копия {name} повреждена или не дописана"
    if not archive.is_file():
        raise BackupRefused(f"Нет файла копии: {archive}")
    staging.mkdir(parents=True, exist_ok=False)
    try:
        found: dict[str, Entry] = {}
        manifest_raw = None
        opened = False
        try:
            with tarfile.open(archive, mode="r|", bufsize=CHUNK) as tar:
                for member in tar:
                    opened = True
                    member_name = _safe_name(member.name)
                    if member.isdir():
                        continue
                    if member_name is None or not member.isreg() or member_name in found:
                        raise BackupRefused(
                            f"Копия {name} не похожа на копию Бригадира: лишний файл «{member.name}»."
                        )
                    source = tar.extractfile(member)
                    assert source is not None  # a regular member always has data
                    if member_name == MANIFEST:
                        if member.size > MAX_MANIFEST:
                            raise BackupRefused(f"{broken}: опись слишком велика.")
                        manifest_raw = source.read()
                        continue
                    if manifest_raw is not None:
                        raise BackupRefused(f"{broken}: после описи есть ещё файлы.")
                    found[member_name] = _copy_out(source, staging / member_name)
        except tarfile.ReadError as exc:
            if not opened:
                raise BackupRefused(
                    f"Файл {name} — не резервная копия Бригадира (или пустой)."
                ) from exc
            raise BackupRefused(f"{broken} (файл обрывается). Ничего не изменено.") from exc
        except (tarfile.TarError, EOFError) as exc:
            raise BackupRefused(f"{broken} (файл обрывается). Ничего не изменено.") from exc
        manifest = _check_manifest(name, manifest_raw, found)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _copy_out(source: IO[bytes], target: Path) -> Entry:
    target.parent.mkdir(parents=True, exist_ok=True)
    reader = _Hashing(source)
    with open(target, "wb") as out:
        while chunk := reader.read(CHUNK):
            out.write(chunk)
    return Entry(reader.size, reader.sha.hexdigest())


def refuse_damaged(name: str, what: str) -> None:
    """The refusal every check of an archive ends in: Russian, and nothing changed."""
    raise BackupRefused(f"Копия {name} повреждена: {what}. Ничего не изменено.")


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_shape(name: str, manifest: dict[str, Any]) -> None:
    """The one validator of a manifest's frame: a version that is a number, every member a
    relative name inside the staging folder with its size and checksum. Anything else — a list
    where a table belongs, a version in words, a member at "/etc/passwd" or "../x" — is
    refused in Russian before a byte of live data is touched (what a restore reads besides
    is checked by cli.backup.snapshot.check_restorable)."""

    def refuse(what: str) -> None:
        refuse_damaged(name, what)

    version = manifest.get("version")
    if not _whole(version) or version < 1:
        refuse("в описи нет версии формата")
    if version > VERSION:
        raise BackupRefused(
            f"Копия {name} сделана более новой версией Бригадира — обновите программу."
        )
    members = manifest.get("members")
    if not isinstance(members, dict):
        refuse("в описи нет списка файлов")
    for member, meta in members.items():
        if _safe_name(member) in (None, MANIFEST):
            refuse(f"в описи недопустимое имя файла «{str(member)[:80]}»")
        if not (isinstance(meta, dict) and _whole(meta.get("size"))
                and isinstance(meta.get("sha256"), str)):  # fmt: skip
            refuse(f"в описи неверная запись о файле «{member[:80]}»")


def _check_manifest(name: str, raw: bytes | None, found: dict[str, Entry]) -> dict[str, Any]:
    if raw is None:
        if not found:
            raise BackupRefused(f"Файл {name} — не резервная копия Бригадира.")
        raise BackupRefused(
            f"Копия {name} не дописана: в ней нет описи (manifest.json). Ничего не изменено."
        )
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise BackupRefused(f"Копия {name} повреждена: опись не читается.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(f"Файл {name} — не резервная копия Бригадира.")
    _check_shape(name, manifest)
    listed = manifest["members"]
    for member, meta in listed.items():
        got = found.get(member)
        if got is None:
            raise BackupRefused(
                f"Копия {name} неполна: нет файла «{member}», указанного в описи. Ничего не изменено."
            )
        if (got.size, got.sha256) != (meta.get("size"), meta.get("sha256")):
            raise BackupRefused(
                f"Копия {name} повреждена: файл «{member}» не совпадает с описью "
                "(размер или контрольная сумма). Ничего не изменено."
            )
    extra = sorted(set(found) - set(listed))
    if extra:
        raise BackupRefused(f"Копия {name} повреждена: файла «{extra[0]}» нет в описи.")
    return manifest
