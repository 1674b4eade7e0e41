"""The outbox deliverer: pick a ready message, claim it, send, write the outcome.

All decisions are core.conversations.delivery's; this module owns only time (rate limits, sleeping)
and the transports. One row is claimed right before it is sent and marked right after,
so a crash leaves at most the one in-flight message to be sent twice.

Scheduling is per chat: the deliverer keeps the head message of every recipient (the
oldest unfinished one, core.conversations.delivery.due_heads) and sends whichever is ready first, so a
chat waiting for its 1-second slot never holds up the others. Mailings are a second,
lower lane with a pace of its own: a readiness message or a staff task always goes first."""

from __future__ import annotations

import logging
import mimetypes
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from core.access import SYSTEM, find_order
from core.base.clock import utcnow
from core.base.config import Config
from core.base.db import database
from core.base.interfaces import DeliveryError, FileStore, OutgoingMessage, Sender
from core.channels import health, prefs, reach
from core.conversations import delivery, templates
from core.conversations.models import Notification
from core.files import filelinks
from scheduler.lease import holder_is_dead
from scheduler.ratelimit import RateLimiter

__all__ = ["CHAT_INTERVAL", "DeliveryStats", "Deliverer", "channel_order", "limiter_for"]

log = logging.getLogger(__name__)

CHAT_INTERVAL = 1.05  # Telegram: one message per second per chat, with room for jitter
LINGER = 2.0  # run_once waits this long for a chat's next slot before returning
REFRESH = 0.5  # seconds between looks at the outbox while messages are moving
CRITICAL_SLACK = 2.0  # seconds: a chat's queue this close to outlasting its lane goes first
MAILING = delivery.MAILING  # the lane (and its rate key)
LANES = (None, MAILING)  # in priority order


@dataclass
class DeliveryStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    lost_claims: int = 0


@dataclass
class _Head:
    """A recipient's oldest due message and the ways to reach them, best first."""

    note: Notification
    lane: str | None
    routes: list[delivery.Route] | None = None  # looked up when first considered

    @property
    def route(self) -> delivery.Route | None:
        return self.routes[0] if self.routes else None


def limiter_for(config: Config) -> RateLimiter:
    """Telegram: ≈30/s per bot (configurable below it) and 1/s per chat; the rest per config.
    Mailings have a pace of their own on top of their channel's."""
    notify = config.notify
    return RateLimiter(
        {
            "telegram": notify.telegram_per_second,
            "viber": notify.viber_per_second,
            "vk": notify.vk_per_second,
            "max": notify.max_per_second,
            "sms": config.sms.per_second,
            "email": notify.email_per_second,
            MAILING: notify.mailing_per_second,
        },
        per_chat_interval={"telegram": CHAT_INTERVAL},
    )


def channel_order(config: Config) -> tuple[str, ...]:
    """The firm's order of channels: Настройки's when the director saved one, else the
    config file's (whose default is Russia today's: MAX, Telegram, VK, SMS, e-mail). Read at
    each pass, so a change in Настройки is used without a restart; a pinned file value wins."""
    return prefs.channel_order(config.notify.fallback, pinned="notify.fallback" in config.pinned)


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
        clock: Callable[[], float] | None = None,
    ):
        self.transports = dict(transports)
        self.config = config
        self.store = store
        self.limiter = limiter or limiter_for(config)
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.sleep = sleep
        self.clock = clock or self.limiter.clock
        self._started = False
        self._known: dict[int, _Head] = {}  # heads waiting for their slot, looked up once
        self._backlog: dict[tuple, int] = {}  # (lane, client, employee) -> unfinished messages
        self._lane_total: dict[str | None, int] = {}
        self._spacing = self.limiter.chat_intervals
        self._held: dict[tuple, float] = {}  # chats written to just before a restart
        self._down: set[str] = set()  # channels failing for everyone, read at each look
        self._order: tuple[str, ...] = config.notify.fallback  # Настройки's, read at each look

    # -- the loop ------------------------------------------------------------------------

    def serve(self, stop: threading.Event, may_work: Callable[[], bool] = lambda: True) -> None:
        """The one delivery loop of a scheduler process: deliver while `may_work()` (the
        lease is ours), look again every `deliver_every_seconds` when idle, until `stop`."""
        idle = self.config.notify.deliver_every_seconds
        while not stop.is_set():
            if not may_work():
                stop.wait(min(idle, 0.5))
                continue
            try:
                stats = self.run_once(stop=stop, may_work=may_work)
            except Exception:  # noqa: BLE001 - logged; the loop must outlive a bad row
                log.exception("outbox delivery failed")
                stats = DeliveryStats()
            finally:
                if not database.is_closed():
                    database.close()
            if not stats.claimed:
                stop.wait(idle)

    def run_once(
        self,
        limit: int | None = None,
        *,
        stop: threading.Event | None = None,
        may_work: Callable[[], bool] = lambda: True,
    ) -> DeliveryStats:
        """Deliver what is due, each chat at its own pace, until nothing is left that will
        be ready within LINGER seconds (or `limit` messages were claimed, or `stop`)."""
        stats = DeliveryStats()
        notify = self.config.notify
        self._recover(notify.claim_timeout_seconds)
        heads: list[_Head] = []
        refreshed, fresh = -1e18, False
        while stop is None or not stop.is_set():
            if limit is not None and stats.claimed >= limit:
                break
            now = self.clock()
            if now - refreshed >= REFRESH or not (heads or fresh):
                heads = self._heads(notify.batch_size)
                refreshed, fresh = now, True
            if not heads:
                break  # nothing due that this look did not already see
            ready, wait = self._pick(heads)
            slot = self.clock()  # the pace counts from the moment the slot was granted
            if ready is None:
                if wait > LINGER:
                    break
                self._sleep(min(wait, max(0.001, refreshed + REFRESH - now)), stop)
                continue
            heads.remove(ready)
            fresh = False
            self._known.pop(ready.note.id, None)  # its outcome may change where it goes next
            if not may_work():
                break  # the lease was lost: finish the message in hand, take no more
            if not delivery.claim(ready.note.id, self.worker):
                continue  # another deliverer took it (or it changed): the next refresh tells
            stats.claimed += 1
            if ready.route is None:
                self._no_route(ready.note, stats)
                continue
            self._deliver(ready, slot, stats)
        return stats

    def _sleep(self, seconds: float, stop: threading.Event | None) -> None:
        if stop is not None and self.sleep is time.sleep:
            stop.wait(seconds)
        else:
            self.sleep(seconds)

    def _recover(self, timeout: float) -> None:
        """Rows a dead deliverer left in 'sending': at once if it was a process of this
        host that is gone, else after claim_timeout_seconds. A chat written to a moment ago
        (by the previous process, or by the dead one's message in hand) still gets its full
        interval; every other chat goes at once."""
        dead = [w for w in delivery.claimers() if w != self.worker and holder_is_dead(w)]
        if not self._started or dead:
            self._started = True
            self._hold_recent_chats(dead)
        recovered = delivery.reclaim_stale(timeout, workers=dead)
        if recovered:
            log.warning("outbox: %d messages abandoned in 'sending' taken again", recovered)

    def _hold_recent_chats(self, dead: list[str]) -> None:
        now, clock = utcnow(), self.clock()
        for channel, interval in self._spacing.items():
            since = now - timedelta(seconds=interval)
            for who, at in delivery.recipients_written_to(channel, since, dead).items():
                until = clock + max(0.0, interval - (now - at).total_seconds())
                self._held[who] = max(self._held.get(who, 0.0), until)

    def _heads(self, limit: int) -> list[_Head]:
        """Each recipient's next message: the ordinary lane first, then mailings. A head
        still waiting for its slot is kept from the last look (row and routes)."""
        self._down = health.down()
        self._order = channel_order(self.config)
        ids = {lane: delivery.due_heads(limit, mailing=lane is not None) for lane in LANES}
        self._backlog = {
            (lane, *who): count
            for lane in LANES
            for who, count in delivery.backlog(mailing=lane is not None).items()
        }
        self._lane_total = {
            lane: sum(c for (ln, *_), c in self._backlog.items() if ln == lane) for lane in LANES
        }
        new = [i for lane_ids in ids.values() for i in lane_ids if i not in self._known]
        fresh = {n.id: n for n in Notification.select().where(Notification.id.in_(new))}
        known = {}
        for lane, lane_ids in ids.items():
            for note_id in lane_ids:
                head = self._known.get(note_id)
                if head is None and note_id in fresh:
                    head = _Head(fresh[note_id], lane)
                if head is not None:
                    known[note_id] = head
        self._known = known
        return list(known.values())

    def _routes_of(self, note: Notification) -> list[delivery.Route]:
        routes = delivery.routes_for(note, self._order, self._down)
        return [r for r in routes if r.channel in self.transports]

    def _pick(self, heads: list[_Head]) -> tuple[_Head | None, float]:
        """The first head (in lane and age order) whose chat and channel are ready now —
        unless a ready chat's queue is critical (see _critical): the longest of those goes
        first. Else None and the shortest wait."""
        shortest, first, critical = float("inf"), None, None
        for head in heads:
            if head.routes is None:  # spread the look-ups over the sends, not all at once
                head.routes = self._routes_of(head.note)
            if head.route is None:
                return head, 0.0
            wait = self.limiter.delay(head.route.channel, head.route.address, head.lane)
            held = self._held.get((head.note.client_id, head.note.employee_id))
            if held is not None:
                wait = max(wait, held - self.clock())
            if wait > 0:
                shortest = min(shortest, wait)
                continue
            if first is None:
                first = head
            if first.lane != head.lane:
                break  # a lower lane never overtakes
            if self._critical(head) and (
                critical is None or self._queue(head) > self._queue(critical)
            ):
                critical = head
        chosen = critical or first
        return (chosen, 0.0) if chosen is not None else (None, shortest)

    def _queue(self, head: _Head) -> int:
        return self._backlog.get((head.lane, head.note.client_id, head.note.employee_id), 1)

    def _critical(self, head: _Head) -> bool:
        """A chat whose own spacing would outlast the rest of its lane at the channel's pace:
        its messages must go at every chance, or the batch ends waiting on it alone (in time
        order, 7 messages to one chat written last finish 7 s after the others)."""
        channel = head.route.channel if head.route else ""
        spacing = self._spacing.get(channel, 0.0)
        if not spacing:
            return False
        rest = self._lane_total.get(head.lane, 0) * self.limiter.min_interval(channel)
        return self._queue(head) * spacing >= rest - CRITICAL_SLACK

    # -- one message ---------------------------------------------------------------------

    def usable(self) -> set[str]:
        """The channels this firm can reach clients on: set up and in its order."""
        return set(self.transports) & ({*self._order, "web"})

    def requeue_unseen_web(self) -> int:
        """Clients' messages left unopened in the web chat go by their next channel."""
        self._order = channel_order(self.config)
        return delivery.requeue_unseen_web(self.usable(), self._order)

    def _no_route(self, note: Notification, stats: DeliveryStats) -> None:
        lacks = delivery.firm_lacks(note, self.usable())
        error = note.last_error or (
            f"Не дошло: {reach.firm_lacks_text(lacks)}" if lacks else "Нет доступного канала связи"
        )
        verdict = delivery.Verdict(
            "failed",
            note.attempts,
            utcnow(),
            list(note.failed_channels or []),
            error=error,
            firm_lacks=lacks,
        )
        delivery.finish(note, self.worker, None, verdict)
        stats.failed += 1

    def _deliver(self, head: _Head, slot: float, stats: DeliveryStats) -> None:
        note, route, notify = head.note, head.route, self.config.notify
        assert route is not None
        error: DeliveryError | None = None
        external_id: str | None = None
        started = time.monotonic()
        try:
            outgoing = self._message(note, route)
            external_id = self.transports[route.channel].send(outgoing)
        except DeliveryError as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - a transport bug must not kill the loop
            log.exception("transport %s crashed", route.channel)
            error = DeliveryError(f"{type(exc).__name__}: {exc}")
        channel_down = self._health(route.channel, error, time.monotonic() - started)
        # The channel's pace counts from the moment the slot was granted: claiming,
        # preparing and the request's latency must not stretch it. The chat's own interval
        # counts from the answer: however late the request reached the platform, the next
        # one to that chat arrives a full interval after it.
        self.limiter.sent(
            route.channel, route.address, at=slot, lane=head.lane, answered_at=self.clock()
        )
        if error is not None and error.retry_after is not None:
            self.limiter.pause(route.channel, float(error.retry_after))
        verdict = delivery.decide(
            attempts=note.attempts,
            failed_channels=list(note.failed_channels or []),
            route=route,
            error=error,
            more_routes=len(head.routes or ()) > 1,
            now=utcnow(),
            max_attempts=notify.max_attempts,
            base=notify.retry_base_seconds,
            cap=notify.retry_cap_seconds,
            channel_down=channel_down,
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

    def _health(self, channel: str, error: DeliveryError | None, seconds: float) -> bool:
        """Report the attempt to core.channels.health; True when the channel is failing for
        everyone now (the message moves on to its next channel at once)."""
        if channel == "web":
            return False  # nothing leaves the building
        try:
            if error is None:
                health.record_ok(channel, seconds)
                return False
            if error.outage:
                failing = health.record_failure(channel, str(error), error.outage) == "failing"
                if failing:
                    self._down.add(channel)
                return failing
        except Exception:  # noqa: BLE001 - the health table must never stop a delivery
            log.exception("channel health of %s not recorded", channel)
        return channel in self._down

    def _message(self, note: Notification, route: delivery.Route) -> OutgoingMessage:
        headers: dict[str, str] = {str(k): str(v) for k, v in (note.headers or {}).items()}
        order = find_order(SYSTEM, note.order_id)  # the outbox's own job: the system reads
        if order is not None:
            headers["X-Brigadir-Order"] = str(order.number)
            if route.channel == "email" and "X-Brigadir-Mailbox" not in headers:
                box = delivery.mailbox_for(order)  # where its responsible person reads
                if box is not None:
                    headers["X-Brigadir-Mailbox"] = box
        subject, text = note.subject, note.text
        variant = templates.for_channel(note.template_code, order, route.channel)
        if variant is not None:  # e.g. the short SMS wording of a readiness message
            subject, text = variant[0] or subject, variant[1]
        keys, links = delivery.files_for(note, route.channel, self._link_maker(note))
        stop_headers, stop = delivery.unsubscribe_parts(
            note, route.channel, self.config.app.base_url
        )
        headers.update(stop_headers)
        return OutgoingMessage(
            address=route.address,
            text=text + links + stop,
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
