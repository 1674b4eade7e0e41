"""Database binding. Models point at a proxy; a composition root calls `connect()`.

SQLite gets WAL, a busy timeout and foreign keys (the defaults that keep a bot, a web
worker and the scheduler from tripping over "database is locked"); PostgreSQL comes
through the same peewee models.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

import peewee as pw
from playhouse.db_url import connect as url_connect

__all__ = ["atomic", "connect", "database", "is_postgres", "write_atomic"]

database = pw.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 10_000,
    "foreign_keys": 1,
    "synchronous": "normal",
    "cache_size": -32_000,  # 32 MB page cache
}


def connect(url: str) -> pw.Database:
    """Open the database at url and bind the models to it."""
    if url.startswith("sqlite:///"):
        db: pw.Database = pw.SqliteDatabase(url.removeprefix("sqlite:///"), pragmas=SQLITE_PRAGMAS)
    else:
        parsed = urlparse(url)
        if parsed.scheme == "postgres":
            url = "postgresql" + url[len("postgres") :]
        db = url_connect(url)
    database.initialize(db)
    db.connect(reuse_if_open=True)
    if isinstance(db, pw.SqliteDatabase):
        # Fresh planner statistics where they are missing or stale (cheap when they are not):
        # without them SQLite picks the archive index for "my open orders" and scans.
        db.execute_sql("PRAGMA optimize=0x10002")
    return db


def is_postgres() -> bool:
    return isinstance(database.obj, pw.PostgresqlDatabase)


@contextmanager
def atomic() -> Iterator[None]:
    """One transaction (nested calls become savepoints)."""
    with database.atomic():
        yield


def write_atomic() -> pw._atomic:
    """A transaction that will write after reading. SQLite's default deferred BEGIN takes
    a read snapshot and fails at once with "database is locked" if another writer commits
    before it upgrades; BEGIN IMMEDIATE queues for the write lock (busy_timeout) instead.
    PostgreSQL locks rows as it goes and needs nothing special."""
    db = database.obj
    if isinstance(db, pw.SqliteDatabase) and not db.in_transaction():
        return db.atomic("IMMEDIATE")
    return database.atomic()
