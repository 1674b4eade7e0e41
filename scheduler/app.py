"""The scheduler's composition: which jobs run when, behind one database lease.

    scheduler = build_scheduler(config, build_transports(config), store=store)
    scheduler.start()            # every worker may do this; only the lease holder works

Jobs are kept in memory and re-added at every start (APScheduler's persistent store needs
SQLAlchemy; the work itself is in the database, so nothing is lost between starts)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from core import crew_visits, reminders
from core.config import Config
from core.db import database
from core.interfaces import FileStore, Sender
from scheduler.deliverer import Deliverer
from scheduler.lease import Lease
from scheduler.transports import build_transports

__all__ = ["build_scheduler", "build_transports"]

log = logging.getLogger(__name__)

LEASE_TTL = 60.0
DAILY_GRACE = 3 * 3600  # a daily job missed by a restart still runs within three hours


def _guarded(lease: Lease, name: str, job: Callable[[], object]) -> Callable[[], None]:
    """Run `job` only while this process holds the lease; never let it kill the scheduler."""

    def run() -> None:
        try:
            if not lease.acquire():
                return
            job()
        except Exception:  # noqa: BLE001 - logged; the next tick tries again
            log.exception("scheduler job %s failed", name)
        finally:
            if not database.is_closed():
                database.close()  # pool threads must not keep a connection across ticks

    run.__name__ = f"job_{name}"
    return run


def build_scheduler(
    config: Config,
    transports: Mapping[str, Sender],
    *,
    store: FileStore | None = None,
    lease: Lease | None = None,
    mail_poller: Callable[[], object] | None = None,
) -> BackgroundScheduler:
    """A BackgroundScheduler with the outbox, reminder, escalation and digest jobs.
    `mail_poller` (bots.email.inbound.build_poller) is added when given."""
    lease = lease or Lease("scheduler", LEASE_TTL)
    deliverer = Deliverer(transports, config, store=store)
    notify = config.notify
    scheduler = BackgroundScheduler(
        timezone=config.app.timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )

    def add(name: str, job: Callable[[], object], trigger: object, **kw: object) -> None:
        scheduler.add_job(
            _guarded(lease, name, job), trigger, id=name, name=name, replace_existing=True, **kw
        )

    scheduler.add_job(
        lambda: _renew(lease), "interval", seconds=LEASE_TTL / 3, id="lease", replace_existing=True
    )
    add("deliver", deliverer.run_once, "interval", seconds=notify.deliver_every_seconds)
    add(
        "escalate",
        lambda: reminders.escalate_unanswered(notify.escalate_after_hours),
        "interval",
        minutes=10,
    )
    zone = config.app.timezone
    add(
        "reminders",
        lambda: (
            reminders.remind_subcontracts(days_ahead=notify.subcontract_days_ahead),
            reminders.remind_due_dates(),
        ),
        CronTrigger(hour=notify.remind_hour, minute=0, timezone=zone),
        misfire_grace_time=DAILY_GRACE,
    )
    add(
        "digest",
        reminders.morning_digest,
        CronTrigger(hour=notify.digest_hour, minute=0, timezone=zone),
        misfire_grace_time=DAILY_GRACE,
    )
    # Booked visits: the crews' list of the day, and the clients' reminder the day before.
    add("visit_digest", crew_visits.crew_digest, CronTrigger(hour=notify.digest_hour, minute=0, timezone=zone), misfire_grace_time=DAILY_GRACE)  # fmt: skip
    add("visit_reminders", crew_visits.remind_tomorrow, CronTrigger(hour=notify.remind_hour, minute=0, timezone=zone), misfire_grace_time=DAILY_GRACE)  # fmt: skip
    if mail_poller is not None:
        add("poll_mail", mail_poller, "interval", seconds=config.imap.poll_seconds)
    if hasattr(store, "sync_pending"):  # Yandex Disk behind a local spool
        add("sync_files", lambda: _sync_files(store), "interval", seconds=60)
    scheduler.deliverer = deliverer  # type: ignore[attr-defined] - for `brigadir scheduler` stats
    scheduler.lease = lease  # type: ignore[attr-defined]
    return scheduler


def _sync_files(store: object) -> None:
    """Push queued files to Yandex Disk; a problem only people can fix goes to the director
    (once per distinct message, so a dead token does not send a message every minute)."""
    report = store.sync_pending()  # type: ignore[attr-defined]
    if report.error:
        log.warning("files: %s (%d waiting)", report.error, report.pending)
    if report.error and report.permanent:
        from core import outbox
        from core.models import Employee, Notification

        for director in Employee.select().where((Employee.role == "director") & Employee.active):
            key = f"storage:{director.id}:{report.error}"[:200]
            if not Notification.select().where(Notification.idempotency_key == key).exists():
                outbox.notify_staff(
                    director,
                    f"Файлы не уходят на Яндекс Диск: {report.error} В очереди: {report.pending}.",
                    key=key,
                )


def _renew(lease: Lease) -> None:
    try:
        lease.acquire()
    except Exception:  # noqa: BLE001
        log.exception("lease renewal failed")
    finally:
        if not database.is_closed():
            database.close()
