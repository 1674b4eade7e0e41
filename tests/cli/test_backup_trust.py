"""Issue 29, items 10 and 13 (choke point 5 for archive members): `brigadir restore` checks the
manifest's every field and member path before anything is touched and refuses in Russian
(no click "Error: ", no traceback); backups and config.toml are the owner's alone (0600); a
backup taken by hand keeps its own name and outlives the nightly retention."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import stat
import tarfile
from datetime import datetime

import pytest

from core.base.config import BackupSection, Config
from scheduler.backups import NightlyBackup
from tests.cli.test_backup import _cli, _fill, _rows, machine  # noqa: F401 - the fixture

EVIL = {
    "an absolute database path": lambda m, evil: {
        "database": {**m["database"], "member": str(evil)}
    },
    "a database path that climbs out": lambda m, evil: {
        "database": {**m["database"], "member": "database/../../../evil.db"}
    },
    "members as a list": lambda m, evil: {"members": list(m["members"])},
    "a version in words": lambda m, evil: {"version": "1"},
    "a schema version in words": lambda m, evil: {"schema_version": "v9"},
    "the database as a list": lambda m, evil: {"database": [m["database"]["member"]]},
    "a member outside the layout": lambda m, evil: {
        "members": {**m["members"], "/etc/passwd": {"size": 1, "sha256": "x"}}
    },
    "a member record as text": lambda m, evil: {"members": {k: "size=1" for k in m["members"]}},
}


def _evil_database(tmp_path):
    """Some other SQLite file on the machine that must never become the live database."""
    evil = tmp_path / "evil.db"
    with sqlite3.connect(evil) as conn:
        conn.execute("CREATE TABLE stolen (x)")
    return evil


@pytest.mark.parametrize("what", sorted(EVIL))
def test_a_malformed_or_escaping_manifest_is_refused_in_russian(machine, tmp_path, what):  # noqa: F811
    _fill(machine, orders=3)
    assert _cli("backup", str(tmp_path / "copy.tar")).exit_code == 0
    rows = _rows()
    staging = tmp_path / "unpacked"
    with tarfile.open(tmp_path / "copy.tar") as tar:
        tar.extractall(staging, filter="data")
    manifest = json.loads((staging / "manifest.json").read_text())
    changed = {**manifest, **EVIL[what](manifest, _evil_database(tmp_path))}
    (staging / "manifest.json").write_text(json.dumps(changed))
    with tarfile.open(tmp_path / "changed.tar", "w", format=tarfile.PAX_FORMAT) as tar:
        for name in [*manifest["members"], "manifest.json"]:
            tar.add(staging / name, arcname=name)
    result = _cli("restore", "--yes", str(tmp_path / "changed.tar"))
    assert result.exit_code != 0, result.output
    assert "повреждена" in result.output and "Ничего не изменено" in result.output, result.output
    assert "Error" not in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _rows() == rows  # the live database is the one it was


def test_every_refusal_is_russian_without_clicks_prefix(machine, tmp_path):  # noqa: F811
    (tmp_path / "junk.tar").write_bytes(b"not a backup" * 100)
    result = _cli("restore", "--yes", str(tmp_path / "junk.tar"))
    assert result.exit_code == 1 and result.output.startswith("Файл junk.tar — не резервная")


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_backups_and_the_config_are_the_owners_alone(machine, tmp_path):  # noqa: F811
    assert _cli("init").exit_code == 0
    assert _mode(machine / "config.toml") == 0o600
    result = _cli("backup")
    assert result.exit_code == 0, result.output
    (archive,) = (machine / "data" / "backups").glob("*.tar")
    assert _mode(archive) == 0o600 and _mode(archive.parent) == 0o700
    assert _cli("backup", "--with-secrets", str(tmp_path / "secret.tar")).exit_code == 0
    assert _mode(tmp_path / "secret.tar") == 0o600


def test_a_manual_backup_outlives_the_nightly_retention(machine):  # noqa: F811
    _fill(machine, orders=2)
    assert _cli("backup").exit_code == 0
    folder = machine / "data" / "backups"
    (manual,) = folder.glob("*.tar")
    assert manual.name.startswith("brigadir-manual-")

    def take(target):
        target.write_bytes(b"nightly")
        return type("Result", (), {"size": 7, "path": target})()

    config = Config()
    config = dataclasses.replace(config, backup=BackupSection(keep_daily=1, keep_monthly=0))
    for day in (20, 21, 22):  # three nights later in the year
        NightlyBackup(config, take).run_once(now=datetime(2031, 1, day, 1, 0))
    names = sorted(p.name for p in folder.glob("*.tar"))
    assert manual.name in names and len(names) == 2, names  # the last night's and the manual one
