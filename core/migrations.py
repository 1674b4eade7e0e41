"""Versioned schema. A new database gets the current models at the latest version; an
existing one gets each missing step in order, in a transaction, and keeps its data.

Adding a column or table later: append a function to STEPS (never edit an old one)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

import peewee as pw
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as run_ops

from core.base.db import database, is_postgres
from core.base.models import LoginFailure, RateCount
from core.calls.models import Call
from core.channels.models import ChannelState, ContactProblem
from core.clients.models import Client
from core.conversations.models import (
    Dialogue,
    DialogueSeen,
    Mailbox,
    MailboxMember,
    Message,
    Notification,
    Template,
)
from core.files.models import FileLink, FolderShare
from core.models import ALL_MODELS
from core.money.models import (
    CashMovement,
    DuplicateReceipt,
    FiscalCheck,
    FiscalReceipt,
    LedgerTotal,
    OnlinePayment,
)
from core.orders.models import Order, OrderLine, Stage
from core.pay.models import Absence, PayLine, PayMonth, Payout, PayRule, PieceRate
from core.people.models import StaffSession
from core.selfservice.models import PortalCode, PortalSession, Visit

__all__ = ["LATEST", "applied_steps", "current_version", "upgrade"]


class SchemaVersion(pw.Model):
    version = pw.IntegerField()

    class Meta:
        database = database
        table_name = "schema_version"


class SchemaStep(pw.Model):
    """Each step applied, by number. Steps are numbered per line of work ahead of time, so
    they may land out of order (60 before 35): a database made between the two must still
    get 35 — the highest number alone cannot tell."""

    step = pw.IntegerField(primary_key=True)

    class Meta:
        database = database
        table_name = "schema_step"


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


def _v6_sessions_and_shares(migrator: SchemaMigrator) -> None:
    """Admin logins kept server-side (revocable), and the log of shared order folders."""
    database.obj.create_tables([StaffSession, FolderShare], safe=True)


# Preset texts before conditional parts ("[по телефону {телефон фирмы}]"): a firm that never
# edited a preset gets the new wording; an edited template is the director's and stays.
_V8_OLD_PRESETS = {
    ("printing.accepted", "any"): "Здравствуйте, {ФИО}! Ваш заказ №{номер заказа} принят: {описание}. "
    "Стоимость {сумма}, оплачено {оплачено}. Мы сообщим, когда он будет готов. {фирма}, {телефон фирмы}",
    ("printing.done", "any"): "Здравствуйте, {ФИО}! Ваш заказ №{номер заказа} готов, можно забирать. "
    "К оплате при получении: {остаток оплаты}. {фирма}, {телефон фирмы}",
    ("installation.accepted", "any"): "Уважаемый(ая) {ФИО}, ваша заявка №{номер заказа} на подключение "
    "объекта по адресу {адрес} принята. Следить за ходом работ: {ссылка}. {фирма}, {телефон фирмы}",
    ("installation.ready", "any"): "Уважаемый(ая) {ФИО}, ваши документы по заказу №{номер заказа} готовы, "
    "приходите забирать, предварительно связавшись с нами по телефону {телефон фирмы}. "
    "Ваш остаток оплаты: {остаток оплаты}. {фирма}",
    ("staff.assigned", "any"): "Вам назначен заказ №{номер заказа}: {описание}. Срок: {срок}. Адрес: {адрес}.",
    ("printing.done", "sms"): "Заказ №{номер заказа} готов. К оплате {остаток оплаты}. {телефон фирмы}",
    ("installation.ready", "sms"): "Документы по заказу №{номер заказа} готовы. Остаток {остаток оплаты}. "
    "Тел. {телефон фирмы}",
}  # fmt: skip


def _v8_mailings_and_conditional_presets(migrator: SchemaMigrator) -> None:
    """Outbox rows say whether they are a mailing (a delivery lane of their own; never a
    question on an order), files get download links for channels that cannot carry them,
    and untouched presets get their conditional parts."""
    from core.conversations.templates import PRESET_CHANNEL_TEMPLATES, PRESET_TEMPLATES

    _add_column(migrator, "notification", Notification.kind)
    database.obj.create_tables([FileLink], safe=True)
    new = {(code, "any"): body for code, (_, _, body) in PRESET_TEMPLATES.items()}
    new.update({key: body for key, (_, body) in PRESET_CHANNEL_TEMPLATES.items()})
    for (code, channel), old in _V8_OLD_PRESETS.items():
        if (code, channel) in new:
            Template.update(body=new[code, channel]).where(
                (Template.code == code) & (Template.channel == channel) & (Template.body == old)
            ).execute()


def _v7_fiscal_receipts(migrator: SchemaMigrator) -> None:
    """Receipts read from their fiscal QR (one receipt, one expense), refused duplicates,
    and the director's check of each expense."""
    _add_column(migrator, CashMovement._meta.table_name, CashMovement.review)
    _add_column(migrator, CashMovement._meta.table_name, CashMovement.reviewed_at)
    database.obj.create_tables([FiscalReceipt, DuplicateReceipt], safe=True)


def _v14_inbox(migrator: SchemaMigrator) -> None:
    """The inbox: mailboxes with their members, conversations, staff read marks; letters
    keep their HTML and References; the outbox can carry an address and mail headers."""
    database.obj.create_tables([Mailbox, MailboxMember, Dialogue, DialogueSeen], safe=True)
    for field in (Message.dialogue, Message.html, Message.refs):
        _add_column(migrator, "message", field)
    for field in (Notification.address, Notification.headers):
        _add_column(migrator, "notification", field)
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "message_dialogue_id_id" ON "message" ("dialogue_id", "id")'
    )


def _v10_outbox_lanes(migrator: SchemaMigrator) -> None:
    """Bulk mailings go in their own, lower-priority delivery lane (Notification.kind).
    The same column may come from another step first: _add_column keeps both safe."""
    _add_column(migrator, "notification", Notification.kind)


def _v13_self_service(migrator: SchemaMigrator) -> None:
    """Client self-service: booked visits (one per crew, slot and seat), portal sign-in
    codes and sessions, online payments (one row per provider payment id)."""
    database.obj.create_tables([Visit, PortalCode, PortalSession, OnlinePayment], safe=True)


def _v15_stage_responsible(migrator: SchemaMigrator) -> None:
    """A stage may name the employee who answers for it; the period's moves into a stage
    (the dashboard's finished orders) are read by index."""
    _add_column(migrator, "stage", Stage.responsible)
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "stage_move_to_stage_id_at" ON "stage_move" ("to_stage_id", "at")'
    )


def _v17_leads(migrator: SchemaMigrator) -> None:
    """Strangers who write in become leads: a client card remembers where they came from;
    the site widget's limits are counted in the database."""
    for field in (Client.source, Client.is_lead):
        _add_column(migrator, "client", field)
    database.obj.create_tables([RateCount], safe=True)
    database.execute_sql('CREATE INDEX IF NOT EXISTS "client_is_lead" ON "client" ("is_lead")')


def _v18_installer_list(migrator: SchemaMigrator) -> None:
    """Indexes behind the order list's crew filter and its sort by mounting date; names as
    create_tables gives a new database."""
    for columns in (("crew_id", "id"), ("install_date", "id")):
        name = "order_" + "_".join(columns)
        cols = ", ".join(f'"{c}"' for c in columns)
        database.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "order" ({cols})')


def _v21_list_indexes(migrator: SchemaMigrator) -> None:
    """Indexes behind lists at a million orders: the crew filter newest first ("WHERE crew
    = ? ORDER BY id DESC LIMIT 50" a range scan), the documents register (newest papers
    first), a month's expenses among the payments, the open orders of clients found by a
    search, open tasks (a partial index). The names match what create_tables gives a new
    database."""
    for table, columns in (
        ("order", ("crew_id", "id")),  # also step 18's: whichever ran first made it
        ("order", ("client_id", "is_archived", "id")),
        ("document", ("date", "id")),
        ("cash_movement", ("kind", "at")),
    ):
        name = f"{table}_" + "_".join(columns)
        cols = ", ".join(f'"{c}"' for c in columns)
        database.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({cols})')
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "task_open" ON "task" ("assignee_id", "due_at") '
        'WHERE ("done_at" IS NULL)'
    )


def _v22_ledger_totals(migrator: SchemaMigrator) -> None:
    """Running totals of the cash ledger (core.money.ledger): a desk's balance without a SUM
    over every payment it ever took. Counted once here; later they keep themselves."""
    from core.money import ledger

    database.obj.create_tables([LedgerTotal], safe=True)
    ledger.rebuild()


def _v30_clean_file_names(migrator: SchemaMigrator) -> None:
    """Files' names as core.files.names makes them (no paths, no bidi controls): names kept
    before that are shown and served the same way. Idempotent: a clean name stays as it is."""
    from core.files.models import Attachment
    from core.files.names import clean_file_name

    last = 0
    while True:
        rows = list(
            Attachment.select(Attachment.id, Attachment.original_name)
            .where(Attachment.id > last)
            .order_by(Attachment.id)
            .limit(5000)
            .tuples()
        )
        if not rows:
            return
        for row_id, name in rows:
            clean = clean_file_name(name) if name else name
            if clean != name:
                Attachment.update(original_name=clean).where(Attachment.id == row_id).execute()
        last = rows[-1][0]


def _v55_calls(migrator: SchemaMigrator) -> None:
    """The call log of the cloud PBX (core.calls): one row per call, with its live and
    recording indexes."""
    database.obj.create_tables([Call], safe=True)


def _v60_pay(migrator: SchemaMigrator) -> None:
    """Pay (core.pay): dated rules with piece rates, absences, closed months' frozen lines
    and payouts tied to their cash movements."""
    database.obj.create_tables([PayRule, PieceRate, Absence, PayMonth, PayLine, Payout], safe=True)


def _v65_issued_is_archive(migrator: SchemaMigrator) -> None:
    """The print shop's «Выдан» is where an order leaves for the archive."""
    from core.orders.pipelines import issued_goes_to_archive

    issued_goes_to_archive()


def _v50_order_lines(migrator: SchemaMigrator) -> None:
    """Positions of an order (core.orders.lines); an order without rows keeps its one line."""
    database.obj.create_tables([OrderLine], safe=True)


def _v51_client_signer(migrator: SchemaMigrator) -> None:
    """A client's ОГРН and who signs for the client (post and name) on acts and УПД."""
    for field in (Client.ogrn, Client.signer_post, Client.signer_name):
        _add_column(migrator, "client", field)


def _v40_channel_health(migrator: SchemaMigrator) -> None:
    """Channel health (works / slow / failing, the last error) and the client addresses a
    platform reported undeliverable."""
    database.obj.create_tables([ChannelState, ContactProblem], safe=True)


def _v67_mailing_choice(migrator: SchemaMigrator) -> None:
    """A client's choice about mailings remembers when and where it was made."""
    for field in (Client.opt_out_at, Client.opt_out_via):
        _add_column(migrator, "client", field)


def _v66_imported_dates_local(migrator: SchemaMigrator) -> None:
    """Orders imported from a table were stored at UTC midnight of their date (shown as
    03:00 in Moscow); they move to the firm's local midnight, which reads as the date alone."""
    from core.base.clock import from_local

    rows = Order.select(Order.id, Order.created_at).where(Order.source == "import").tuples()
    for order_id, created in rows:
        if created is not None and created.time() == datetime.min.time():
            local = from_local(created)
            if local != created:
                Order.update(created_at=local).where(Order.id == order_id).execute()


def _v52_fiscal_checks(migrator: SchemaMigrator) -> None:
    """Client payments' fiscal receipts on their way through the cloud cash register."""
    database.obj.create_tables([FiscalCheck], safe=True)


def _v35_sender_check(migrator: SchemaMigrator) -> None:
    """Letters keep what the mail server found of their sender (Authentication-Results)."""
    _add_column(migrator, "message", Message.sender_check)


def _v45_settings_per_key(migrator: SchemaMigrator) -> None:
    """Requisites kept as one "company" dict become one setting a field ("company.inn"), as
    every setting of Настройки is stored (core.base.settings)."""
    from core.base import settings

    settings.split_old_company()


def _v56_live_calls_by_arrival(migrator: SchemaMigrator) -> None:
    """Ringing calls are found by when their first notification came, not by the PBX's
    clock (core.calls.queries.live_calls): the partial index moves to created_at."""
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "call_live_since" ON "call" ("created_at") WHERE ("ended_at" IS NULL)'
    )
    database.execute_sql('DROP INDEX IF EXISTS "call_live"')


STEPS: dict[int, Callable[[SchemaMigrator], None]] = {
    2: _v2_order_source,
    3: _v3_message_sender,
    4: _v4_admin_lists,
    5: _v5_client_list_index,
    6: _v6_sessions_and_shares,
    7: _v7_fiscal_receipts,
    8: _v8_mailings_and_conditional_presets,
    10: _v10_outbox_lanes,
    13: _v13_self_service,
    14: _v14_inbox,
    15: _v15_stage_responsible,
    17: _v17_leads,
    18: _v18_installer_list,
    21: _v21_list_indexes,
    22: _v22_ledger_totals,
    30: _v30_clean_file_names,
    35: _v35_sender_check,
    40: _v40_channel_health,
    45: _v45_settings_per_key,
    55: _v55_calls,
    60: _v60_pay,
    65: _v65_issued_is_archive,
    50: _v50_order_lines,
    51: _v51_client_signer,
    66: _v66_imported_dates_local,
    67: _v67_mailing_choice,
    52: _v52_fiscal_checks,
    56: _v56_live_calls_by_arrival,
}
# Indexes the models cannot declare on both backends: a new database gets them too.
RAW_INDEXES: list[Callable[[], None]] = [_v5_client_list_index]
LATEST = max(STEPS, default=1)


def current_version() -> int:
    if not SchemaVersion.table_exists():
        return 0
    row = SchemaVersion.select().first()
    return row.version if row else 0


def applied_steps() -> set[int]:
    """The steps this database has had: those recorded, up to its version. One from before
    the steps were recorded one by one had every step up to its version."""
    before = current_version()
    if SchemaStep.table_exists():
        done = {row.step for row in SchemaStep.select() if row.step <= before}
        if done:
            return done
    return {v for v in STEPS if v <= before}


def upgrade() -> tuple[int, int]:
    """Bring the schema to LATEST: every step not applied yet, in order; returns
    (from_version, to_version)."""
    db = database.obj
    before = current_version()
    with database.atomic():
        if before == 0:
            db.create_tables([SchemaVersion, SchemaStep, *ALL_MODELS])
            for create_index in RAW_INDEXES:
                create_index()
            SchemaVersion.delete().execute()
            SchemaVersion.create(version=LATEST)
            _record(STEPS)
            return 0, LATEST
        done = applied_steps()
        db.create_tables([SchemaStep])
        _record(done)
        migrator = SchemaMigrator.from_database(db)
        for version in sorted(v for v in STEPS if v not in done):
            STEPS[version](migrator)
            _record([version])
        SchemaVersion.update(version=max(before, LATEST)).execute()
    return before, max(before, LATEST)


def _record(steps: Iterable[int]) -> None:
    rows = [{"step": v} for v in steps]
    if rows:
        SchemaStep.insert_many(rows).on_conflict_ignore().execute()
