"""A desk's balance from running totals (core.money.ledger) equals the SUM over every movement,
before and after the totals are counted again, and whatever was written in between."""

from __future__ import annotations

import threading
import time

import peewee as pw

from core import migrations
from core.base.db import is_postgres
from core.base.money import rubles
from core.money import cash, ledger
from core.money.models import CashMovement, LedgerTotal


def _summed(account_id: int) -> int:
    def side(column) -> int:
        return int(
            CashMovement.select(pw.fn.COALESCE(pw.fn.SUM(CashMovement.amount), 0))
            .where(column == account_id)
            .scalar()
        )

    return side(CashMovement.to_account) - side(CashMovement.from_account)


def _story(actors, staff):
    director, ivan = actors["director"], actors["executor"]
    cash.issue_advance(director, staff["executor"].id, rubles(10_000))
    cash.log_expense(ivan, rubles(1_000), "Бензин", "заправка")
    return cash.account_of(staff["executor"].id).id, cash.main_account().id


def test_balances_match_the_ledger_through_recounts(actors, staff, monkeypatch):
    ivan, main = _story(actors, staff)
    assert cash.balance(ivan) == _summed(ivan) == rubles(9_000)  # first use counted the ledger
    mark = ledger.rebuild()
    assert LedgerTotal.get(LedgerTotal.account.is_null()).upto == mark

    cash.log_expense(actors["executor"], rubles(500), "Материалы", "кабель")  # after the mark
    assert ledger.tail_length() == 1
    assert LedgerTotal.get(LedgerTotal.account.is_null()).upto == mark
    assert cash.balance(ivan) == _summed(ivan) == rubles(8_500)
    assert cash.balance(main) == _summed(main) == -rubles(10_000)

    summary = cash.employee_summary(actors["director"], actors["executor"].employee_id)
    assert (summary.issued, summary.spent, summary.balance) == (
        rubles(10_000),
        rubles(1_500),
        rubles(8_500),
    )

    monkeypatch.setattr(ledger, "TAIL_MAX", 1)  # a long tail is counted again
    cash.issue_advance(actors["director"], actors["executor"].employee_id, rubles(300))
    assert cash.balance(ivan) == _summed(ivan) == rubles(8_800)
    assert ledger.tail_length() == 0
    assert LedgerTotal.get(LedgerTotal.account.is_null()).upto > mark


def test_a_recount_mends_totals_that_went_wrong(actors, staff):
    ivan, _main = _story(actors, staff)
    ledger.rebuild()
    LedgerTotal.update(incoming=LedgerTotal.incoming + 777).where(
        LedgerTotal.account == ivan
    ).execute()
    assert cash.balance(ivan) != _summed(ivan)  # totals are trusted until counted again
    ledger.rebuild()
    assert cash.balance(ivan) == _summed(ivan)


def test_step_22_counts_an_old_database(actors, staff):
    ivan, main = _story(actors, staff)
    LedgerTotal.drop_table()
    migrations.SchemaVersion.update(version=21).execute()

    assert migrations.upgrade() == (21, migrations.LATEST)
    assert ledger.tail_length() == 0
    assert cash.balance(ivan) == _summed(ivan) and cash.balance(main) == _summed(main)


def _other_writer(database_url: str):
    """Another process's connection to the same database, in a write transaction."""
    if is_postgres():
        import psycopg2

        return psycopg2.connect(database_url)
    import sqlite3

    other = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None,
                            check_same_thread=False)  # fmt: skip
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_movement_in_flight_is_never_left_behind_the_mark(actors, staff, database_url):
    """A movement another connection has written but not committed must not fall behind a
    recount's mark (it would never be counted): PostgreSQL hands out its id before commit,
    so a later id may commit first. A recount asked for on the way gives up waiting for
    that writer and answers from the plain sums; one that waits counts it once the writer
    commits."""
    ivan, main = _story(actors, staff)
    ledger.rebuild()
    if not is_postgres():  # one writer at a time: the later movement can only come first
        cash.log_expense(actors["executor"], rubles(100), "Бензин", "")
    other = _other_writer(database_url)
    cursor = other.cursor()  # an advance written, not yet committed, in another process
    insert = CashMovement.insert(kind="advance", amount=rubles(400), from_account=main,
                                 to_account=ivan)  # fmt: skip
    cursor.execute(*insert.sql())
    in_flight = CashMovement.select(pw.fn.MAX(CashMovement.id)).scalar() + 1
    if is_postgres():  # a later id, committed while the earlier one is still in flight
        cash.log_expense(actors["executor"], rubles(100), "Бензин", "")
    tail_max = ledger.TAIL_MAX
    try:
        ledger.TAIL_MAX = 0  # the next balance asks for a recount
        started = time.monotonic()
        assert cash.balance(ivan) == _summed(ivan) == rubles(8_900)  # gave up, summed
        assert time.monotonic() - started < 3
        ledger.TAIL_MAX = tail_max
        done = threading.Event()
        threading.Thread(target=lambda: (time.sleep(0.5), other.commit(), done.set()),
                         daemon=True).start()  # fmt: skip
        ledger.rebuild()  # waits for the writer, then counts
        assert done.wait(5)
    finally:
        ledger.TAIL_MAX = tail_max
        other.close()
    assert LedgerTotal.get(LedgerTotal.account.is_null()).upto >= in_flight
    assert cash.balance(ivan) == _summed(ivan) == rubles(9_300)
