"""One backup = one archive: the database copy, every stored file, a manifest of checksums.

Taking one reads the database through its own backup tool and streams the file store's
folder into storage.archive; restoring checks the whole archive into a staging folder
first and only then replaces anything, keeping what it replaces beside the backups."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli.backup import database
from core import migrations
from core.base.clock import to_local, utcnow
from core.base.config import Config
from core.base.errors import BrigadirError
from storage.archive import (
    ArchiveWriter,
    BackupRefused,
    extract_verified,
    refuse_damaged,
    walk_files,
)

__all__ = [
    "BackupFailed",
    "BackupResult",
    "RestoreResult",
    "default_name",
    "restore_backup",
    "take_backup",
]

CONFIG_MEMBER = "config/config.toml"
PREFIX = "brigadir-"  # nightly retention only ever touches archives named like this
STAMP = "%Y%m%d-%H%M%S"


class BackupFailed(BrigadirError):
    """The backup could not be written (disk full, no rights...); the message is Russian."""


DISK_ERRORS = {
    errno.ENOSPC: "на диске нет места",
    errno.EDQUOT: "исчерпана квота диска",
    errno.EACCES: "нет прав на запись",
    errno.EPERM: "нет прав на запись",
    errno.EROFS: "диск доступен только для чтения",
    errno.ENOENT: "нет такой папки или файла",
    errno.EEXIST: "на месте папки лежит файл",
    errno.ENOTDIR: "на месте папки лежит файл",
}


def disk_message(exc: OSError) -> str:
    """An OS error in Russian, naming the path, for the director's messenger and dashboard."""
    what = DISK_ERRORS.get(exc.errno or 0, f"ошибка диска (код {exc.errno})")
    where = exc.filename or ""
    return f"{what}{f': {where}' if where else ''}"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    files: int  # stored files in the archive (local and, when asked, from Yandex Disk)
    remote_listed: int  # files on Yandex Disk listed in the manifest


@dataclass(frozen=True)
class RestoreResult:
    files: int
    replaced: Path | None  # where the data that was replaced now lies
    config_restored: bool


MANUAL = "brigadir-manual-"  # a backup a person asked for: never a nightly one's name


def default_name(config: Config) -> Path:
    """Where `brigadir backup` puts an archive unless told: brigadir-manual-….tar beside the
    nightly brigadir-YYYYMMDD-HHMMSS.tar (scheduler.backups names those, and its retention
    deletes only those), so a copy taken by hand stays until a person deletes it."""
    return config.backup_dir / f"{MANUAL}{to_local(utcnow()).strftime(STAMP)}.tar"


def _remote(config: Config, root: str) -> Any:
    from storage.yadisk_store import YandexDiskStore

    return YandexDiskStore(
        config.storage.yadisk_token,
        root="disk:" + root.removeprefix("disk:"),
        base_url=config.storage.yadisk_base_url,
    )


def files_remote(config: Config) -> Any:
    return _remote(config, config.storage.yadisk_root)


def copies_remote(config: Config) -> Any:
    """Where nightly archives go on Yandex Disk ([backup] yadisk_folder)."""
    return _remote(config, config.backup.yadisk_folder)


def take_backup(
    config: Config, target: Path | None = None, *, with_secrets: bool = False
) -> BackupResult:
    """Write the archive. Works while the product runs: SQLite's backup API and pg_dump read a
    consistent snapshot, and the stores replace files atomically (an open file is read whole)."""
    try:
        return _take(config, (target or default_name(config)).resolve(), with_secrets)
    except OSError as exc:
        raise BackupFailed(disk_message(exc)) from exc


def _take(config: Config, target: Path, with_secrets: bool) -> BackupResult:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    url = config.database_url
    with (
        tempfile.TemporaryDirectory(dir=target.parent, prefix=".tmp-backup-") as tmp,
        ArchiveWriter(target) as archive,
    ):
        dump = database.dump(url, Path(tmp) / "database")
        db_entry = archive.add_file(database.member_name(url), dump)
        dump.unlink()
        local: set[str] = set()
        for key, path in walk_files(config.storage_root):
            if path.is_relative_to(config.backup_dir):  # storage root = data folder: skip copies
                continue
            archive.add_file(f"files/{key}", path)
            local.add(key)
        remote = _remote_files(config, archive, local, Path(tmp))
        if with_secrets and config.path:
            archive.add_file(CONFIG_MEMBER, Path(config.path))
        archive.close(
            {
                "created_at": utcnow().isoformat(),
                "schema_version": migrations.current_version(),
                "database": {
                    "engine": database.engine(url),
                    "member": database.member_name(url),
                    "size": db_entry.size,
                },
                "secrets": with_secrets and bool(config.path),
                "yadisk": remote,
            }
        )
    files = sum(1 for name in archive.entries if name.startswith("files/"))
    return BackupResult(target, target.stat().st_size, files, len(remote))


def _remote_files(
    config: Config, archive: ArchiveWriter, local: set[str], tmp: Path
) -> list[dict[str, Any]]:
    """Files on Yandex Disk, by path; with [backup] include_yadisk those not on this machine
    are downloaded one at a time into the archive (a temp file, never memory)."""
    if config.storage.backend != "yadisk":
        return []
    listed = []
    store = files_remote(config)
    for key, size, md5 in store.walk():
        included = key in local
        if config.backup.include_yadisk and not included:
            part = tmp / "remote"
            store.download_to(key, part)
            archive.add_file(f"files/{key}", part)
            part.unlink()
            included = True
        listed.append({"path": key, "size": size, "md5": md5, "in_archive": included})
    return listed


def restore_backup(config: Config, archive: Path, config_target: Path) -> RestoreResult:
    """Bring back the database and every file. The archive is checked whole before anything is
    touched (BackupRefused: nothing changed); the data it replaces is kept, not deleted."""
    stamp = to_local(utcnow()).strftime(STAMP)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    staging = config.data_dir / f".restore-{stamp}"
    manifest = extract_verified(archive, staging)
    try:
        url = config.database_url
        staged_db = check_restorable(archive.name, manifest, staging)
        _check_fits(manifest, url)
        database.check(url, staged_db)
        replaced = _keep_replaced(config, url, stamp)
        database.restore(url, staged_db)  # all or nothing; the files follow by renames
        count = _swap_files(config, staging / "files", replaced)
        staged_config = staging / CONFIG_MEMBER
        restored_config = staged_config.is_file() and not config_target.exists()
        if restored_config:
            shutil.move(staged_config, config_target)
            os.chmod(config_target, 0o600)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(count, replaced, restored_config)


def check_restorable(name: str, manifest: dict[str, Any], staging: Path) -> Path:
    """What a restore reads of a checked archive's manifest, of the type it must be: the
    database one of the archive's own members under database/ (never a path elsewhere on the
    machine), its engine a word, the schema version a number. The staged database file."""
    db = manifest.get("database")
    if not isinstance(db, dict) or not all(
        isinstance(db.get(k), str) for k in ("member", "engine")
    ):
        refuse_damaged(name, "в описи нет записи о базе данных")
    member = db["member"]
    staged = (staging / member).resolve()
    inside = staged.is_relative_to(staging.resolve()) and staged.is_file()
    if not member.startswith("database/") or member not in manifest["members"] or not inside:
        refuse_damaged(name, f"база данных указана вне копии («{member[:80]}»)")
    version = manifest.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        refuse_damaged(name, "версия схемы в описи не число")
    return staged


def _check_fits(manifest: dict[str, Any], url: str) -> None:
    engine = manifest.get("database", {}).get("engine")
    if engine != database.engine(url):
        raise BackupRefused(
            f"Копия сделана с базой {engine}, а здесь настроена {database.engine(url)}: "
            "укажите в [database] url базу того же вида. Ничего не изменено."
        )
    if manifest.get("schema_version", 0) > migrations.LATEST:
        raise BackupRefused(
            f"Копия сделана более новой версией Бригадира (схема "
            f"v{manifest['schema_version']}, здесь v{migrations.LATEST}) — обновите "
            "программу и повторите. Ничего не изменено."
        )


def _swap_files(config: Config, staged: Path, replaced: Path | None) -> int:
    """Put the checked files in place of the live folder (moved aside into `replaced`)."""
    root = config.storage_root
    count = sum(1 for _ in walk_files(staged))
    if root.exists():
        if replaced is not None and any(root.iterdir()):
            shutil.move(root, replaced / "files")
        else:
            shutil.rmtree(root)  # an empty folder: nothing to keep
    root.parent.mkdir(parents=True, exist_ok=True)
    if staged.is_dir():
        shutil.move(staged, root)
    else:
        root.mkdir()
    return count


def _keep_replaced(config: Config, url: str, stamp: str) -> Path | None:
    """Copy the live database aside (its files follow by a cheap rename once the database is
    back). None on a fresh machine: nothing to keep."""
    live_files = config.storage_root.is_dir() and any(config.storage_root.iterdir())
    has_db = _has_tables()
    if not (has_db or live_files):
        return None
    folder = config.backup_dir / f"before-restore-{stamp}"
    folder.mkdir(mode=0o700, parents=True)
    if has_db:
        kept = database.dump(url, folder / Path(database.member_name(url)).name)
        os.chmod(kept, 0o600)
    return folder


def _has_tables() -> bool:
    """Is there a database worth keeping (a fresh machine's is empty)?"""
    from core.base.db import database as db

    try:
        return bool(db.get_tables())
    finally:
        db.close()  # pg_restore and SQLite's backup API want no open session of ours
