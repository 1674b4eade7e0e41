"""Daily jobs that remember "done for date D".

A daily job is due from its hour (local time) until the day ends. The scheduler looks
every minute and at start: a job due today and not yet done runs once — so a process
started after the hour catches up, two jobs with the same hour both run, and a restart
after the run does not repeat it. The mark is written after the job; the jobs themselves
write with per-day idempotency keys, so a crash between the two costs nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from core.base.clock import to_local, utcnow
from core.base.models import Setting

__all__ = ["DailyJob", "done_for", "run_due"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DailyJob:
    name: str
    hour: int  # local time
    run: Callable[[date], object]


def _key(name: str) -> str:
    return f"daily:{name}"


def done_for(name: str) -> date | None:
    """The last local date the job completed for."""
    row = Setting.get_or_none(Setting.key == _key(name))
    value = (row.value or {}).get("done") if row is not None else None
    return date.fromisoformat(value) if value else None


def _mark(name: str, day: date) -> None:
    value = {"done": day.isoformat(), "at": utcnow().isoformat(timespec="seconds")}
    if not Setting.update(value=value).where(Setting.key == _key(name)).execute():
        Setting.insert(key=_key(name), value=value).on_conflict(
            conflict_target=[Setting.key], update={Setting.value: value}
        ).execute()


def run_due(jobs: list[DailyJob], now: datetime | None = None) -> list[str]:
    """Run every job due today (local) and not done for today; the names that ran."""
    local = to_local(now or utcnow())
    today, ran = local.date(), []
    for job in jobs:
        if local.hour < job.hour:
            continue
        last = done_for(job.name)
        if last is not None and last >= today:
            continue
        late = local.hour > job.hour or local.minute > 5
        log.info("daily job %s for %s%s", job.name, today.isoformat(), " (catch-up)" * late)
        try:
            job.run(today)
        except Exception:  # noqa: BLE001 - the other jobs still run; this one next minute
            log.exception("daily job %s failed", job.name)
            continue
        _mark(job.name, today)
        ran.append(job.name)
    return ran
