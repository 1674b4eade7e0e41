"""Daily jobs keep "done for date D": a late start catches up once, a restart does not
repeat, and a digest at the reminders' hour still runs. The clock is frozen: each "start"
is a fresh scheduler built over the same database, asked at a fixed local time."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from core.base.clock import from_local
from core.base.config import Config, NotifySection
from core.conversations import reminders
from scheduler import daily
from scheduler.app import build_scheduler

DAY = date(2026, 3, 2)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock time as the naive UTC the scheduler reads."""
    return from_local(datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture
def calls(monkeypatch, db):
    """The real jobs' entry points, counted (what they write is tested elsewhere)."""
    from core.base.models import Setting

    Setting.delete().where(Setting.key.startswith("daily:")).execute()
    seen: list[tuple[str, date]] = []
    for name in ("remind_subcontracts", "remind_due_dates", "morning_digest"):
        monkeypatch.setattr(
            reminders, name, lambda today=None, *a, _n=name, **k: seen.append((_n, today)) or 0
        )
    return seen


def start(digest_hour=8, remind_hour=10):
    """A scheduler process starting: its reminder and digest jobs, as build_scheduler wires
    them (the booked-visit jobs ride the same mechanism: tests/scheduler/test_visit_jobs.py)."""
    config = Config(notify=NotifySection(digest_hour=digest_hour, remind_hour=remind_hour))
    jobs = build_scheduler(config, {}).daily_jobs
    return [job for job in jobs if job.name in ("reminders", "digest")]


def test_a_late_start_catches_up_once_and_a_restart_does_not_repeat(calls):
    # 07:00: nothing is due yet
    assert daily.run_due(start(), now=at(DAY, 7)) == []
    # the process is down at 08:00 and 10:00 and comes back at 13:30
    assert daily.run_due(start(), now=at(DAY, 13, 30)) == ["reminders", "digest"]
    assert sorted(name for name, _ in calls) == [
        "morning_digest",
        "remind_due_dates",
        "remind_subcontracts",
    ]
    assert {today for _, today in calls} == {DAY}
    # the minute tick in the same process, then a restart the same afternoon: nothing twice
    assert daily.run_due(start(), now=at(DAY, 13, 31)) == []
    assert daily.run_due(start(), now=at(DAY, 23, 59)) == []
    assert len(calls) == 3
    assert daily.done_for("reminders") == DAY and daily.done_for("digest") == DAY
    # the next morning: the digest at its hour, the reminders at theirs
    nxt = DAY + timedelta(days=1)
    assert daily.run_due(start(), now=at(nxt, 8, 0)) == ["digest"]
    assert daily.run_due(start(), now=at(nxt, 10, 0)) == ["reminders"]


def test_a_digest_at_the_reminders_hour_still_runs(calls):
    jobs = start(digest_hour=9, remind_hour=9)
    assert daily.run_due(jobs, now=at(DAY, 9, 0)) == ["reminders", "digest"]
    assert len(calls) == 3


def test_a_failing_job_does_not_stop_the_others_and_is_tried_again(calls, caplog):
    boom = []

    def failing(today):
        boom.append(today)
        raise RuntimeError("база недоступна")

    jobs = [daily.DailyJob("flaky", 9, failing), *start(digest_hour=9, remind_hour=9)]
    assert daily.run_due(jobs, now=at(DAY, 9, 0)) == ["reminders", "digest"]
    assert "daily job flaky failed" in caplog.text
    assert daily.done_for("flaky") is None
    assert daily.run_due(jobs, now=at(DAY, 9, 1)) == []  # tried again; the others are done
    assert len(boom) == 2
