"""The `brigadir` command as a newcomer uses it: init, demo, backup, restore, migrate."""

from __future__ import annotations

import os

import peewee as pw
import pytest
from click.testing import CliRunner

from cli.main import main
from core import migrations
from core.base import db as dbmod
from core.clients.models import Client
from core.money.models import Payment
from core.orders.models import Order, Stage


@pytest.fixture
def runner(tmp_path, monkeypatch, database_url):
    """A fresh folder; the CLI talks to the test database through the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIGADIR_DATABASE_URL", database_url)
    return CliRunner()


def test_init_creates_config_database_and_prints_the_director_password_once(runner, db, tmp_path):
    result = runner.invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    assert "Вход директора: логин director, пароль" in result.output
    assert 'secret_key = ""' not in (tmp_path / "config.toml").read_text(encoding="utf-8")
    again = runner.invoke(main, ["init"])
    assert again.exit_code == 0 and "уже создан" in again.output and "пароль" not in again.output


def test_demo_figures_match_what_the_use_cases_would_have_written(runner, db):
    result = runner.invoke(main, ["demo", "--clients", "40", "--orders", "400"])
    assert result.exit_code == 0, result.output
    assert Order.select().count() == 400
    from core.conversations.models import Dialogue

    # The demo inbox: four letters and three messenger questions, and a line in the staff room.
    assert Dialogue.select().where(Dialogue.kind == "outside").count() == 7
    assert Dialogue.select().where(Dialogue.kind == "staff").count() == 1
    for client in Client.select():
        count, total, paid, debt = (
            Order.select(
                pw.fn.COUNT(Order.id),
                pw.fn.SUM(Order.cost),
                pw.fn.SUM(Order.paid),
                pw.fn.SUM(Order.debt),
            )
            .where(Order.client == client)
            .tuples()
            .get()
        )
        assert (client.orders_count, client.orders_total or 0, client.paid_total, client.debt) == (
            count, total or 0, paid or 0, debt or 0,
        )  # fmt: skip
    for stage in Stage.select():
        assert stage.order_count == Order.select().where(Order.stage == stage).count()
    paid = dict(
        Payment.select(Payment.order, pw.fn.SUM(Payment.amount)).group_by(Payment.order).tuples()
    )
    assert all(paid.get(o.id, 0) == o.paid for o in Order.select())
    states = {s.pipeline.code for s in Stage.select().where(Stage.order_count > 0)}
    assert states == {"printing", "installation"}


def test_a_wrong_config_key_stops_with_one_line_naming_key_and_file(runner, tmp_path):
    (tmp_path / "bad.toml").write_text('[app]\ntimezon = "Europe/Moscow"\n', encoding="utf-8")
    result = runner.invoke(main, ["--config", "bad.toml", "migrate"])
    assert result.exit_code != 0
    assert "неизвестный ключ [app] timezon в bad.toml" in result.output


def test_backup_and_restore_bring_the_data_back(runner, db, tmp_path):
    if dbmod.is_postgres() and os.system("which pg_dump >/dev/null 2>&1") != 0:
        pytest.fail("pg_dump не установлен (postgresql-client)")
    assert runner.invoke(main, ["demo", "--clients", "5", "--orders", "20"]).exit_code == 0
    result = runner.invoke(main, ["backup", str(tmp_path / "copy.bak")])
    assert result.exit_code == 0, result.output
    Order.update(description="испорчено").execute()
    result = runner.invoke(main, ["restore", "--yes", str(tmp_path / "copy.bak")])
    assert result.exit_code == 0, result.output
    dbmod.connect(os.environ["BRIGADIR_DATABASE_URL"])
    assert Order.select().where(Order.description == "испорчено").count() == 0
    assert Order.select().count() == 20


def test_upgrade_from_the_previous_schema_keeps_data(db, staff, actors):
    from playhouse.migrate import SchemaMigrator, migrate

    from core.clients import clients
    from core.orders import orders

    client = clients.create_client(actors["manager"], "Старый Клиент", "+79120000099")
    orders.create_order(actors["manager"], client.id, "Заказ из прошлой версии", 100_00)
    # Turn the database back into schema v1 (columns added by later steps gone), data in place.
    migrator = SchemaMigrator.from_database(dbmod.database.obj)
    migrate(migrator.drop_column("order", "source"), migrator.drop_column("message", "sender"))
    migrations.SchemaVersion.update(version=1).execute()

    assert migrations.upgrade() == (1, migrations.LATEST)
    order = Order.get(Order.description == "Заказ из прошлой версии")
    assert order.source == "" and order.client.name == "Старый Клиент"
    assert {"source"} <= {c.name for c in dbmod.database.get_columns("order")}
    assert {"sender"} <= {c.name for c in dbmod.database.get_columns("message")}


def test_import_checks_every_row_then_writes_all_or_nothing(runner, db, staff, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Дата", "ФИО", "Телефон", "Адрес объекта", "Тип объекта", "Общая стоимость", "Аванс",
                  "Бригада", "Статус"])  # fmt: skip
    sheet.append(["01.10.2026", "Петров Пётр", "8 912 000-11-22", "с. Ивановка, ул. Лесная, 3", "Частный дом",
                  "30 000", "10 000", "Бригада 1", "Монтаж"])  # fmt: skip
    sheet.append(
        [
            "02.10.2026",
            "Сидорова Анна",
            "не телефон",
            "г. Тула",
            "Гараж",
            "15 000",
            "",
            "",
            "Принят",
        ]
    )
    book.save(tmp_path / "заказы.xlsx")

    check = runner.invoke(main, ["import", "orders", "заказы.xlsx", "--pipeline", "installation"])
    assert check.exit_code == 0, check.output
    assert "Строк без ошибок: 1 из 2" in check.output and "не телефон" in check.output
    assert Order.select().count() == 0

    refused = runner.invoke(
        main, ["import", "orders", "заказы.xlsx", "--pipeline", "installation", "--write"]
    )
    assert refused.exit_code == 1 and "ничего не записано" in refused.output
    assert Order.select().count() == 0

    sheet.delete_rows(3)
    book.save(tmp_path / "заказы.xlsx")
    done = runner.invoke(
        main, ["import", "orders", "заказы.xlsx", "--pipeline", "installation", "--write"]
    )
    assert done.exit_code == 0 and "записано" in done.output, done.output
    order = Order.get()
    assert (order.cost, order.paid, order.stage.name, order.crew.name) == (
        3_000_000,
        1_000_000,
        "Монтаж",
        "Бригада 1",
    )


def test_the_inbox_step_upgrades_a_database_that_had_none_of_it(db, staff, actors):
    from core.conversations.models import Dialogue, DialogueSeen, Mailbox, MailboxMember, Message

    Message.create(direction="in", channel="email", sender="old@c.test", subject="Старое письмо")
    for model in (DialogueSeen, MailboxMember):
        model.drop_table()
    drops = [("message", "html"), ("message", "refs"), ("notification", "address"),
             ("notification", "headers")]  # fmt: skip
    if dbmod.is_postgres():  # SQLite cannot drop a column that is a foreign key
        drops.append(("message", "dialogue_id"))
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(dbmod.database.obj)
    dbmod.database.execute_sql('DROP INDEX IF EXISTS "message_dialogue_id_id"')
    migrate(*(migrator.drop_column(t, c) for t, c in drops))
    Dialogue.drop_table()
    Mailbox.drop_table()
    migrations.SchemaVersion.update(version=5).execute()

    assert migrations.upgrade() == (5, migrations.LATEST)
    assert Message.get().subject == "Старое письмо" and Message.get().dialogue_id is None
    assert {"dialogue_id", "html", "refs"} <= {
        c.name for c in dbmod.database.get_columns("message")
    }
    assert Dialogue.select().count() == 0 and MailboxMember.table_exists()
