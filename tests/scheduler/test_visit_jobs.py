"""The scheduler runs the booked-visit jobs as daily jobs (done for the date, caught up
after a late start): the crews' morning list and the clients' reminder the day before, at
the configured hours."""

from __future__ import annotations

from core.base.config import Config
from scheduler.app import build_scheduler


def test_visit_jobs_are_daily_jobs_at_the_configured_hours(db):
    config = Config()
    scheduler = build_scheduler(config, {})
    days = {job.name: job for job in scheduler.daily_jobs}
    assert days["visit_digest"].hour == config.notify.digest_hour
    assert days["visit_reminders"].hour == config.notify.remind_hour
    assert "daily" in {job.id for job in scheduler.get_jobs()}
