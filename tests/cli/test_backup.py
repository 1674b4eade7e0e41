"""`brigadir backup` / `restore`: the database and every order file in one checked archive,
brought back on a fresh machine, refused when damaged, never overwriting blindly."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tarfile
import tomllib

import pytest
from click.testing import CliRunner

from cli.main import main
from core import migrations
from core.base import db as dbmod
from core.models import ALL_MODELS
from core.orders.models import Order
from storage.local import LocalStore

URL = {}


@pytest.fixture
def machine(tmp_path, monkeypatch, database_url, db):
    """A server folder with the default config (./data): on SQLite the database file lives
    in the data folder as in production; on PostgreSQL it is the suite's database."""
    if dbmod.is_postgres() and shutil.which("pg_dump") is None:
        pytest.fail("pg_dump не установлен (postgresql-client)")
    home = tmp_path / "server"
    home.mkdir()
    monkeypatch.chdir(home)
    if dbmod.is_postgres():
        monkeypatch.setenv("BRIGADIR_DATABASE_URL", database_url)
        URL["now"] = database_url
    else:
        monkeypatch.delenv("BRIGADIR_DATABASE_URL", raising=False)
        URL["now"] = f"sqlite:///{home / 'data' / 'brigadir.db'}"
    yield home
    dbmod.connect(database_url)  # the rest of the suite runs on its own database


def _cli(*args):
    result = CliRunner().invoke(main, list(args))
    dbmod.connect(URL["now"])  # the command rebinds the models to its own connection
    return result


def _fill(home, orders=30):
    """Demo orders and files in several order folders: artwork, photos, big binary papers."""
    assert _cli("demo", "--clients", "6", "--orders", str(orders)).exit_code == 0
    store = LocalStore(home / "data" / "files")
    for n, order in enumerate(Order.select().order_by(Order.id).limit(4)):
        folder = store.order_folder(
            order.client.name, dt.date(2026, 11, n + 1), order.number, order.description
        )
        store.save(folder, "макет.pdf", b"%PDF-1.4 " + os.urandom(50_000 + n))
        store.save(folder, "чек.jpg", os.urandom(3000))
        store.save(folder, "акт подписан.png", bytes(range(256)) * 400)
    store.save("Клиенты/большой", "архив.zip", os.urandom(3 << 20))  # several MiB, one member


def _rows():
    return {m._meta.table_name: sorted(map(repr, m.select().tuples())) for m in ALL_MODELS}


def _files(root):
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def _lose_everything(home):
    """The disk died: no data folder (on SQLite that is the database too); PostgreSQL is a new,
    empty database."""
    if dbmod.is_postgres():
        dbmod.database.drop_tables(
            [*ALL_MODELS, migrations.SchemaVersion, migrations.SchemaStep], cascade=True
        )
        assert dbmod.database.get_tables() == []
    dbmod.database.close()
    shutil.rmtree(home / "data")


def test_round_trip_onto_a_fresh_machine_brings_back_every_row_and_file(machine, tmp_path):
    _fill(machine)
    rows, files = _rows(), _files(machine / "data" / "files")
    assert len(files) >= 13 and rows["order"]

    result = _cli("backup", str(tmp_path / "copy.tar"))
    assert result.exit_code == 0, result.output
    assert f"файлов {len(files)})" in " ".join(result.output.split())

    _lose_everything(machine)
    result = _cli("restore", "--yes", str(tmp_path / "copy.tar"))
    assert result.exit_code == 0, result.output
    assert "всё сверено с описью" in result.output

    assert _rows() == rows
    assert _files(machine / "data" / "files") == files
    assert not (machine / "data" / "backups").exists()  # nothing to keep on a fresh machine
    # `make run` now starts the restored firm, on the same database even without the variable
    written = tomllib.loads((machine / "config.toml").read_text(encoding="utf-8"))
    assert written["app"]["secret_key"]
    assert written["database"]["url"] == (URL["now"] if dbmod.is_postgres() else "")


def _archive_with_live_data(machine, tmp_path):
    _fill(machine, orders=10)
    assert _cli("backup", str(tmp_path / "copy.tar")).exit_code == 0
    # Life goes on after the backup: edits, a new file, a changed file.
    Order.update(description="изменено после копии").execute()
    store = LocalStore(machine / "data" / "files")
    store.save("Клиенты/новый", "новое.pdf", b"new")
    changed = next(p for p in (machine / "data" / "files").rglob("чек.jpg"))
    changed.write_bytes(b"other receipt")
    return tmp_path / "copy.tar"


def test_restore_over_live_data_first_keeps_what_it_replaces(machine, tmp_path):
    archive = _archive_with_live_data(machine, tmp_path)
    before_rows, before_files = _rows(), _files(machine / "data" / "files")

    result = _cli("restore", "--yes", str(archive))
    assert result.exit_code == 0, result.output
    assert Order.select().where(Order.description == "изменено после копии").count() == 0

    kept = list((machine / "data" / "backups").glob("before-restore-*"))
    assert len(kept) == 1 and str(kept[0].name) in result.output
    assert _files(kept[0] / "files") == before_files  # the replaced files, untouched
    dump = next(kept[0].glob("brigadir.*"))
    assert dump.stat().st_size > 0
    # ...and the kept database is the live one: restoring it brings the edits back.
    if not dbmod.is_postgres():
        import sqlite3

        con = sqlite3.connect(dump)
        assert con.execute(
            "SELECT COUNT(*) FROM \"order\" WHERE description = 'изменено после копии'"
        ).fetchone()[0] == len(before_rows["order"])
        con.close()


def _assert_untouched(machine, rows, files, output):
    assert _rows() == rows
    assert _files(machine / "data" / "files") == files
    assert not list((machine / "data").glob(".restore-*"))  # staging cleaned up
    assert not (machine / "data" / "backups").exists()  # nothing was replaced


def test_a_truncated_archive_is_refused_and_nothing_is_overwritten(machine, tmp_path):
    archive = _archive_with_live_data(machine, tmp_path)
    rows, files = _rows(), _files(machine / "data" / "files")
    data = archive.read_bytes()
    for cut in (len(data) // 2, len(data) - 20_000):  # mid-file, and just before the manifest
        partial = tmp_path / f"partial-{cut}.tar"
        partial.write_bytes(data[:cut])
        result = _cli("restore", "--yes", str(partial))
        assert result.exit_code != 0
        assert "не дописана" in result.output and "Ничего не изменено" in result.output
        _assert_untouched(machine, rows, files, result.output)


def test_a_tampered_file_is_refused_and_nothing_is_overwritten(machine, tmp_path):
    archive = _archive_with_live_data(machine, tmp_path)
    rows, files = _rows(), _files(machine / "data" / "files")
    data = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        member = next(m for m in tar if m.name.endswith("макет.pdf"))
    data[member.offset_data + 100] ^= 0xFF  # one flipped byte inside a stored file
    tampered = tmp_path / "tampered.tar"
    tampered.write_bytes(bytes(data))

    result = _cli("restore", "--yes", str(tampered))
    assert result.exit_code != 0
    assert "не совпадает с описью" in result.output and "макет.pdf" in result.output
    _assert_untouched(machine, rows, files, result.output)


def test_a_file_that_is_not_a_backup_is_refused(machine, tmp_path):
    (tmp_path / "junk.tar").write_bytes(b"not a backup at all" * 100)
    result = _cli("restore", "--yes", str(tmp_path / "junk.tar"))
    assert result.exit_code != 0 and "не резервная копия Бригадира" in result.output


def test_the_manifest_lists_sizes_and_checksums_and_secrets_stay_out_unless_asked(
    machine, tmp_path
):
    assert _cli("init").exit_code == 0
    _fill(machine, orders=5)
    secret = next(
        line for line in (machine / "config.toml").read_text().splitlines() if "secret_key" in line
    ).split('"')[1]

    assert _cli("backup", str(tmp_path / "plain.tar")).exit_code == 0
    with tarfile.open(tmp_path / "plain.tar") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        stored = next(n for n in names if n.endswith("архив.zip"))
        payload = tar.extractfile(stored).read()
    assert names[-1] == "manifest.json" and not any(n.startswith("config/") for n in names)
    assert manifest["members"][stored] == {
        "size": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }
    assert manifest["secrets"] is False
    assert secret.encode() not in (tmp_path / "plain.tar").read_bytes()

    assert _cli("backup", "--with-secrets", str(tmp_path / "full.tar")).exit_code == 0
    with tarfile.open(tmp_path / "full.tar") as tar:
        assert secret in tar.extractfile("config/config.toml").read().decode()


def test_yadisk_files_are_listed_by_path_and_included_when_asked(machine, tmp_path):
    from tests.fakes.yadisk import FakeYandexDisk

    fake = FakeYandexDisk(token="GOOD-TOKEN")
    fake.start()
    try:
        fake.dirs |= {"/Бригадир", "/Бригадир/Клиенты", "/Бригадир/Клиенты/Иванов"}
        fake.files["/Бригадир/Клиенты/Иванов/договор.pdf"] = b"signed elsewhere" * 1000
        config = (
            f'[storage]\nbackend = "yadisk"\nyadisk_token = "GOOD-TOKEN"\n'
            f'yadisk_base_url = "{fake.base_url}"\n'
        )
        (machine / "config.toml").write_text(config, encoding="utf-8")
        _fill(machine, orders=5)

        assert _cli("backup", str(tmp_path / "listed.tar")).exit_code == 0
        with tarfile.open(tmp_path / "listed.tar") as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
            assert not any(n.endswith("договор.pdf") for n in tar.getnames())
        assert manifest["yadisk"] == [
            {
                "path": "Клиенты/Иванов/договор.pdf",
                "size": 16000,
                "md5": hashlib.md5(b"signed elsewhere" * 1000).hexdigest(),
                "in_archive": False,
            }
        ]

        (machine / "config.toml").write_text(config + "[backup]\ninclude_yadisk = true\n")
        result = _cli("backup", str(tmp_path / "full.tar"))
        assert result.exit_code == 0, result.output
        _lose_everything(machine)
        assert _cli("restore", "--yes", str(tmp_path / "full.tar")).exit_code == 0
        restored = machine / "data" / "files" / "Клиенты" / "Иванов" / "договор.pdf"
        assert restored.read_bytes() == b"signed elsewhere" * 1000
    finally:
        fake.stop()


def test_a_copy_from_a_newer_version_or_another_database_kind_is_refused(machine, tmp_path):
    _fill(machine, orders=5)
    assert _cli("backup", str(tmp_path / "copy.tar")).exit_code == 0
    rows = _rows()
    staging = tmp_path / "unpacked"
    with tarfile.open(tmp_path / "copy.tar") as tar:
        tar.extractall(staging, filter="data")
    manifest = json.loads((staging / "manifest.json").read_text())
    other = "postgresql" if manifest["database"]["engine"] == "sqlite" else "sqlite"
    for change, expected in (
        ({"schema_version": migrations.LATEST + 1}, "более новой версией"),
        ({"database": {**manifest["database"], "engine": other}}, f"с базой {other}"),
    ):
        (staging / "manifest.json").write_text(json.dumps({**manifest, **change}))
        with tarfile.open(tmp_path / "changed.tar", "w", format=tarfile.PAX_FORMAT) as tar:
            for name in [*manifest["members"], "manifest.json"]:
                tar.add(staging / name, arcname=name)
        result = _cli("restore", "--yes", str(tmp_path / "changed.tar"))
        assert result.exit_code != 0 and expected in result.output, result.output
        assert _rows() == rows
