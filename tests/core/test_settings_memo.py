"""Within one web request or bot update each setting is read from the database once; a change
made inside is seen at once, and the next unit of work reads afresh."""

from __future__ import annotations

import logging

from core.base import settings


class _Queries(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.sql: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        sql, params = record.msg if isinstance(record.msg, tuple) else (record.msg, ())
        self.sql.append(f"{sql} {tuple(params or ())}")


def _reading():
    handler, log = _Queries(), logging.getLogger("peewee")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    return handler, lambda: (log.removeHandler(handler), log.setLevel(logging.WARNING))


def test_a_setting_is_read_once_per_unit_of_work_and_a_change_is_seen_at_once(db):
    settings.put("object_types", ["Дом"])
    handler, done = _reading()
    try:
        with settings.remembered():
            for _ in range(5):
                assert settings.get("object_types") == ["Дом"]
            reads = [q for q in handler.sql if "setting" in q.lower()]
            assert len(reads) == 1
            mutable = settings.get("object_types")
            mutable.append("чужое")  # a caller's copy; the memo is not changed through it
            assert settings.get("object_types") == ["Дом"]
            settings.put("object_types", ["Дом", "Баня"])
            assert settings.get("object_types") == ["Дом", "Баня"]
        settings.put("object_types", ["Гараж"])  # outside: no memo, read every time
        assert settings.get("object_types") == ["Гараж"]
    finally:
        done()
