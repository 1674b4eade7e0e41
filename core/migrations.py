"""Versioned schema. A new database gets the current models at the latest version; an
existing one gets each missing step in order, in a transaction, and keeps its data.

Adding a column or table later: append a function to STEPS (never edit an old one)."""

from __future__ import annotations

from collections.abc import Callable

import peewee as pw
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as run_ops

from core.db import database, is_postgres
from core.models import ALL_MODELS, LoginFailure, Message, Order, Stage

__all__ = ["LATEST", "current_version", "upgrade"]


class SchemaVersion(pw.Model):
    version = pw.IntegerField()

    class Meta:
        database = database
        table_name = "schema_version"


def _add_column(migrator: SchemaMigrator, table: str, field: pw.Field) -> None:
    """Add a column unless a half-finished earlier run already did (steps may be re-run)."""
    existing = {c.name for c in migrator.database.get_columns(table)}
    if field.column_name not in existing:
        run_ops(migrator.add_column(table, field.column_name, field))


def _v2_order_source(migrator: SchemaMigrator) -> None:
    """Orders remember where they came from (phone, site, e-mail, messenger)."""
    _add_column(migrator, "order", Order.source)


def _v3_message_sender(migrator: SchemaMigrator) -> None:
    """Incoming e-mail keeps its From: address (unsorted mail has no client to name)."""
    _add_column(migrator, "message", Message.sender)


def _v4_admin_lists(migrator: SchemaMigrator) -> None:
    """Indexes behind the admin's order filters, and the shared login rate limit.
    IF NOT EXISTS: the names match what create_tables gives a new database."""
    for columns in (
        ("manager_id", "id"),
        ("executor_id", "id"),
        ("subcontractor_id", "id"),
        ("debt", "id"),
    ):
        name = "order_" + "_".join(columns)
        cols = ", ".join(f'"{c}"' for c in columns)
        database.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "order" ({cols})')
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "order_open_subcontracted" ON "order" ("id") '
        'WHERE ("subcontractor_id" IS NOT NULL AND NOT "is_archived")'
    )
    database.obj.create_tables([LoginFailure], safe=True)


def _v5_client_list_index(migrator: SchemaMigrator | None = None) -> None:
    """The client list's order (last order first, never-ordered last) as an index, so the
    first page and a prefix search read 50 index entries instead of sorting every client.
    PostgreSQL needs NULLS LAST spelled out; SQLite puts NULLs last in DESC by itself and
    has no NULLS clause in CREATE INDEX, hence raw SQL per backend."""
    nulls = " NULLS LAST" if is_postgres() else ""
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "client_last_order_desc" '
        f'ON "client" ("last_order_at" DESC{nulls}, "id" DESC)'
    )


def _v15_stage_responsible(migrator: SchemaMigrator) -> None:
    """A stage may name the employee who answers for it; the period's moves into a stage
    (the dashboard's finished orders) are read by index."""
    _add_column(migrator, "stage", Stage.responsible)
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "stage_move_to_stage_id_at" ON "stage_move" ("to_stage_id", "at")'
    )


STEPS: dict[int, Callable[[SchemaMigrator], None]] = {
    2: _v2_order_source,
    3: _v3_message_sender,
    4: _v4_admin_lists,
    5: _v5_client_list_index,
    15: _v15_stage_responsible,
}
# Indexes the models cannot declare on both backends: a new database gets them too.
RAW_INDEXES: list[Callable[[], None]] = [_v5_client_list_index]
LATEST = max(STEPS, default=1)


def current_version() -> int:
    if not SchemaVersion.table_exists():
        return 0
    row = SchemaVersion.select().first()
    return row.version if row else 0


def upgrade() -> tuple[int, int]:
    """Bring the schema to LATEST; returns (from_version, to_version)."""
    db = database.obj
    before = current_version()
    with database.atomic():
        if before == 0:
            db.create_tables([SchemaVersion, *ALL_MODELS])
            for create_index in RAW_INDEXES:
                create_index()
            SchemaVersion.delete().execute()
            SchemaVersion.create(version=LATEST)
            return 0, LATEST
        migrator = SchemaMigrator.from_database(db)
        for version in sorted(v for v in STEPS if v > before):
            STEPS[version](migrator)
            SchemaVersion.update(version=version).execute()
    return before, max(before, LATEST)
