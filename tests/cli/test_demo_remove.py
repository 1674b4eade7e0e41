"""`brigadir demo --remove`: a firm that tried the demo first takes it out and starts for real —
the demo's clients, orders, messages, money and staff (with their public password) go; the
director, pipelines, templates and the firm's settings stay; the first real order is №1. With
the firm's own work in the database it refuses and deletes nothing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli.main import main
from core.access import actor_for_employee
from core.base import settings
from core.base.security import check_password
from core.clients.clients import create_client
from core.clients.models import Client
from core.conversations.models import Dialogue, Message
from core.files.models import Attachment
from core.money.models import Account, CashMovement, LedgerTotal, Payment
from core.orders.models import Order, Pipeline, Stage, StageMove
from core.orders.orders import create_order
from core.people.models import Crew, Employee


@pytest.fixture
def runner(tmp_path, monkeypatch, database_url):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIGADIR_DATABASE_URL", database_url)
    return CliRunner()


@pytest.fixture
def tried(runner, db):
    """`brigadir init --demo` as README's newcomer ran it (a smaller demo)."""
    assert runner.invoke(main, ["init"]).exit_code == 0
    result = runner.invoke(main, ["demo", "--clients", "30", "--orders", "120"])
    assert result.exit_code == 0, result.output
    assert Order.select().count() == 120 and Employee.select().where(Employee.login == "maria")
    return Employee.get(Employee.role == "director")


def _everything() -> dict[str, int]:
    models = (Client, Order, StageMove, Payment, CashMovement, Message, Dialogue, Attachment)
    return {m.__name__: m.select().count() for m in models}


def test_remove_takes_the_demo_out_and_keeps_the_firm(runner, tried, tmp_path):
    director = tried
    settings.put("company.name", "ООО «Печатный двор»")  # the firm typed its own name
    pipelines = Pipeline.select().count()
    assert Account.select().where(Account.employee.is_null(False)).count() > 1
    result = runner.invoke(main, ["demo", "--remove", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Демо-данные удалены (файлов: 1)" in result.output  # the demo letter's attachment
    assert set(_everything().values()) == {0}, _everything()
    assert not Employee.select().where(Employee.login.in_(["maria", "oleg"])).exists()
    assert Crew.select().count() == 0
    assert not LedgerTotal.select().where((LedgerTotal.incoming != 0) | (LedgerTotal.outgoing != 0))
    desks = Account.select().where(Account.employee.is_null(False))
    assert all(d.employee_id == director.id for d in desks)  # the demo staff's desks went
    # what the firm set up stays: the director (same password), pipelines, its own name
    kept = Employee.get_by_id(director.id)
    login = (tmp_path / "data" / "first-login.txt").read_text(encoding="utf-8")
    password = login.split("password:", 1)[1].strip()
    assert kept.active and check_password(password, kept.password_hash)
    assert Pipeline.select().count() == pipelines
    assert Stage.select().where(Stage.order_count != 0).count() == 0
    assert settings.get("company.name") == "ООО «Печатный двор»"
    # and the first real order is №1
    boss = actor_for_employee(kept)
    client = create_client(boss, "Иван Первый", "+79161234567")
    assert create_order(boss, client.id, "Визитки 100 шт", 150_000).number == 1
    # a second removal has nothing to take
    again = runner.invoke(main, ["demo", "--remove", "--yes"])
    assert again.exit_code == 1 and "Демо-данных в базе нет" in again.output


def test_remove_refuses_when_the_firm_already_works(runner, tried):
    boss = actor_for_employee(tried)
    own = create_client(boss, "Пётр Настоящий", "+79167654321")
    create_order(boss, own.id, "Баннер 3×2 м", 900_000)
    before = _everything()
    result = runner.invoke(main, ["demo", "--remove", "--yes"])
    assert result.exit_code == 1
    assert "внесённые после демо" in result.output and "Traceback" not in result.output
    assert _everything() == before
    assert Employee.select().where(Employee.login == "maria").exists()


def test_remove_asks_first_and_a_no_keeps_everything(runner, tried):
    before = _everything()
    result = runner.invoke(main, ["demo", "--remove"], input="n\n")
    assert result.exit_code == 0 and "Ничего не удалено" in result.output
    assert "клиентов 30, заказов 120" in result.output
    assert _everything() == before


def test_remove_without_a_demo_says_there_is_nothing(runner, db):
    assert runner.invoke(main, ["init"]).exit_code == 0
    result = runner.invoke(main, ["demo", "--remove", "--yes"])
    assert result.exit_code == 1 and "Демо-данных в базе нет" in result.output
