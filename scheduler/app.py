"""The scheduler's composition: one process-wide lease, one delivery loop, periodic jobs.

    scheduler = build_scheduler(config, build_transports(config), store=store)
    scheduler.start()            # every worker may do this; only the lease holder works
    scheduler.shutdown()         # finishes the message in hand, hands the lease over

The outbox is delivered by one loop in its own thread (not an interval job: a batch paced
at a platform's speed outlasts any interval). The other jobs run on APScheduler, kept in
memory and re-added at every start; the work itself is in the database. Daily jobs keep
"done for date D" (scheduler.daily), so a late start catches up once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from checkout.atol import register_from_settings
from checkout.yookassa import YooKassaGateway
from core import housekeeping
from core.base.clock import utcnow
from core.base.config import Config
from core.base.db import database
from core.base.interfaces import DeliveryError, FileStore, Sender
from core.conversations import delivery, reminders
from core.files import attachments
from core.money import fiscal_checks, online_payments
from core.selfservice import crew_visits
from scheduler import daily
from scheduler.deliverer import Deliverer
from scheduler.health import CHECK_SECONDS, check_channels, disk_probe, report_sync
from scheduler.lease import Lease, LeaseKeeper
from scheduler.transports import build_transports

__all__ = ["Scheduler", "build_scheduler", "build_transports"]

log = logging.getLogger(__name__)

STOP_WAIT = 2.5  # seconds the delivery loop gets to finish the message in hand


def _guarded(keeper: LeaseKeeper, name: str, job: Callable[[], object]) -> Callable[[], None]:
    """Run `job` only while this process holds the lease (a skip says why); never let it
    kill the scheduler."""

    said: list[str] = []  # the last reason told at INFO; repeats go to DEBUG

    def run() -> None:
        if not keeper.held:
            reason = keeper.reason
            level = logging.DEBUG if said and said[-1] == keeper.other else logging.INFO
            log.log(level, "scheduler job %s skipped: %s", name, reason)
            said[:] = [keeper.other]
            return
        said.clear()
        try:
            job()
        except Exception:  # noqa: BLE001 - logged; the next tick tries again
            log.exception("scheduler job %s failed", name)
        finally:
            if not database.is_closed():
                database.close()  # pool threads must not keep a connection across ticks

    run.__name__ = f"job_{name}"
    return run


class Scheduler:
    """APScheduler's jobs, the delivery loop and the lease keeper, started and stopped
    together."""

    def __init__(self, jobs: BackgroundScheduler, keeper: LeaseKeeper, deliverer: Deliverer):
        self.jobs, self.keeper, self.deliverer = jobs, keeper, deliverer
        self.lease = keeper.lease
        self._stop = threading.Event()
        self._loop: threading.Thread | None = None

    def start(self, paused: bool = False) -> None:
        self.keeper.start()
        self.jobs.start(paused=paused)
        if not paused:
            self._loop = threading.Thread(
                target=self.deliverer.serve,
                args=(self._stop, lambda: self.keeper.held),
                name="deliver",
                daemon=True,  # a send stuck past STOP_WAIT must not keep the process alive
            )
            self._loop.start()

    def get_jobs(self) -> list:
        return self.jobs.get_jobs()

    def shutdown(self, wait: bool = False) -> None:
        """Stop promptly: the delivery loop finishes the message in hand (up to STOP_WAIT
        seconds), running jobs are not waited for, and the lease is handed over."""
        self._stop.set()
        self.jobs.shutdown(wait=wait)
        if self._loop is not None:
            self._loop.join(timeout=STOP_WAIT)
            if self._loop.is_alive():
                log.warning("outbox: a send still in flight at stop; it is retried later")
        self.keeper.stop()


def build_scheduler(
    config: Config,
    transports: Mapping[str, Sender],
    *,
    store: FileStore | None = None,
    lease: Lease | None = None,
    mail_poller: Callable[[], object] | None = None,
    nightly_backup: Callable[[], object] | None = None,
) -> Scheduler:
    """The outbox loop with the escalation, reminder and digest jobs. `mail_poller`
    (bots.email.inbound.build_poller) and `nightly_backup`
    (scheduler.backups.NightlyBackup.run_once) are added when given."""
    keeper = LeaseKeeper(lease or Lease("scheduler", config.scheduler.lease_seconds))
    deliverer = Deliverer(transports, config, store=store)
    notify = config.notify
    jobs = BackgroundScheduler(
        timezone=config.app.timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )

    def add(name: str, job: Callable[[], object], trigger: object, **kw: object) -> None:
        jobs.add_job(
            _guarded(keeper, name, job), trigger, id=name, name=name, replace_existing=True, **kw
        )

    add(
        "escalate",
        lambda: reminders.escalate_unanswered(notify.escalate_after_hours),
        "interval",
        minutes=10,
    )
    day_jobs = _day_jobs(config)
    # Every minute, and at once at start: a day's job not yet done runs (catch-up).
    add(
        "daily",
        lambda: daily.run_due(day_jobs),
        "interval",
        minutes=1,
        next_run_time=datetime.now(jobs.timezone),
    )
    add("web_unseen", deliverer.requeue_unseen_web, "interval", minutes=1)
    probes: dict[str, Callable[[], object]] = {"pbx": check_pbx}
    if hasattr(store, "sync_pending"):  # Yandex Disk behind a local spool
        probes["yadisk"] = disk_probe(store)
    if config.yookassa.shop_id:  # online payments: the shop's settings asked now and then
        probes["yookassa"] = YooKassaGateway(config.yookassa).check
    add("check_channels", lambda: check_channels(transports, probes), "interval", seconds=CHECK_SECONDS,
        next_run_time=datetime.now(jobs.timezone))  # fmt: skip
    # 54-ФЗ receipts queued by payments, registered outside the payments' transactions
    add("fiscal_checks", FiscalJob(), "interval", seconds=FiscalJob.EVERY)
    sms = transports.get("sms")
    if hasattr(sms, "statuses"):  # SMS.ru / SMSC delivery reports, asked for (no public address)
        add("sms_reports", lambda: sms_reports(sms), "interval", seconds=SMS_REPORTS_EVERY)
    _add_optional(add, config, store, mail_poller, nightly_backup)
    scheduler = Scheduler(jobs, keeper, deliverer)
    scheduler.daily_jobs = day_jobs  # type: ignore[attr-defined] - for tests and stats
    return scheduler


class FiscalJob:
    """Registers due receipts with the register the settings name; the adapter (and its
    token) is kept while the settings stay the same."""

    EVERY = 10  # seconds

    def __init__(self) -> None:
        self._key: str | None = None
        self._register: object | None = None

    def __call__(self) -> int:
        key = repr(sorted(fiscal_checks.register_conf().items()))
        if key != self._key:
            self._key, self._register = key, register_from_settings()
        if self._register is None:
            return 0
        return fiscal_checks.process_due(self._register)  # type: ignore[arg-type]


def check_pbx() -> None:
    """The PBX's light check for core.channels.health (its keys asked something harmless);
    nothing to ask when no PBX is chosen. A PbxError with a kind is the channel's failure."""
    from bots.phone import pbx
    from core.base.interfaces import DeliveryError

    chosen = pbx()
    if chosen is None:
        return
    try:
        chosen.check()
    except Exception as exc:  # noqa: BLE001 - told to the health board in the platform's words
        kind = getattr(exc, "kind", "") or "network"
        raise DeliveryError(str(exc), permanent=kind == "auth", outage=kind) from exc


def fetch_recordings(store: FileStore) -> int:
    """The PBX chosen in the admin now (it may change while the scheduler runs)."""
    from bots.phone import pbx
    from core.calls import recordings

    return recordings.fetch_due(pbx(), store)


def _sync_files(store: object) -> None:
    """Push queued files to Yandex Disk; a problem only people can fix goes to the director
    (once per distinct message, so a dead token does not send a message every minute)."""
    report = store.sync_pending()  # type: ignore[attr-defined]
    if not report.busy:
        report_sync(report.uploaded + report.deleted, report.error, report.permanent)
    if report.error:
        log.warning("files: %s (%d waiting)", report.error, report.pending)
    if report.error and report.permanent:
        from core.conversations import outbox
        from core.conversations.models import Notification
        from core.people.models import Employee

        for director in Employee.select().where((Employee.role == "director") & Employee.active):
            key = f"storage:{director.id}:{report.error}"[:200]
            if not Notification.select().where(Notification.idempotency_key == key).exists():
                outbox.notify_staff(
                    director,
                    f"Файлы не уходят на Яндекс Диск: {report.error} В очереди: {report.pending}.",
                    key=key,
                )


def _day_jobs(config: Config) -> list[daily.DailyJob]:
    """The jobs that run once a day at the firm's hour (caught up at start when missed)."""
    notify = config.notify
    return [
        daily.DailyJob(
            "reminders",
            notify.remind_hour,
            lambda today: (
                reminders.remind_subcontracts(today, days_ahead=notify.subcontract_days_ahead),
                reminders.remind_due_dates(today),
            ),
        ),
        daily.DailyJob("digest", notify.digest_hour, lambda today: reminders.morning_digest(today)),
        # Booked visits: the crews' list of the day, and the clients' reminder the day before.
        daily.DailyJob("visit_digest", notify.digest_hour, crew_visits.crew_digest),
        daily.DailyJob("visit_reminders", notify.remind_hour, crew_visits.remind_tomorrow),
        # expired links, codes and sessions, old update ids: at night, when nobody works
        daily.DailyJob("housekeeping", 3, lambda today: housekeeping.sweep()),
    ]


def _add_optional(
    add: Callable[..., None],
    config: Config,
    store: FileStore | None,
    mail_poller: Callable[[], object] | None,
    nightly_backup: Callable[[], object] | None,
) -> None:
    """The jobs that exist only where their part is set up: mail, backups, files."""
    if mail_poller is not None:
        add("poll_mail", mail_poller, "interval", seconds=config.imap.poll_seconds)
    if nightly_backup is not None:  # checks every 10 minutes whether a night's backup is due
        add("backup", nightly_backup, "interval", minutes=10)
    if store is not None:  # receipt photos left waiting by abandoned dialogs
        add("receipts", lambda: attachments.sweep_waiting_receipts(store), "interval", hours=1)
    if hasattr(store, "sync_pending"):  # Yandex Disk behind a local spool
        add("sync_files", lambda: _sync_files(store), "interval", seconds=60)
    if store is not None:  # call recordings the PBX announced, kept with the order's files
        add("recordings", lambda: fetch_recordings(store), "interval", seconds=30)
    if config.yookassa.shop_id:  # a notification that never came does not leave an order unpaid
        add("check_payments", PendingPayments(config), "interval", seconds=PendingPayments.EVERY)


SMS_REPORTS_EVERY = 300  # seconds
SMS_REPORTS_FOR = timedelta(hours=24)  # gateways keep reports about a day


def sms_reports(sms: object, batch: int = 100) -> int:
    """Ask the SMS gateway about the SMS still counted as sent; each one it reports
    undelivered goes by the client's next channel. Returns how many moved on."""
    ids = delivery.sms_awaiting_report(utcnow() - SMS_REPORTS_FOR)
    moved = 0
    for start in range(0, len(ids), batch):
        try:
            found = sms.statuses(ids[start : start + batch])  # type: ignore[attr-defined]
        except DeliveryError as exc:
            log.warning("sms reports: %s", exc)
            return moved
        for sms_id, (delivered, why) in found.items():
            if delivered is False:
                moved += delivery.sms_undelivered(sms_id, why)
    return moved


class PendingPayments:
    """Online payments still pending after their notification should have come, asked from
    YooKassa (a firm behind NAT gets no notifications at all)."""

    EVERY = 120  # seconds

    def __init__(self, config: Config) -> None:
        from checkout.yookassa import YooKassaGateway

        self.gateway = YooKassaGateway(config.yookassa)

    def __call__(self) -> dict[str, int]:
        return online_payments.check_pending(self.gateway)
