"""The indexes behind the lists at a million orders: a new database gets them from
create_tables, an old one from migration step 21 — the same names on both databases."""

from __future__ import annotations

from core import migrations
from core.base import db as dbmod

STEP_21 = {
    ("order", "order_crew_id_id"),
    ("order", "order_client_id_is_archived_id"),
    ("document", "document_date_id"),
    ("task", "task_open"),
    ("cash_movement", "cash_movement_kind_at"),
}
TABLES = ("order", "document", "task", "cash_movement")


def _indexes(*tables: str) -> set[tuple[str, str]]:
    return {(t, i.name) for t in tables for i in dbmod.database.get_indexes(t)}


def test_a_new_database_has_the_list_indexes(db):
    assert STEP_21 <= _indexes(*TABLES)


def test_step_21_gives_an_old_database_the_same_indexes(db):
    fresh = _indexes(*TABLES)
    for _table, name in STEP_21:
        dbmod.database.execute_sql(f'DROP INDEX "{name}"')
    assert not STEP_21 & _indexes(*TABLES)
    migrations.SchemaVersion.update(version=20).execute()

    assert migrations.upgrade() == (20, migrations.LATEST)
    assert _indexes(*TABLES) == fresh
    assert migrations.upgrade() == (migrations.LATEST, migrations.LATEST)  # nothing left to do


def test_the_crew_filter_reads_the_crew_index_on_sqlite(db):
    if dbmod.is_postgres():  # PostgreSQL's plan depends on statistics of a tiny table
        return
    plan = " ".join(
        str(row[-1])
        for row in dbmod.database.execute_sql(
            'EXPLAIN QUERY PLAN SELECT id FROM "order" WHERE crew_id = 1 ORDER BY id DESC LIMIT 50'
        )
    )
    assert "order_crew_id_id" in plan and "TEMP B-TREE" not in plan
