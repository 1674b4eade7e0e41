"""The nightly backup with a frozen clock: once per night at the configured hour, caught up
after downtime, old copies pruned, a copy on Yandex Disk, the director told on failure."""

from __future__ import annotations

import dataclasses
import tarfile
from datetime import datetime, timedelta

import pytest

from cli.backup import take_backup
from core import backups
from core.base.clock import from_local
from core.base.config import AppSection, BackupSection, Config, DatabaseSection, StorageSection
from core.conversations.models import Notification
from scheduler.app import build_scheduler
from scheduler.backups import NightlyBackup, slot_date, to_keep
from scheduler.lease import Lease


@pytest.fixture
def config(tmp_path, database_url):
    return Config(
        app=AppSection(data_dir=str(tmp_path / "data")),
        database=DatabaseSection(url=database_url),
        backup=BackupSection(hour=3, keep_daily=3, keep_monthly=2),
    )


def _job(config, remote=None):
    return NightlyBackup(config, lambda target: take_backup(config, target), remote)


def _at(day: str, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock moment as the naive UTC the job is given."""
    return from_local(datetime.fromisoformat(day).replace(hour=hour, minute=minute))


def _archives(config):
    return sorted(p.name for p in config.backup_dir.glob("brigadir-*.tar"))


def test_one_backup_per_night_at_the_hour_and_a_missed_night_is_caught_up(config, staff):
    job = _job(config)
    assert job.run_once(_at("2026-11-20", 1)) is not None  # started at 1 a.m.: last night's is due
    assert backups.done_for(slot_date(datetime(2026, 11, 20, 1), 3))
    assert job.run_once(_at("2026-11-20", 2, 50)) is None  # same night: once is enough
    made = job.run_once(_at("2026-11-20", 3, 10))  # tonight's hour has come
    assert made is not None and made.name == "brigadir-20261120-031000.tar"
    assert job.run_once(_at("2026-11-20", 23)) is None
    # The machine was off for three nights; it comes back in the afternoon: one catch-up copy.
    assert job.run_once(_at("2026-11-24", 14)) is not None
    assert job.run_once(_at("2026-11-24", 15)) is None
    assert _archives(config) == [  # the 1 a.m. copy gave way to the same day's newer one
        "brigadir-20261120-031000.tar",
        "brigadir-20261124-140000.tar",
    ]
    with tarfile.open(made) as tar:  # a real, complete archive
        assert tar.getnames()[-1] == "manifest.json"
    last = backups.last()
    assert last.at == _at("2026-11-24", 14) and last.size > 0 and last.failed_at is None


def test_retention_keeps_the_last_days_and_the_last_copy_of_each_month(config, staff):
    job = _job(config)
    day = datetime(2026, 9, 27)
    while day <= datetime(2026, 11, 3):
        job.run_once(_at(day.date().isoformat(), 3, 5))
        day += timedelta(days=1)
    assert _archives(config) == [
        "brigadir-20261031-030500.tar",  # October's last: the second monthly copy
        "brigadir-20261101-030500.tar",
        "brigadir-20261102-030500.tar",
        "brigadir-20261103-030500.tar",  # the newest is also November's monthly copy
    ]
    # Archives not made by the job (a hand-made copy, the data kept by a restore) stay.
    (config.backup_dir / "перед обновлением.tar").write_bytes(b"x")
    job.run_once(_at("2026-11-04", 3, 5))
    assert (config.backup_dir / "перед обновлением.tar").exists()


def test_to_keep_picks_the_newest_copy_of_each_day_and_month():
    names = [
        "brigadir-20260131-030000.tar",
        "brigadir-20260228-030000.tar",
        "brigadir-20260301-030000.tar",
        "brigadir-20260301-150000.tar",  # a second copy that day: it is the day's one
        "brigadir-20260302-030000.tar",
        "другое.tar",
    ]
    assert to_keep(names, keep_daily=2, keep_monthly=3) == {
        "brigadir-20260302-030000.tar",
        "brigadir-20260301-150000.tar",
        "brigadir-20260228-030000.tar",
        "brigadir-20260131-030000.tar",
    }


def test_a_failed_backup_is_told_to_the_director_once_and_retried(config, staff):
    config.data_dir.mkdir(parents=True)
    config.backup_dir.write_text("a file where the backup folder should be")
    job = _job(config)
    assert job.run_once(_at("2026-11-20", 3)) is None
    texts = [
        n.text
        for n in Notification.select().where(
            (Notification.audience == "staff") & (Notification.employee == staff["director"].id)
        )
    ]
    assert texts == [
        f"Резервная копия за 20.11.2026 не сделана: на месте папки лежит файл: {config.backup_dir}"
    ]
    assert backups.last().failed_at == _at("2026-11-20", 3) and backups.last().error
    assert not backups.done_for(slot_date(datetime(2026, 11, 20, 3), 3))

    assert job.run_once(_at("2026-11-20", 3, 30)) is None  # not every tick: hourly
    job.run_once(_at("2026-11-20", 4, 10))  # still broken: no second message for the night
    assert Notification.select().where(Notification.audience == "staff").count() == 1

    config.backup_dir.unlink()  # someone fixed the disk
    assert job.run_once(_at("2026-11-20", 5, 15)) is not None
    assert backups.last().failed_at is None and backups.last().error == ""


def test_a_copy_goes_to_yandex_disk_and_is_pruned_there_too(config, staff):
    from storage.yadisk_store import YandexDiskStore
    from tests.fakes.yadisk import FakeYandexDisk

    fake = FakeYandexDisk(token="GOOD-TOKEN")
    fake.start()
    try:
        remote = YandexDiskStore(
            "GOOD-TOKEN", root="disk:/Бригадир-копии", base_url=fake.base_url, n_retries=0
        )
        job = _job(config, remote)
        for day in range(1, 6):
            job.run_once(_at(f"2026-11-0{day}", 3))
        assert sorted(fake.files) == [
            f"/Бригадир-копии/brigadir-2026110{d}-030000.tar" for d in (3, 4, 5)
        ]
        local = config.backup_dir / "brigadir-20261105-030000.tar"
        assert fake.files["/Бригадир-копии/brigadir-20261105-030000.tar"] == local.read_bytes()

        fake.token = "OTHER"  # the token was revoked: the local copy is made, the director told
        assert job.run_once(_at("2026-11-06", 3)) is not None
        (text,) = [n.text for n in Notification.select().where(Notification.audience == "staff")]
        assert "не ушла на Яндекс Диск" in text and "Токен" in text
    finally:
        fake.stop()


def test_the_scheduler_runs_the_backup_job_behind_its_lease(config):
    ran = []
    scheduler = build_scheduler(
        dataclasses.replace(config, storage=StorageSection()),
        {},
        lease=Lease("test-backup", 60),
        nightly_backup=lambda: ran.append(1),
    )
    job = scheduler.jobs.get_job("backup")
    assert job is not None
    job.func()  # the guarded wrapper: without the lease it does nothing
    assert ran == []
    assert scheduler.keeper.check()  # the process takes the lease; its jobs then run
    job.func()
    assert ran == [1]
    scheduler.keeper.stop()
