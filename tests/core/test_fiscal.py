"""The receipt's fiscal QR: its text read in core, the picture read in storage, and one
receipt recorded once (the unique rule in the database, not only a look-up)."""

from __future__ import annotations

import random
from datetime import datetime

import peewee as pw
import pytest

from core.base.errors import Conflict, ValidationError
from core.base.money import rubles
from core.money import cash, expenses
from core.money.fiscal import parse_fiscal_qr
from core.money.models import CashMovement, FiscalReceipt
from storage.receipts import read_qr
from tests.fakes.receipts import Shot, fiscal_text, photo_set, receipt_photo

QR = "t=20261127T1030&s=1000.00&fn=9960440300123456&i=4521&fp=2781923512&n=1"


def test_the_qr_text_is_read():
    qr = parse_fiscal_qr(QR)
    assert qr.bought_at == datetime(2026, 11, 27, 10, 30)
    assert (qr.amount, qr.fn, qr.fd, qr.fp, qr.operation) == (rubles(1000), "9960440300123456",
                                                               "4521", "2781923512", 1)  # fmt: skip
    assert not qr.is_refund
    # keys in another order, seconds in the time, sum without kopecks, n missing
    other = parse_fiscal_qr("fn=1&fp=02&i=3&s=5&t=20261201T235959")
    assert other.bought_at == datetime(2026, 12, 1, 23, 59, 59) and other.amount == rubles(5)
    assert other.fp == "2" and other.operation == 1
    assert parse_fiscal_qr(QR.replace("n=1", "n=2")).is_refund


@pytest.mark.parametrize(
    "text",
    [
        "https://shop.example/promo",
        "t=20261127T1030&s=1000.00&fn=996&i=45",  # no fp
        "t=2026-11-27&s=1000.00&fn=1&i=2&fp=3",  # not the QR's time format
        "t=20261327T1030&s=1000.00&fn=1&i=2&fp=3",  # month 13
        "t=20261127T1030&s=сто&fn=1&i=2&fp=3",
        "t=20261127T1030&s=10.00&fn=1a&i=2&fp=3",
        "",
    ],
)
def test_what_is_not_a_fiscal_qr(text):
    assert parse_fiscal_qr(text) is None


def test_the_same_receipt_twice_is_refused_by_the_database(db, staff, actors):
    qr = parse_fiscal_qr(QR)
    first = cash.log_expense(actors["executor"], rubles(1000), "Бензин", fiscal=qr)
    assert first.fiscal.get().fn == qr.fn
    with pytest.raises(Conflict, match="Этот чек уже записан .* — Иван Монтажников, 1 000,00 ₽"):
        cash.log_expense(actors["executor2"], rubles(1000), "Бензин", fiscal=qr)
    assert CashMovement.select().count() == 1
    with pytest.raises(pw.IntegrityError):  # the rule itself, not the look-up before it
        with db.atomic():
            FiscalReceipt.create(movement=CashMovement.create(kind="expense", amount=1),
                                 fn=qr.fn, fd=qr.fd, fp=qr.fp, amount=1, bought_at=datetime.now())  # fmt: skip
    assert expenses.recorded_receipt(qr).movement_id == first.id


def test_receipt_photos_from_phones_are_read():
    """Turned, slanted, blurred, dim, noisy photos: at least 95 % of readable codes read,
    and a receipt without a QR reads as nothing (the bench measures the same at 12 Mpx)."""
    shots = list(photo_set(20, seed=7, size=(2000, 1500)))
    readable = [(text, jpg) for text, jpg in shots if text]
    read = sum(read_qr(jpg) == text for text, jpg in readable)
    assert read >= 0.95 * len(readable), f"{read}/{len(readable)}"
    assert all(read_qr(jpg) is None for text, jpg in shots if text is None)


def test_a_turned_dim_slanted_receipt_is_read():
    text = fiscal_text(random.Random(3))
    shot = Shot(size=(2000, 1500), angle=137, slant=0.15, blur=1.2, light=0.45, noise=30)
    assert read_qr(receipt_photo(text, shot, seed=3)) == text
    assert read_qr(b"not a picture") is None


def test_an_old_database_gets_the_receipt_tables_and_keeps_its_expenses(db, staff, actors):
    from playhouse.migrate import SchemaMigrator, migrate

    from core import migrations
    from core.base import db as dbmod
    from core.money.models import DuplicateReceipt

    cash.log_expense(actors["executor"], rubles(700), "Бензин", "АЗС")
    migrator = SchemaMigrator.from_database(dbmod.database.obj)
    dbmod.database.obj.drop_tables([DuplicateReceipt, FiscalReceipt])
    table = CashMovement._meta.table_name
    migrate(migrator.drop_column(table, "review"), migrator.drop_column(table, "reviewed_at"))
    migrations.SchemaVersion.update(version=6).execute()

    assert migrations.upgrade() == (6, migrations.LATEST)
    assert migrations.upgrade() == (migrations.LATEST, migrations.LATEST)
    move = CashMovement.get()
    assert (move.note, move.review) == ("АЗС", "")
    cash.log_expense(actors["executor"], rubles(1000), "Бензин", fiscal=parse_fiscal_qr(QR))
    assert FiscalReceipt.select().count() == 1


@pytest.mark.parametrize(
    "text",
    [
        QR.replace("n=1", "n=-1"),  # no such operation
        QR.replace("n=1", "n=2x"),
        QR.replace("n=1", "n=0"),
        QR.replace("n=1", "n=5"),
        QR.replace("n=1", "n="),
        QR.replace("n=1", "n=１"),  # a full-width one
        QR.replace("fn=9960440300123456", "fn=９９６０４４０３００１２３４５６"),
        QR.replace("i=4521", "i=٤٥٢١"),  # Arabic-Indic digits
        QR.replace("fp=2781923512", "fp=２781923512"),
        QR.replace("t=20261127T1030", "t=２0261127T1030"),
        QR.replace("s=1000.00", "s=１000.00"),
        QR.replace("s=1000.00", "s=1000.005"),
    ],
)
def test_the_fiscal_parser_is_strict(text):
    """Item 22: a broken operation type is no purchase, and a digit that is not ASCII would
    name another receipt to the duplicate rule: neither is a fiscal QR."""
    assert parse_fiscal_qr(text) is None


def test_refunds_and_payouts_are_not_purchases():
    assert parse_fiscal_qr(QR).is_purchase
    for n in (2, 3, 4):
        qr = parse_fiscal_qr(QR.replace("n=1", f"n={n}"))
        assert qr.operation == n and not qr.is_purchase


def test_a_payout_receipt_is_refused_by_the_expense_itself(db, staff, actors):
    with pytest.raises(ValidationError, match="не покупки"):
        cash.log_expense(actors["executor"], rubles(1000), "Бензин",
                         fiscal=parse_fiscal_qr(QR.replace("n=1", "n=3")))  # fmt: skip
    assert CashMovement.select().count() == 0


def _fiscal(text: str) -> bool:
    return parse_fiscal_qr(text) is not None


def test_a_shops_code_beside_the_fiscal_one_does_not_hide_it():
    """Item 22: every code is read and the fiscal one taken, on a whole photographed set with
    shop codes as well as on the same set without them."""
    plain = list(photo_set(20, seed=7, size=(2000, 1500)))
    shops = list(photo_set(20, seed=7, size=(2000, 1500), shop=True))
    read_plain = sum(read_qr(jpg, accept=_fiscal) == text for text, jpg in plain if text)
    read_shops = sum(read_qr(jpg, accept=_fiscal) == text for text, jpg in shops if text)
    readable = sum(1 for text, _ in shops if text)
    assert read_shops >= 0.95 * readable and read_shops >= read_plain, (read_shops, read_plain)
    assert all(read_qr(jpg, accept=_fiscal) is None for text, jpg in shops if text is None)
    text = fiscal_text(random.Random(5))
    shot = Shot(size=(2000, 1500), angle=12, shop="https://shop.example/app")
    assert read_qr(receipt_photo(text, shot, seed=5), accept=_fiscal) == text
