"""Database binding. Models point at a proxy; a composition root calls `connect()`.

SQLite gets WAL, a busy timeout and foreign keys (the defaults that keep a bot, a web
worker and the scheduler from tripping over "database is locked"); PostgreSQL comes
through the same peewee models.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import peewee as pw
from playhouse.db_url import parse as parse_url
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

__all__ = [
    "atomic",
    "connect",
    "count_by_index",
    "database",
    "disconnect",
    "is_postgres",
    "release",
]

database = pw.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 10_000,
    "foreign_keys": 1,
    "synchronous": "normal",
    # 8 MB page cache per connection. Connections are pooled (a request hands its own back
    # at the end, release()), so the few that serve the requests keep their caches warm;
    # 32 MB each only raised the process's resident memory.
    "cache_size": -8_000,
}
POOL_SIZE = 32  # connections one process may hold at once (either database)


class _ReclaimingPool:
    """A pool that takes back the connection of a thread that ended without returning it.
    peewee keeps a connection "in use" until its thread closes it; a worker thread that ends
    holding one (a job, a test's thread, a request cut short) would keep it forever, and
    enough of them exhaust the pool for everybody else."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self._owners: dict[object, threading.Thread] = {}  # connection key → the thread holding it
        super().__init__(*args, **kwargs)

    def _connect(self) -> object:  # called under the pool's lock
        self._reclaim_orphans()
        conn = super()._connect()
        self._owners[self.conn_key(conn)] = threading.current_thread()
        return conn

    def _close(self, conn: object, close_conn: bool = False) -> None:
        with self._pool_lock:
            self._owners.pop(self.conn_key(conn), None)
            super()._close(conn, close_conn)

    def _reclaim_orphans(self) -> None:
        for key, owner in list(self._owners.items()):
            if owner.is_alive():
                continue
            del self._owners[key]
            held = self._in_use.pop(key, None)
            if held is not None:
                self._close_raw(held.connection)


class SqlitePool(_ReclaimingPool, PooledSqliteDatabase):
    pass


class PostgresPool(_ReclaimingPool, PooledPostgresqlDatabase):
    pass


def connect(url: str) -> pw.Database:
    """Open the database at url and bind the models to it."""
    if url.startswith("sqlite:///"):
        # Every transaction starts as a write transaction (BEGIN IMMEDIATE): one that read
        # first under a plain BEGIN is refused at once ("database is locked") when it tries
        # to write while another writer holds the lock — SQLite cannot wait out the busy
        # timeout there. IMMEDIATE takes the lock up front, so it waits instead of failing.
        # Pooled like PostgreSQL: a request's connection goes back to the pool instead of
        # being closed, so the next request skips opening the file and setting the pragmas,
        # and reads the hot index pages from its page cache, not through the file system.
        db: pw.Database = SqlitePool(
            url.removeprefix("sqlite:///"), pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE",
            max_connections=POOL_SIZE, stale_timeout=600, timeout=30, check_same_thread=False,
        )  # fmt: skip
    else:
        # A bounded pool: a web request returns its connection at teardown (release()), so
        # connections are reused instead of opened per request, and never pile up.
        db = PostgresPool(
            max_connections=POOL_SIZE, stale_timeout=600, timeout=30, **parse_url(url)
        )
    database.initialize(db)
    db.connect(reuse_if_open=True)
    if isinstance(db, pw.SqliteDatabase):
        # Fresh planner statistics where they are missing or stale (cheap when they are not):
        # without them SQLite picks the archive index for "my open orders" and scans.
        db.execute_sql("PRAGMA optimize=0x10002")
    return db


def release() -> None:
    """Hand this thread's connection back to the pool.
    Called when a web request ends: threads that served a request must not keep one, each
    with its file handle and page cache. Nothing happens inside an open transaction."""
    if database.obj is not None and not database.is_closed() and not database.in_transaction():
        database.close()


def disconnect() -> None:
    """Close every connection of this process (the pool's too): before dropping a database."""
    if database.obj is None:
        return
    if not database.is_closed():
        database.close()
    close_all = getattr(database.obj, "close_all", None)
    if close_all is not None:
        close_all()


def count_by_index(query: pw.ModelSelect, index: str) -> int:
    """COUNT(*) of a query whose rows a partial index holds, read from that index. SQLite's
    planner prefers a plain index on one of the columns when it has no statistics for the
    partial one (60 000 entries read to count 3 000 at a million orders); PostgreSQL chooses
    well on its own."""
    if is_postgres():
        return query.count()
    sql, params = query.select(pw.SQL("1")).sql()
    table = query.model._meta.table_name
    source = f'FROM "{table}" AS "t1"'
    if source not in sql:
        return query.count()
    sql = sql.replace(source, f'{source} INDEXED BY "{index}"', 1)
    return database.execute_sql(f'SELECT COUNT(*) FROM ({sql}) AS "_counted"', params).fetchone()[0]


def is_postgres() -> bool:
    return isinstance(database.obj, pw.PostgresqlDatabase)


@contextmanager
def atomic() -> Iterator[None]:
    """One transaction (nested calls become savepoints)."""
    with database.atomic():
        yield
