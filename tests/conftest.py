"""Test harness. BRIGADIR_TEST_DB=sqlite (default) or postgres picks the database; each
run on PostgreSQL gets its own database and drops it afterwards. A missing service skips
locally but fails under CI=true: no silent skips."""

from __future__ import annotations

import os
import uuid

import peewee as pw
import pytest

from core.access import SYSTEM, actor_for_employee
from core.base import db as dbmod
from core.base import runtime
from core.base.config import Config
from core.models import ALL_MODELS
from core.setup import prepare

PG_ADMIN_DSN = os.environ.get("BRIGADIR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need_service(what: str, reason: str) -> None:
    """Skip a test whose service is missing; under CI that is a failure."""
    if IN_CI:
        pytest.fail(f"{what} недоступен под CI=true: {reason}", pytrace=False)
    pytest.skip(f"{what} недоступен: {reason}")


def _pg_connect(dsn: str):
    import psycopg2

    conn = psycopg2.connect(dsn, connect_timeout=3)
    conn.autocommit = True
    return conn


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    kind = os.environ.get("BRIGADIR_TEST_DB", "sqlite")
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    try:
        admin = _pg_connect(PG_ADMIN_DSN)
    except Exception as exc:  # noqa: BLE001 - any connection problem means "no service"
        need_service("PostgreSQL", str(exc).strip())
    name = f"brigadir_test_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    if dbmod.database.obj is not None:
        dbmod.disconnect()
    with admin.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


@pytest.fixture(scope="session")
def _schema(database_url):
    runtime.init(Config())
    database = dbmod.connect(database_url)
    prepare()
    yield database


def _wipe(database) -> None:
    """Every table emptied and every id counting from 1 again, as on a new database.
    On PostgreSQL DELETE in dependency order and a reset of the sequences: TRUNCATE of the
    50-odd tables took 1.7-3 s per test (a file swapped per table), DELETE of their few
    rows about 20 ms."""
    if dbmod.is_postgres():
        with database.atomic():
            for model in reversed(pw.sort_models(ALL_MODELS)):
                database.execute_sql(f'DELETE FROM "{model._meta.table_name}"')
            database.execute_sql(
                "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
            )
    else:
        database.execute_sql("PRAGMA foreign_keys = OFF")
        for model in ALL_MODELS:
            database.execute_sql(f'DELETE FROM "{model._meta.table_name}"')
        database.execute_sql("PRAGMA foreign_keys = ON")


@pytest.fixture(autouse=True)
def _runtime_config():
    """A test that builds an app with its own configuration (create_app calls runtime.init)
    does not leave it behind for the next test."""
    saved = runtime._config
    yield
    runtime.init(saved or Config())


@pytest.fixture
def db(_schema):
    """A clean database with presets (pipelines, categories, templates, main desk)."""
    if dbmod.database.obj is not _schema:
        # A test that ran a command in-process (restore, migrate) bound the models to a new
        # connection of its own; bind them back, or `db.atomic()` and the models would be
        # two connections to one SQLite file, each waiting for the other's lock.
        dbmod.disconnect()
        dbmod.database.initialize(_schema)
    _wipe(_schema)
    prepare()
    yield _schema
    if not _schema.in_transaction():
        return
    _schema.rollback()


@pytest.fixture
def staff(db):
    """The people of the seeds: a director, two managers, two crew members, a subcontractor."""
    from core.people.staff import create_crew, create_employee

    crew = create_crew(SYSTEM, "Бригада 1")
    people = {
        "director": create_employee(
            SYSTEM, "Сергей Директоров", "director", login="director", password="director-pass-1"
        ),
        "manager": create_employee(
            SYSTEM, "Мария Менеджерова", "manager", login="maria", password="manager-pass-1"
        ),
        "manager2": create_employee(
            SYSTEM, "Олег Продажин", "manager", login="oleg", password="manager-pass-2"
        ),
        "executor": create_employee(
            SYSTEM, "Иван Монтажников", "executor", crew_id=crew.id, position="монтажник"
        ),
        "executor2": create_employee(SYSTEM, "Пётр Печатников", "executor", position="печатник"),
        "sub": create_employee(
            SYSTEM, "ООО «Сувенир-Принт»", "executor", is_external=True, contacts="+7 495 000-00-00"
        ),
    }
    people["crew"] = crew
    return people


@pytest.fixture
def actors(staff):
    return {k: actor_for_employee(v) for k, v in staff.items() if k != "crew"}


# --- a test writes only into temporary folders: a file it leaves in the tree fails the run
def _untracked(root: str) -> set[str] | None:
    import subprocess

    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=root, capture_output=True, text=True, timeout=30, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None  # not a git checkout: nothing to compare
    return set(out.splitlines())  # "?? new-file", " M changed-file"


def pytest_sessionstart(session):
    session.config._untracked_before = _untracked(str(session.config.rootpath))
    _travel_if_asked(session.config)


def _travel_if_asked(config) -> None:
    """BRIGADIR_TEST_NOW=2026-12-07T23:30:00+00:00 runs the suite as if started at that instant
    (the clock ticks on from there, in every thread): "passes at any hour" is checked at the
    hours that used to fail — 23:30 UTC and 00:30 Moscow, when the dates differ."""
    instant = os.environ.get("BRIGADIR_TEST_NOW")
    if not instant:
        return
    from datetime import datetime

    import time_machine

    config._brigadir_travel = time_machine.travel(datetime.fromisoformat(instant), tick=True)
    config._brigadir_travel.start()


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_untracked_before", None)
    if before is None or hasattr(session.config, "workerinput"):
        return
    after = _untracked(str(session.config.rootpath)) or set()
    stray = sorted(after - before)
    if stray:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "Тесты оставили или изменили файлы в дереве проекта (пишите во временные папки): "
        message += ", ".join(line[3:] for line in stray[:10])
        if reporter is not None:
            reporter.write_line(message, red=True)
        session.exitstatus = 1


@pytest.fixture
def fake_disk():
    """The fake Yandex Disk REST API on 127.0.0.1 (token GOOD-TOKEN)."""
    from tests.fakes.yadisk import FakeYandexDisk

    fake = FakeYandexDisk(token="GOOD-TOKEN")
    fake.start()
    yield fake
    fake.stop()
