"""The light periodic check of every channel the firm set up.

A channel nobody used for a while, or one that is failing, is asked something cheap
(Telegram getMe, MAX /me, VK groups.getById, the SMS balance, an SMTP NOOP); the answer goes
to core.channels.health like a delivery's would. So the dashboard knows a channel is down
before a client's message finds out, and a failing channel — which new messages skip —
is seen to come back by itself."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import timedelta

from core.base.clock import utcnow
from core.base.interfaces import DeliveryError, Sender
from core.channels import health
from core.channels.models import ChannelState
from core.channels.outage import classify, outage
from storage.errors import StorageError

__all__ = [
    "CHECK_SECONDS",
    "IDLE_SECONDS",
    "check_channels",
    "disk_error",
    "disk_probe",
    "report",
    "report_sync",
]

log = logging.getLogger(__name__)

CHECK_SECONDS = 60  # how often the job looks
IDLE_SECONDS = 300  # a working channel with no result for this long is asked again


def report(channel: str, probe: Callable[[], object]) -> bool:
    """Run one check and record its outcome; True when the channel answered."""
    started = time.monotonic()
    try:
        probe()
    except DeliveryError as exc:
        if exc.outage:
            health.record_failure(channel, str(exc), exc.outage)
            return False
        health.record_ok(channel, time.monotonic() - started)  # it answered, about someone
        return True
    except Exception as exc:  # noqa: BLE001 - an adapter's surprise is the channel's failure
        error = outage(health.NAMES.get(channel, channel), exc)
        health.record_failure(channel, str(error), error.outage or "network")
        return False
    health.record_ok(channel, time.monotonic() - started)
    return True


def check_channels(
    transports: Mapping[str, Sender], extra: Mapping[str, Callable[[], object]] | None = None
) -> dict[str, bool]:
    """Check each channel that is failing, or has had no result for IDLE_SECONDS."""
    rows = {row.channel: row for row in ChannelState.select()}
    probes: dict[str, Callable[[], object]] = {
        channel: sender.probe  # type: ignore[attr-defined]
        for channel, sender in transports.items()
        if callable(getattr(sender, "probe", None))
    }
    probes.update(extra or {})
    idle_since = utcnow() - timedelta(seconds=IDLE_SECONDS)
    answered = {}
    for channel, probe in probes.items():
        row = rows.get(channel)
        if (
            row is not None
            and row.state != "failing"
            and row.checked_at
            and row.checked_at > idle_since
        ):
            continue  # recent real results say enough
        answered[channel] = report(channel, probe)
        if not answered[channel]:
            log.warning("channel %s: %s", channel, ChannelState.get(channel=channel).last_error)
    return answered


def disk_error(exc: StorageError) -> DeliveryError:
    """A Yandex Disk failure as the «Яндекс Диск» channel's: a token or a full disk someone
    must fix is hard; otherwise the cause under it (no address, refused, timeout) decides."""
    kind = "auth" if exc.permanent else classify(exc)
    return DeliveryError(f"Яндекс Диск: {exc.message}", outage=kind)


def disk_probe(store: object) -> Callable[[], None]:
    """The light check of the disk behind a syncing store (the token asked about)."""

    def probe() -> None:
        try:
            store.remote.check()  # type: ignore[attr-defined]
        except StorageError as exc:
            raise disk_error(exc) from exc

    return probe


def report_sync(uploaded: int, error: str | None, permanent: bool) -> None:
    """A file sync run's outcome for the «Яндекс Диск» channel: files that went up say it
    works; a run stopped by a failure says why."""
    if error:
        health.record_failure("yadisk", f"Яндекс Диск: {error}", "auth" if permanent else "network")
    elif uploaded:
        health.record_ok("yadisk")
