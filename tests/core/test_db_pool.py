"""The connection pool takes back what ended threads left behind."""

from __future__ import annotations

import os
import threading

import pytest
from playhouse.pool import MaxConnectionsExceeded

from core.base.db import PostgresPool, SqlitePool
from tests.conftest import PG_ADMIN_DSN


def _orphan(db) -> None:
    """A thread that opens a connection, uses it and ends without handing it back."""
    t = threading.Thread(target=lambda: db.execute_sql("SELECT 1"))
    t.start()
    t.join()


def _answer_in_a_new_thread(db) -> list:
    got: list = []
    t = threading.Thread(target=lambda: got.append(db.execute_sql("SELECT 1").fetchone()[0]))
    t.start()
    t.join()
    return got


def _pools(tmp_path, pg_url):
    yield SqlitePool(str(tmp_path / "pool.db"), max_connections=2, timeout=1)
    if pg_url:
        from playhouse.db_url import parse

        yield PostgresPool(max_connections=2, timeout=1, **parse(pg_url))


@pytest.fixture
def pg_url():
    return PG_ADMIN_DSN if os.environ.get("BRIGADIR_TEST_DB") == "postgres" else None


def test_connections_of_ended_threads_come_back(tmp_path, pg_url):
    for db in _pools(tmp_path, pg_url):
        for _ in range(5):  # more orphans than the pool holds
            _orphan(db)
        assert len(db._in_use) <= 2
        assert _answer_in_a_new_thread(db) == [1]
        db.close_all()


def test_a_living_threads_connection_is_never_taken(tmp_path):
    db = SqlitePool(str(tmp_path / "pool.db"), max_connections=1, timeout=1)
    held = threading.Event()
    done = threading.Event()

    def hold():
        db.execute_sql("SELECT 1")
        held.set()
        done.wait(5)
        db.close()

    t = threading.Thread(target=hold)
    t.start()
    held.wait(5)
    with pytest.raises(MaxConnectionsExceeded):
        db.connect()
    done.set()
    t.join()
    db.connect()
    db.close()
