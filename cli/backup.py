"""Consistent copies: SQLite's online backup API (safe while the app writes), pg_dump for
PostgreSQL. Restore brings a copy back over the current database."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from core.clock import utcnow


def default_name(data_dir: Path, postgres: bool) -> Path:
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return data_dir / "backups" / f"brigadir-{stamp}.{'dump' if postgres else 'db'}"


def backup(url: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite:///"):
        source = sqlite3.connect(url.removeprefix("sqlite:///"))
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        copy.close()
        source.close()
        return target
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _pg_url(url)])
    return target


def restore(url: str, source: Path) -> None:
    if not source.exists():
        raise FileNotFoundError(f"Нет файла копии: {source}")
    if url.startswith("sqlite:///"):
        check = sqlite3.connect(source)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError:
            ok = False
        finally:
            check.close()
        if not ok:
            raise ValueError(f"Файл {source} — не копия базы Бригадира (повреждён).")
        # Restore through the backup API as well, so WAL and open readers stay consistent.
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
