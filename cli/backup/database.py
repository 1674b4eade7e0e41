"""The database part of a backup: SQLite's online backup API (safe while the app writes),
pg_dump / pg_restore for PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from storage.archive import BackupRefused

__all__ = ["check", "dump", "engine", "member_name", "restore"]


def engine(url: str) -> str:
    return "sqlite" if url.startswith("sqlite:///") else "postgresql"


def member_name(url: str) -> str:
    return "database/brigadir.db" if engine(url) == "sqlite" else "database/brigadir.dump"


def dump(url: str, target: Path) -> Path:
    """A consistent copy of the database in `target` (SQLite file or pg_dump custom format)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine(url) == "sqlite":
        try:
            source = sqlite3.connect(url.removeprefix("sqlite:///"))
            copy = sqlite3.connect(target)
            with copy:
                source.backup(copy)
            copy.close()
            source.close()
        except sqlite3.Error as exc:
            full = "full" in str(exc)
            raise RuntimeError(
                "не удалось скопировать базу SQLite: "
                + ("на диске нет места" if full else f"ошибка SQLite «{exc}»")
            ) from exc
        return target
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _pg_url(url)])
    return target


def check(url: str, source: Path) -> None:
    """Refuse a copy the database could not take back, before anything is replaced."""
    if engine(url) == "sqlite":
        # The manifest's checksum already proved these are the bytes the backup API wrote;
        # quick_check proves they are a sound database at a sixth of integrity_check's time.
        probe = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = probe.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError:
            ok = False
        finally:
            probe.close()
        if not ok:
            raise BackupRefused(f"Копия базы в {source.name} повреждена. Ничего не изменено.")
        return
    try:
        _run(["pg_restore", "--list", str(source)])
    except RuntimeError:
        raise BackupRefused(
            f"Копия базы в {source.name} повреждена (pg_restore её не читает). Ничего не изменено."
        ) from None


def restore(url: str, source: Path) -> None:
    """Bring a checked copy back over the database (all or nothing)."""
    if engine(url) == "sqlite":
        # Through the backup API as well, so WAL and open readers stay consistent.
        src = sqlite3.connect(source)
        dst = sqlite3.connect(url.removeprefix("sqlite:///"))
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
        return
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",  # a failure half-way leaves the old data as it was
            f"--dbname={_pg_url(url)}",
            str(source),
        ]
    )


def _pg_url(url: str) -> str:
    return "postgresql" + url[len("postgres") :] if url.startswith("postgres://") else url


def _run(argv: list[str]) -> None:
    if shutil.which(argv[0]) is None:
        raise RuntimeError(f"Не найдена программа {argv[0]} (пакет postgresql-client).")
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{argv[0]} завершился с ошибкой: {result.stderr.strip()[:500]}")
