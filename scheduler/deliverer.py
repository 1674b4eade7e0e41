"""The outbox deliverer: claim a due row, pick its channel, send, write the outcome.

All decisions are core.delivery's; this module owns only time (rate limits, sleeping)
and the transports. One row is claimed right before it is sent and marked right after,
so a crash leaves at most the one in-flight message to be sent twice."""

from __future__ import annotations

import logging
import mimetypes
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from core import delivery, filelinks, templates
from core.clock import utcnow
from core.config import Config
from core.interfaces import DeliveryError, FileStore, OutgoingMessage, Sender
from core.models import Notification, Order
from scheduler.ratelimit import RateLimiter

__all__ = ["DeliveryStats", "Deliverer", "limiter_for"]

log = logging.getLogger(__name__)

MAX_SLEEP = 1.0  # wait in-line for a rate slot up to this; longer waits put the row back


@dataclass
class DeliveryStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    postponed: int = 0
    lost_claims: int = 0


def limiter_for(config: Config) -> RateLimiter:
    """Telegram: ≈30/s per bot (configurable below it) and 1/s per chat; the rest per config."""
    return RateLimiter(
        {
            "telegram": config.notify.telegram_per_second,
            "viber": config.notify.viber_per_second,
            "vk": config.notify.vk_per_second,
            "max": config.notify.max_per_second,
            "sms": config.sms.per_second,
            "email": config.notify.email_per_second,
        },
        per_chat_interval={"telegram": 1.0},
    )


class Deliverer:
    def __init__(
        self,
        transports: Mapping[str, Sender],
        config: Config,
        *,
        store: FileStore | None = None,
        limiter: RateLimiter | None = None,
        worker: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.transports = dict(transports)
        self.config = config
        self.store = store
        self.limiter = limiter or limiter_for(config)
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.sleep = sleep

    def run_once(self, limit: int | None = None) -> DeliveryStats:
        """Recover abandoned rows, then work through the due ones (at most `limit`)."""
        stats = DeliveryStats()
        notify = self.config.notify
        recovered = delivery.reclaim_stale(notify.claim_timeout_seconds)
        if recovered:
            log.warning("outbox: %d rows abandoned in 'sending' taken again", recovered)
        for note_id in delivery.due_ids(limit or notify.batch_size):
            if not delivery.claim(note_id, self.worker):
                continue  # another deliverer took it
            stats.claimed += 1
            self._deliver(note_id, stats)
        return stats

    def _deliver(self, note_id: int, stats: DeliveryStats) -> None:
        note = Notification.get_by_id(note_id)
        notify = self.config.notify
        routes = [
            r for r in delivery.routes_for(note, notify.fallback) if r.channel in self.transports
        ]
        if not routes:
            verdict = delivery.Verdict(
                "failed",
                note.attempts,
                utcnow(),
                list(note.failed_channels or []),
                error=note.last_error or "Нет доступного канала связи",
            )
            delivery.finish(note, self.worker, None, verdict)
            stats.failed += 1
            return
        route = routes[0]
        wait = self.limiter.delay(route.channel, route.address)
        if wait > MAX_SLEEP:
            delivery.release(note.id, self.worker, utcnow() + timedelta(seconds=wait))
            stats.postponed += 1
            return
        # The slot is booked from the moment granted, not from when the request leaves:
        # preparing the message and the request's own latency must not stretch the pace.
        slot = time.monotonic() + wait
        error: DeliveryError | None = None
        external_id: str | None = None
        try:
            outgoing = self._message(note, route)
            if wait > 0:
                self.sleep(max(0.0, slot - time.monotonic()))
            external_id = self.transports[route.channel].send(outgoing)
        except DeliveryError as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - a transport bug must not kill the loop
            log.exception("transport %s crashed", route.channel)
            error = DeliveryError(f"{type(exc).__name__}: {exc}")
        self.limiter.sent(route.channel, route.address, at=slot)
        if error is not None and error.retry_after is not None:
            self.limiter.pause(route.channel, float(error.retry_after))
        verdict = delivery.decide(
            attempts=note.attempts,
            failed_channels=list(note.failed_channels or []),
            route=route,
            error=error,
            more_routes=len(routes) > 1,
            now=utcnow(),
            max_attempts=notify.max_attempts,
            base=notify.retry_base_seconds,
            cap=notify.retry_cap_seconds,
        )
        if not delivery.finish(note, self.worker, route, verdict, external_id=external_id):
            stats.lost_claims += 1
            log.warning("outbox: claim on %s lost before marking", note.id)
            return
        if verdict.status == "sent":
            stats.sent += 1
        elif verdict.status == "failed":
            stats.failed += 1
        else:
            stats.retried += 1

    def _message(self, note: Notification, route: delivery.Route) -> OutgoingMessage:
        headers: dict[str, str] = {str(k): str(v) for k, v in (note.headers or {}).items()}
        order = Order.get_or_none(Order.id == note.order_id) if note.order_id else None
        if order is not None:
            headers["X-Brigadir-Order"] = str(order.number)
        subject, text = note.subject, note.text
        variant = templates.for_channel(note.template_code, order, route.channel)
        if variant is not None:  # e.g. the short SMS wording of a readiness message
            subject, text = variant[0] or subject, variant[1]
        keys, links = delivery.files_for(note, route.channel, self._link_maker(note))
        return OutgoingMessage(
            address=route.address,
            text=text + links,
            subject=subject or None,
            buttons=[[(str(b[0]), str(b[1])) for b in row] for row in note.buttons or []],
            attachments=self._attachments(keys),
            headers=headers,
            idempotency_key=note.idempotency_key,
        )

    def _link_maker(self, note: Notification):
        """Download links are served by the web app: none without its address or a store."""
        base = self.config.app.base_url
        if not base or self.store is None:
            return lambda key: None
        return lambda key: filelinks.link_for(note.id, key, base)

    def _attachments(self, keys: list[str]) -> list[tuple[str, bytes, str]]:
        if not keys:
            return []
        if self.store is None:  # never send the words without the file they come with
            raise DeliveryError("Нет доступа к хранилищу файлов — файл не отправить")
        files = []
        for key in keys:
            name = key.rsplit("/", 1)[-1]
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            files.append((name, self.store.read(key), mime))
        return files
