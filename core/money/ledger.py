"""Running totals of the cash ledger, so a desk's balance does not SUM every movement.

The ledger is append-only (a correction is a new movement; only the director's review
marks change on an old one), so sums up to a movement id stay true. LedgerTotal keeps them
per desk and kind; a balance adds the movements after that id (the "tail", read by the
primary key). When the tail grows past TAIL_MAX the totals are counted again from scratch,
which also mends them if rows were ever removed behind the ledger's back (a restore, a
hand-edited database): counting anew never trusts the old totals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import peewee as pw

from core.base.db import SQLITE_PRAGMAS, database, is_postgres
from core.money.models import CashMovement, LedgerTotal

__all__ = ["TAIL_MAX", "kind_totals", "rebuild", "tail_length"]

TAIL_MAX = 2_000  # movements read past the totals before they are counted again


LOCK_WAIT_MS = 300  # how long a recount asked for on the way waits for writers in flight


def rebuild(*, wait_ms: int | None = None) -> int | None:
    """Count the whole ledger again (one GROUP BY per side); returns the new mark.
    `wait_ms`: give up after that long waiting for writers in flight and return None — a
    recount asked for on the way (a page, a bot reply) must neither stall behind another
    writer nor, on PostgreSQL, deadlock with one."""
    try:
        with _sqlite_wait(wait_ms), database.atomic():
            return _count_again(wait_ms)
    except pw.OperationalError:  # a lock not had in time: rolled back, nothing written
        if wait_ms is None:
            raise
        return None


@contextmanager
def _sqlite_wait(wait_ms: int | None) -> Iterator[None]:
    """SQLite takes its write lock at BEGIN: wait at most wait_ms for it (the connection's
    own busy timeout is put back after). Inside a transaction the lock is already held."""
    if wait_ms is None or is_postgres() or database.in_transaction():
        yield
        return
    database.execute_sql(f"PRAGMA busy_timeout = {int(wait_ms)}")
    try:
        yield
    finally:
        database.execute_sql(f"PRAGMA busy_timeout = {SQLITE_PRAGMAS['busy_timeout']}")


def _count_again(wait_ms: int | None) -> int:
    if is_postgres():
        if wait_ms is not None:
            database.execute_sql(f"SET LOCAL lock_timeout = '{int(wait_ms)}ms'")
        # two processes counting at once must not both insert their rows
        database.execute_sql('LOCK TABLE "ledger_total" IN EXCLUSIVE MODE')
        # Ids are handed out before commit: a movement with a lower id may still be
        # uncommitted when MAX(id) is read, and would fall behind the mark for good.
        # SHARE waits for every writer in flight and holds new ones off while we count.
        database.execute_sql('LOCK TABLE "cash_movement" IN SHARE MODE')
        if wait_ms is not None:
            database.execute_sql("SET LOCAL lock_timeout TO DEFAULT")
    upto = CashMovement.select(pw.fn.MAX(CashMovement.id)).scalar() or 0
    sums: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for side, column in ((0, CashMovement.to_account), (1, CashMovement.from_account)):
        query = (
            CashMovement.select(column, CashMovement.kind, pw.fn.SUM(CashMovement.amount))
            .where(column.is_null(False) & (CashMovement.id <= upto))
            .group_by(column, CashMovement.kind)
            .tuples()
        )
        for account, kind, amount in query:
            sums[account, kind][side] += int(amount)
    LedgerTotal.delete().execute()
    rows = [
        {"account": a, "kind": k, "incoming": i, "outgoing": o, "upto": upto}
        for (a, k), (i, o) in sums.items()
    ]
    rows.append({"account": None, "kind": "", "upto": upto})
    for start in range(0, len(rows), 500):
        LedgerTotal.insert_many(rows[start : start + 500]).execute()
    return upto


def tail_length() -> int:
    """Movements after the totals' mark (all of them before the first count)."""
    mark = (
        LedgerTotal.select(pw.fn.MAX(LedgerTotal.upto))
        .where(LedgerTotal.account.is_null())
        .scalar()
    )
    query = CashMovement.select()
    return (query if mark is None else query.where(CashMovement.id > mark)).count()


def kind_totals(account_id: int) -> dict[str, tuple[int, int]]:
    """kind -> (money in, money out) of one desk over its whole history."""
    # The desk's totals and the mark in one statement: one snapshot, even while another
    # process counts the ledger again.
    rows = list(
        LedgerTotal.select(
            LedgerTotal.account, LedgerTotal.kind, LedgerTotal.incoming, LedgerTotal.outgoing,
            LedgerTotal.upto,
        )
        .where((LedgerTotal.account == account_id) | LedgerTotal.account.is_null())
        .tuples()
    )  # fmt: skip
    marks = [upto for account, _k, _i, _o, upto in rows if account is None]
    tail = []
    if marks:
        # Only the primary key in the condition: the planner has nothing else to pick.
        tail = list(
            CashMovement.select(
                CashMovement.kind, CashMovement.amount, CashMovement.to_account,
                CashMovement.from_account,
            )
            .where(CashMovement.id > marks[0])
            .limit(TAIL_MAX + 1)
            .tuples()
        )  # fmt: skip
    if not marks or len(tail) > TAIL_MAX:
        if rebuild(wait_ms=LOCK_WAIT_MS) is not None:
            return kind_totals(account_id)
        return _summed(account_id)  # writers in flight: this once, the plain sums
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for account, kind, incoming, outgoing, _upto in rows:
        if account is not None:
            sums[kind][0] += incoming
            sums[kind][1] += outgoing
    for kind, amount, to_account, from_account in tail:
        if to_account == account_id:
            sums[kind][0] += amount
        if from_account == account_id:
            sums[kind][1] += amount
    return {k: (i, o) for k, (i, o) in sums.items()}


def _summed(account_id: int) -> dict[str, tuple[int, int]]:
    """kind -> (in, out) of one desk summed over every movement (no totals)."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for side, column in ((0, CashMovement.to_account), (1, CashMovement.from_account)):
        query = (
            CashMovement.select(CashMovement.kind, pw.fn.SUM(CashMovement.amount))
            .where(column == account_id)
            .group_by(CashMovement.kind)
            .tuples()
        )
        for kind, amount in query:
            sums[kind][side] += int(amount)
    return {k: (i, o) for k, (i, o) in sums.items()}
