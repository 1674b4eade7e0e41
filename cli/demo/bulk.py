"""Fast bulk inserts: prepared statements on SQLite, multi-row VALUES on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import peewee as pw

from core.base.db import database, is_postgres
from core.clients.models import Client
from core.money.models import Payment
from core.orders.models import Order


def _chunks(rows: list, size: int) -> Iterable[list]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _bulk(model: type, fields: list, rows: list[tuple], progress: Callable[[int], None]) -> None:
    """executemany with a prepared statement: peewee's per-value SQL building costs ~10x more."""
    param = database.obj.param
    given = {f.name for f in fields}
    defaults = [  # columns the rows leave out get the model's default, as peewee would send it
        (f, f.db_value(f.default() if callable(f.default) else f.default))
        for f in model._meta.sorted_fields
        if f.name not in given and f.default is not None and not isinstance(f, pw.AutoField)
    ]
    columns = ", ".join(f'"{f.column_name}"' for f in [*fields, *(d[0] for d in defaults)])
    marks = ", ".join([param] * (len(fields) + len(defaults)))
    sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})'
    convert = [_converter(f) for f in fields]
    tail = tuple(_converter(f)(v) for f, v in defaults)
    cursor = database.cursor()
    postgres = is_postgres()
    if postgres:  # one multi-row VALUES per page: psycopg2's executemany is a round trip per row
        from psycopg2.extras import execute_values

        sql = sql[: sql.index(" VALUES ")] + " VALUES %s"
    for chunk in _chunks(rows, 5_000):
        values = [tuple(c(v) for c, v in zip(convert, row, strict=True)) + tail for row in chunk]
        if postgres:
            execute_values(cursor, sql, values, page_size=1_000)
        else:
            cursor.executemany(sql, values)
        progress(len(chunk))


def _converter(field: object) -> Callable:
    """What peewee would send for the field (datetimes as text on SQLite, as is on PostgreSQL)."""
    if is_postgres() or not isinstance(field, pw.DateTimeField | pw.DateField):
        return lambda v: v.id if isinstance(v, pw.Model) else v
    return lambda v: None if v is None else str(v)


def _reset_sequences() -> None:
    """Explicit ids bypass PostgreSQL's serial counters; move them past the inserted rows."""
    if not is_postgres():
        return
    for model in (Client, Order, Payment):
        table = model._meta.table_name
        database.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE((SELECT MAX(id) FROM \"{table}\"), 1))"
        )
