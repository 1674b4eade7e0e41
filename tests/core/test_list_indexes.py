"""The indexes behind the lists at a million orders: a new database gets them from
create_tables, an old one from migration step 21 — the same names on both databases."""

from __future__ import annotations

import peewee

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


def test_the_subcontract_tab_counts_from_its_partial_index(db, staff):
    """At a million orders SQLite counted the «Перезаказ» tab through the plain subcontractor
    index (60 000 entries for 3 000 open ones, 0.4 s a page): the count reads the partial
    index the tab's own rows come from."""
    from core.access import SYSTEM
    from core.base.money import rubles
    from core.clients.clients import create_client
    from core.orders.models import Order
    from core.orders.orders import create_order

    client = create_client(SYSTEM, "Перезаказов", "+79120000077")
    orders = [create_order(SYSTEM, client.id, f"Кружки {n}", rubles(100)) for n in range(5)]
    subcontractor = staff["executor"].id
    Order.update(subcontractor=subcontractor).where(
        Order.id.in_([o.id for o in orders[:3]])
    ).execute()
    Order.update(is_archived=True).where(Order.id == orders[0].id).execute()
    query = Order.select().where(Order.subcontractor.is_null(False) & ~Order.is_archived)
    assert dbmod.count_by_index(query, "order_open_subcontracted") == 2 == query.count()
    if not dbmod.is_postgres():  # the plan SQLite chooses without the hint, and with it
        sql, params = query.select(peewee.SQL("1")).sql()
        hinted = sql.replace('AS "t1"', 'AS "t1" INDEXED BY "order_open_subcontracted"', 1)
        plan = dbmod.database.execute_sql(f"EXPLAIN QUERY PLAN {hinted}", params).fetchall()
        assert "order_open_subcontracted" in str(plan)
