"""The scheduler runs the booked-visit jobs: the crews' morning list and the clients'
reminder the day before, at the configured hours."""

from __future__ import annotations

from core.config import Config
from scheduler.app import build_scheduler


def test_visit_jobs_are_scheduled_at_the_configured_hours(db):
    config = Config()
    scheduler = build_scheduler(config, {})
    scheduler.start(paused=True)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    scheduler.shutdown(wait=False)
    assert {"visit_digest", "visit_reminders"} <= set(jobs)
    hour = {f.name: str(f) for f in jobs["visit_digest"].trigger.fields}["hour"]
    assert hour == str(config.notify.digest_hour)
    hour = {f.name: str(f) for f in jobs["visit_reminders"].trigger.fields}["hour"]
    assert hour == str(config.notify.remind_hour)
    assert jobs["visit_reminders"].misfire_grace_time >= 3600
