"""Outbox delivery: which channel next, when to retry, what a failure means.

The scheduler's deliverer is a loop over these functions; everything that decides
lives here so it is tested without a scheduler, a network or a clock.

Claims are compare-and-set updates (`... WHERE id = ? AND status = 'pending'`): two
deliverer processes never both own a row. A row left in 'sending' by a killed process
is taken again after `claim_timeout_seconds`; the message that was in flight at the
crash may then go out twice — the bounded duplicate the outbox accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import peewee as pw

from core.base.clock import format_date, to_local, utcnow
from core.base.db import database
from core.base.interfaces import DeliveryError
from core.channels import reach
from core.channels.models import ContactProblem
from core.clients.models import Client, MessengerLink
from core.conversations import outbox
from core.conversations.models import (
    DeliveryAttempt,
    Mailbox,
    MailboxMember,
    Message,
    Notification,
)
from core.orders.columns import who_answers
from core.orders.models import Order, Stage
from core.people.models import Employee
from core.tasks.models import Task

__all__ = [
    "backlog",
    "CARRIES_FILES",
    "Route",
    "Verdict",
    "backoff",
    "CHANNEL_NAMES",
    "ask_to_call",
    "channels_tried",
    "claim",
    "claimers",
    "decide",
    "due_heads",
    "due_ids",
    "files_for",
    "finish",
    "reachable",
    "unsubscribe_parts",
    "recipients_written_to",
    "mail_bounced",
    "sms_awaiting_report",
    "sms_undelivered",
    "mailbox_for",
    "open_call_task",
    "reclaim_stale",
    "release",
    "responsible_employee",
    "routes_for",
]

MESSENGERS = ("telegram", "viber", "vk", "max")
# Channels whose transport sends the file itself; the others get a download link instead.
CARRIES_FILES = frozenset({"telegram", "email"})
MAILING = "mailing"  # Notification.kind of bulk mailings: a lane of their own
UNFINISHED = ("pending", "sending")


@dataclass(frozen=True)
class Route:
    """One way to reach the recipient: a channel, an address on it, and the link it came from."""

    channel: str
    address: str
    link_id: int | None = None


@dataclass(frozen=True)
class Verdict:
    """What to write after one attempt."""

    status: str  # sent | pending | failed
    attempts: int
    next_attempt_at: datetime
    failed_channels: list[str] = field(default_factory=list)
    block_link: bool = False
    error: str = ""
    firm_lacks: list[str] = field(default_factory=list)  # the client's channels the firm has not


def backoff(attempt: int, *, base: float, cap: float) -> timedelta:
    """Delay before retry number `attempt` (1-based): base, 2·base, 4·base… up to cap."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempt - 1)))


def routes_for(
    note: Notification, fallback: tuple[str, ...], down: set[str] | frozenset[str] = frozenset()
) -> list[Route]:
    """The recipient's reachable channels, best first, minus the ones failed for this message.

    A client: their unblocked messenger links, their web chat, their phone (SMS), their
    e-mail, minus addresses a platform reported undeliverable; the channel they last wrote
    from first, then the firm's order (`fallback`), the web chat last. Staff: their
    messenger links, their web chat, then their e-mail. Channels that are `down` (failing
    for everyone now) go after the rest: a message tries them only when nothing else is
    left. A forced channel allows only itself; a forced address is the only route."""
    if note.address and note.channel:
        if note.channel in (note.failed_channels or []):
            return []
        return [Route(note.channel, note.address)]
    if note.audience == "client" and note.client_id:
        person: Client | Employee = Client.get_by_id(note.client_id)
        found = _client_routes(person)
        order = [note.channel] if note.channel else _client_order(person, fallback)
    elif note.employee_id:
        person = Employee.get_by_id(note.employee_id)
        found = _link_routes(MessengerLink.employee == note.employee_id, STAFF_WEB)
        if person.email:
            found["email"] = Route("email", person.email)
        order = [note.channel] if note.channel else (
            [c for c in fallback if c in MESSENGERS] + ["web"]
            + [c for c in fallback if c not in MESSENGERS]
        )  # fmt: skip
    else:
        return []
    failed = set(note.failed_channels or [])
    routes = [found[c] for c in dict.fromkeys(order) if c in found and c not in failed]
    return [r for r in routes if r.channel not in down] + [r for r in routes if r.channel in down]


STAFF_WEB = ("web",)


def _link_routes(whose: pw.Expression, web: tuple[str, ...]) -> dict[str, Route]:
    links = MessengerLink.select().where(whose & ~MessengerLink.blocked)
    found: dict[str, Route] = {}
    for link in links.order_by(MessengerLink.id.desc()):  # newest link wins
        if (link.channel in MESSENGERS or link.channel in web) and link.channel not in found:
            found[link.channel] = Route(link.channel, link.external_id, link.id)
    return found


def _client_routes(client: Client) -> dict[str, Route]:
    """A client's ways: messenger links, the web chat (shown when they come back), SMS to
    their phone and their e-mail — unless a platform reported that address undeliverable."""
    found = _link_routes(MessengerLink.client == client.id, ("web",))
    bad = {
        (p.channel, p.address)
        for p in ContactProblem.select().where(ContactProblem.client == client.id)
    }
    if client.phone and ("sms", client.phone) not in bad:
        found["sms"] = Route("sms", client.phone)
    if client.email and ("email", client.email) not in bad:
        found["email"] = Route("email", client.email)
    return found


def unsubscribe_parts(
    note: Notification, channel: str, base_url: str
) -> tuple[dict[str, str], str]:
    """A mailing says how to stop mailings: e-mail carries RFC 8058's List-Unsubscribe and
    List-Unsubscribe-Post headers and the link in the text, SMS the short link, a messenger
    the word «стоп». (headers, words to add); nothing for other messages."""
    if note.kind != MAILING or note.audience != "client" or not note.client_id:
        return {}, ""
    from core.clients.clients import unsubscribe_token

    url = f"{base_url.rstrip('/')}/my/u/{unsubscribe_token(note.client_id)}" if base_url else ""
    if channel == "email" and url:
        headers = {
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        return headers, f"\n\nОтписаться от рассылок: {url}"
    if channel == "sms":
        return {}, f" Отписаться: {url}" if url else ""  # no address: no link that cannot work
    if channel in MESSENGERS or channel == "web":
        return {}, "\n\nНе хотите получать рассылки — напишите «стоп»."
    return {}, ""


def reachable(client: Client, usable: set[str]) -> bool:
    """Whether the deliverer has a way to this client among the `usable` channels."""
    return any(channel in usable for channel in _client_routes(client))


def _client_order(client: Client, fallback: tuple[str, ...]) -> list[str]:
    """The channel the client last wrote from, then the firm's order, then the web chat."""
    last = (
        Message.select(Message.channel)
        .where((Message.client == client.id) & (Message.direction == "in"))
        .order_by(Message.at.desc(), Message.id.desc())
        .scalar()
    )
    own = [last] if last and last in (*fallback, "web") else []  # a channel the firm uses
    return [*own, *fallback, "web"]


def files_for(
    note: Notification,
    channel: str,
    link: Callable[[str], tuple[str, datetime] | None],
) -> tuple[list[str], str]:
    """(storage keys to attach, words to add to the text) for sending `note` on `channel`.

    A channel that carries files gets them. Another gets a download link per file (`link`
    makes one, None when the web app cannot serve it); with no link possible the channel
    is done for this message and the next one is tried — a text never promises a file
    that does not come."""
    keys = list(note.attachments or [])
    if not keys or channel in CARRIES_FILES:
        return keys, ""
    lines, until = [], None
    for key in keys:
        made = link(key)
        if made is None:
            raise DeliveryError(
                f"{channel}: файл не передать, а ссылку сделать нельзя", permanent=True
            )
        url, until = made
        name = key.rsplit("/", 1)[-1]
        lines.append(f"Скачать файл: {url}" if len(keys) == 1 else f"«{name}»: {url}")
    lines.append(f"Ссылка действует до {format_date(to_local(until))}.")
    return [], "\n\n" + "\n".join(lines)


def decide(
    *,
    attempts: int,
    failed_channels: list[str],
    route: Route,
    error: DeliveryError | None,
    more_routes: bool,
    now: datetime,
    max_attempts: int,
    base: float,
    cap: float,
    channel_down: bool = False,
) -> Verdict:
    """The next state of a notification after one attempt on `route`.

    Success: sent. A flood wait (retry_after): pending again after the wait, no attempt
    counted — the platform asked us to slow down, the message is fine. A permanent error,
    or a transient one that used up max_attempts: this channel is done for the message;
    the next channel is tried at once, and with none left the message fails. A channel that
    is failing for everyone (`channel_down`) is left at once while another channel remains;
    with none left, the message waits for it to come back."""
    if error is None:
        return Verdict("sent", attempts + 1, now, list(failed_channels))
    text = str(error)[:1000]
    if error.retry_after is not None and not error.permanent:
        wait = timedelta(seconds=max(1.0, float(error.retry_after)))
        return Verdict("pending", attempts, now + wait, list(failed_channels), error=text)
    tries = attempts + 1
    if channel_down and more_routes and not error.permanent:
        return Verdict("pending", 0, now, [*failed_channels, route.channel], error=text)
    if error.permanent or tries >= max_attempts:
        failed = [*failed_channels, route.channel]
        block = error.permanent and route.link_id is not None
        if more_routes:
            return Verdict("pending", 0, now, failed, block_link=block, error=text)
        return Verdict("failed", tries, now, failed, block_link=block, error=text)
    return Verdict(
        "pending",
        tries,
        now + backoff(tries, base=base, cap=cap),
        list(failed_channels),
        error=text,
    )


def due_ids(limit: int, now: datetime | None = None) -> list[int]:
    """Pending rows whose time has come, oldest first (one indexed read)."""
    now = now or utcnow()
    query = (
        Notification.select(Notification.id)
        .where((Notification.status == "pending") & (Notification.next_attempt_at <= now))
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    return [row.id for row in query]


def due_heads(limit: int, *, mailing: bool = False, now: datetime | None = None) -> list[int]:
    """Ids of due rows that are their recipient's oldest unfinished message in their lane, oldest
    first. A later message never overtakes an earlier one to the same person — not while
    the earlier waits for a retry, nor while it falls back to another channel — so
    "принят" never arrives after "готов". Mailings are a lane apart: a readiness message
    does not wait for the promotion written before it."""
    now = now or utcnow()
    lane = (Notification.kind == MAILING) if mailing else (Notification.kind != MAILING)
    earlier = Notification.alias("earlier")

    def queued_before(column: str) -> pw.Expression:
        mine, theirs = getattr(Notification, column), getattr(earlier, column)
        return ~pw.fn.EXISTS(
            earlier.select(pw.SQL("1")).where(
                (theirs == mine)
                & (earlier.id < Notification.id)
                & earlier.status.in_(UNFINISHED)
                & ((earlier.kind == MAILING) if mailing else (earlier.kind != MAILING))
            )
        )

    query = (
        Notification.select(Notification.id)
        .where(
            (Notification.status == "pending")
            & (Notification.next_attempt_at <= now)
            & lane
            & queued_before("client")
            & queued_before("employee")
        )
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
        .tuples()
    )
    return [row[0] for row in query]


def backlog(*, mailing: bool = False) -> dict[tuple[int | None, int | None], int]:
    """Unfinished messages per recipient (client, employee) in a lane: how long each chat's
    queue still is. The deliverer gives a chat whose queue would outlast the rest of the
    batch its slots first, so a batch is not left waiting on one busy chat at its end."""
    lane = (Notification.kind == MAILING) if mailing else (Notification.kind != MAILING)
    rows = (
        Notification.select(
            Notification.client, Notification.employee, pw.fn.COUNT(Notification.id)
        )
        .where(Notification.status.in_(UNFINISHED) & lane)
        .group_by(Notification.client, Notification.employee)
        .tuples()
    )
    return {(client, employee): count for client, employee, count in rows}


def recipients_written_to(
    channel: str, since: datetime, workers: list[str] | None = None
) -> dict[tuple[int | None, int | None], datetime]:
    """Who got a message on `channel` after `since` (client, employee → when), and whose
    message a dead deliverer had in hand (it may have reached them unrecorded: `since` then).
    A restarted deliverer keeps each of these chats' pace and no one else's."""
    sent = Notification.select(
        Notification.client, Notification.employee, pw.fn.MAX(Notification.sent_at)
    ).where(
        (Notification.status == "sent")
        & (Notification.sent_channel == channel)
        & (Notification.sent_at > since)
    )
    found = {
        (c, e): at
        for c, e, at in sent.group_by(Notification.client, Notification.employee).tuples()
    }
    if workers:
        in_hand = Notification.select(Notification.client, Notification.employee).where(
            (Notification.status == "sending")
            & Notification.claimed_by.in_([w[:64] for w in workers])
        )
        for client, employee in in_hand.tuples():
            found[(client, employee)] = max(found.get((client, employee), since), utcnow())
    return found


def claimers() -> list[str]:
    """Who holds rows in 'sending' now (a crashed deliverer's rows are found by name)."""
    query = Notification.select(Notification.claimed_by).where(Notification.status == "sending")
    return sorted({row.claimed_by for row in query.distinct() if row.claimed_by})


def claim(note_id: int, worker: str, now: datetime | None = None) -> bool:
    """Compare-and-set: the row becomes ours only if it is still pending and due."""
    now = now or utcnow()
    changed = (
        Notification.update(status="sending", claimed_at=now, claimed_by=worker[:64])
        .where(
            (Notification.id == note_id)
            & (Notification.status == "pending")
            & (Notification.next_attempt_at <= now)
        )
        .execute()
    )
    return changed == 1


def release(note_id: int, worker: str, at: datetime) -> None:
    """Give a claimed row back untouched (a channel is paused): due again at `at`."""
    Notification.update(
        status="pending", next_attempt_at=at, claimed_by=None, claimed_at=None
    ).where((Notification.id == note_id) & (Notification.claimed_by == worker[:64])).execute()


def reclaim_stale(
    timeout_seconds: float, now: datetime | None = None, *, workers: list[str] | None = None
) -> int:
    """Rows a dead deliverer left in 'sending' go back to pending (crash recovery): after
    `timeout_seconds`, or at once for `workers` known to be dead."""
    now = now or utcnow()
    limit = now - timedelta(seconds=timeout_seconds)
    stale = Notification.claimed_at < limit
    if workers:
        stale = stale | Notification.claimed_by.in_([w[:64] for w in workers])
    return (
        Notification.update(status="pending", claimed_by=None, claimed_at=None)
        .where((Notification.status == "sending") & stale)
        .execute()
    )


def finish(
    note: Notification,
    worker: str,
    route: Route | None,
    verdict: Verdict,
    *,
    external_id: str | None = None,
) -> bool:
    """Write one attempt's outcome in one transaction; False if our claim was lost meanwhile
    (another deliverer reclaimed the row; its outcome stands)."""
    now = verdict.next_attempt_at if verdict.status == "sent" else utcnow()
    with database.atomic():
        values: dict = {
            "status": verdict.status,
            "attempts": verdict.attempts,
            "next_attempt_at": verdict.next_attempt_at,
            "failed_channels": verdict.failed_channels,
            "claimed_by": None,
            "claimed_at": None,
        }
        if verdict.error or verdict.status != "sent":
            values["last_error"] = verdict.error
        if verdict.status == "sent" and route is not None:
            values.update(sent_at=now, sent_channel=route.channel, external_id=external_id)
        changed = (
            Notification.update(**values)
            .where(
                (Notification.id == note.id)
                & (Notification.status == "sending")
                & (Notification.claimed_by == worker[:64])
            )
            .execute()
        )
        if changed != 1:
            return False
        if route is not None:
            DeliveryAttempt.create(
                notification=note.id,
                at=now,
                channel=route.channel,
                ok=verdict.status == "sent",
                error=verdict.error,
                external_id=external_id,
            )
        if verdict.block_link and route is not None and route.link_id is not None:
            MessengerLink.update(blocked=True).where(MessengerLink.id == route.link_id).execute()
        if verdict.status == "sent" and route is not None:
            _thread_sent(note, route.channel, external_id, now)
        if verdict.status == "failed" and note.audience == "client" and note.kind != "mailing":
            _thread_undelivered(note, now)
            _tell_manager_unreachable(note, verdict.firm_lacks)  # a mailing's are in its report
    return True


def _thread_sent(note: Notification, channel: str, external_id: str | None, at: datetime) -> None:
    """A message that reached a client belongs to the order's thread (with its platform id,
    so an e-mail reply finds the order by In-Reply-To)."""
    if note.audience != "client":
        return
    updated = (
        Message.update(channel=channel, external_id=external_id)
        .where(Message.notification == note.id)
        .execute()
    )
    if not updated and note.order_id:
        Message.create(
            order=note.order_id,
            client=note.client_id,
            direction="out",
            channel=channel,
            subject=note.subject[:300],
            text=note.text,
            at=at,
            is_read=True,
            external_id=external_id,
            notification=note.id,
        )


CHANNEL_NAMES = {"telegram": "Telegram", "viber": "Viber", "sms": "SMS", "email": "e-mail",
                 "max": "MAX", "vk": "ВКонтакте", "web": "веб-чат"}  # fmt: skip
CLIENT_ALL = ("max", "telegram", "vk", "viber", "sms", "email")


def firm_lacks(note: Notification, usable: set[str]) -> list[str]:
    """The channels a client has an address on that the firm cannot use (not set up, or
    left out of its order): why a message found no route, when it is the firm's gap."""
    if note.audience != "client" or not note.client_id or note.address:
        return []
    found = _client_routes(Client.get_by_id(note.client_id))
    return [c for c in CLIENT_ALL if c in found and c not in usable]


WEB_UNSEEN_MINUTES = 15


def requeue_unseen_web(usable: set[str], fallback: tuple[str, ...],
                       minutes: int = WEB_UNSEEN_MINUTES) -> int:  # fmt: skip
    """A message left in a client's web chat that they have not opened within `minutes`
    goes by their next channel (it stays in the web chat only when there is none)."""
    since = utcnow() - timedelta(minutes=minutes)
    moved = 0
    waiting = Notification.select().where(
        (Notification.status == "sent") & (Notification.sent_channel == "web")
        & (Notification.audience == "client") & Notification.seen_at.is_null()
        & (Notification.sent_at < since) & Notification.address.is_null()
    )  # fmt: skip
    for note in waiting:
        note.failed_channels = [*(note.failed_channels or []), "web"]
        if not [r for r in routes_for(note, fallback) if r.channel in usable]:
            continue
        moved += (
            Notification.update(
                status="pending", next_attempt_at=utcnow(), failed_channels=note.failed_channels,
                sent_at=None, sent_channel=None, attempts=0,
            )
            .where((Notification.id == note.id) & (Notification.status == "sent")
                   & Notification.seen_at.is_null())
            .execute()
        )  # fmt: skip
    return moved


def channels_tried(note: Notification) -> list[str]:
    """The channels a message was tried on, in the order tried, as people name them."""
    tried = [
        a.channel
        for a in DeliveryAttempt.select(DeliveryAttempt.channel)
        .where(DeliveryAttempt.notification == note.id)
        .order_by(DeliveryAttempt.id)
    ]
    seen = dict.fromkeys([*tried, *(note.failed_channels or [])])
    return [CHANNEL_NAMES.get(c, c) for c in seen]


def open_call_task(order_id: int | None, client_id: int | None) -> Task | None:
    """The open "позвонить клиенту" task of an order (or of a client without one)."""
    where = (Task.kind == "call_client") & Task.done_at.is_null()
    where &= (Task.order == order_id) if order_id else (Task.client == client_id)
    return Task.select().where(where).first()


def ask_to_call(
    note: Notification,
    order: Order | None,
    client: Client,
    manager: Employee,
    reason: str,
    *,
    at: datetime | None = None,
) -> bool:
    """The "позвонить клиенту" task: one open per order (or per client without one), for
    whatever reason the client must be called. False when one is already open."""
    if open_call_task(order.id if order else None, client.id) is not None:
        return False
    Task.create(kind="call_client", title=f"Позвонить клиенту {client.name}: {reason}"[:300],
                order=order, client=client, assignee=manager, notification=note.id,
                due_at=at or utcnow())  # fmt: skip
    return True


def _thread_undelivered(note: Notification, at: datetime) -> None:
    """A message about an order that reached nobody is still part of the order's thread,
    marked undelivered there and on the client card (core.channels.reach.delivery_marks)."""
    if not note.order_id or Message.select().where(Message.notification == note.id).exists():
        return
    Message.create(order=note.order_id, client=note.client_id, direction="out", channel="auto",
                   subject=note.subject[:300], text=note.text, at=at, is_read=True,
                   notification=note.id)  # fmt: skip


def _tell_manager_unreachable(note: Notification, firm_lacks: list[str] | None = None) -> None:
    """No channel reached the client: the responsible manager gets a message naming every
    channel tried, and one open "позвонить клиенту" task per order. When the client has a
    phone or an e-mail but the firm has no SMS or mail set up, the message says so, and the
    director gets one notice with how to fix it instead of a call task per order."""
    order = Order.get_or_none(Order.id == note.order_id) if note.order_id else None
    client = Client.get_by_id(note.client_id) if note.client_id else None
    manager = responsible_employee(order)
    if manager is None or client is None:
        return
    about = f" по заказу №{order.number}" if order else ""
    tried = channels_tried(note)
    if firm_lacks and not tried:
        reach.tell_director_gap(firm_lacks)
        how, ask = reach.firm_lacks_text(firm_lacks), "Директору отправлено, как это исправить."
    else:
        ask_to_call(note, order, client, manager, f"сообщение{about} не дошло")
        how = (
            f"пробовали: {', '.join(tried)}"
            if tried
            else "у клиента нет ни мессенджера, ни телефона, ни почты"
        )
        ask = "Позвоните клиенту."
    phone = f" ({client.phone})" if client.phone else ""
    text = (
        f"Сообщение клиенту {client.name}{phone}{about} не дошло ({how}). "
        f"{ask} Сообщение: «{note.text[:300]}»"
    )
    buttons = [[("Открыть заказ", f"order:{order.number}")]] if order else None
    key = f"unreachable:{note.id}"
    if not Notification.select().where(Notification.idempotency_key == key).exists():
        outbox.notify_staff(manager, text, key=key, order=order, buttons=buttons)


def responsible_employee(order: Order | None) -> Employee | None:
    """Who answers for the order now (core.orders.columns.who_answers, as the order list shows it):
    the person its stage names, else its manager, else a director — the first one active."""
    director = (
        Employee.select(Employee.id)
        .where((Employee.role == "director") & Employee.active)
        .order_by(Employee.id)
        .scalar()
    )
    stage_person = manager = None
    if order is not None:
        stage_person = Stage.select(Stage.responsible).where(Stage.id == order.stage_id).scalar()
        manager = order.manager_id
    candidates = [i for i in (stage_person, manager) if i]
    active = {
        e.id for e in Employee.select(Employee.id).where(Employee.id.in_(candidates) & Employee.active)
    } if candidates else set()  # fmt: skip
    person = who_answers(stage_person, manager, active, director)
    return Employee.get_by_id(person) if person else None


def mailbox_for(order: Order) -> str | None:
    """The mailbox a letter about this order leaves from: one its responsible person reads, so
    the client's answer lands where he reads it (main when he reads main, or is the director,
    or reads none). Its code, for the sender's X-Brigadir-Mailbox; None: the default."""
    person = responsible_employee(order)
    if person is None or person.role == "director":
        return None
    codes = [
        box.code
        for box in Mailbox.select(Mailbox.code)
        .join(MailboxMember)
        .where((MailboxMember.employee == person.id) & Mailbox.active)
        .order_by(Mailbox.id)
    ]
    return None if not codes or "main" in codes else codes[0]


def mark_seen(channel: str, external_id: str, at: datetime | None = None) -> int:
    """A platform receipt: the person opened the message (feeds escalation)."""
    return (
        Notification.update(seen_at=at or utcnow())
        .where(
            (Notification.sent_channel == channel)
            & (Notification.external_id == str(external_id))
            & Notification.seen_at.is_null()
        )
        .execute()
    )


def mail_bounced(message_id: str, failed: list[tuple[str, str]]) -> int:
    """A bounce (delivery status notification) for one of our letters: the client's address
    is kept as undeliverable (skipped until it changes) and the message goes by its next
    channel. Returns how many messages moved on (0: not ours, or already handled)."""
    note = Notification.get_or_none(
        (Notification.sent_channel == "email") & (Notification.external_id == message_id)
    )
    if note is None:
        return 0
    reason = "; ".join(f"{address}: {why}" if why else address for address, why in failed)
    if note.audience == "client" and note.client_id:
        client = Client.get_by_id(note.client_id)
        for address, why in failed:
            if client.email and client.email.strip().lower() == address:
                ContactProblem.insert(
                    client=client.id, channel="email", address=client.email,
                    reason=f"письмо не доставлено: {why or 'адрес не принимает почту'}"[:1000],
                ).on_conflict_ignore().execute()  # fmt: skip
    return mark_rejected("email", message_id, f"Письмо вернулось: {reason}")


def sms_awaiting_report(since: datetime, limit: int = 500) -> list[str]:
    """Platform ids of SMS sent since `since` that still count as sent (a report may come)."""
    query = (
        Notification.select(Notification.external_id)
        .where(
            (Notification.status == "sent") & (Notification.sent_channel == "sms")
            & Notification.external_id.is_null(False) & (Notification.sent_at >= since)
        )
        .order_by(Notification.id)
        .limit(limit)
    )  # fmt: skip
    return [row.external_id for row in query]


def sms_undelivered(external_id: str, reason: str) -> int:
    """The gateway's report says an SMS never reached the phone: the phone is kept as
    undeliverable for SMS (until it changes) and the message goes by its next channel."""
    note = Notification.get_or_none(
        (Notification.sent_channel == "sms") & (Notification.external_id == str(external_id))
        & (Notification.status == "sent")
    )  # fmt: skip
    if note is None:
        return 0
    if note.audience == "client" and note.client_id:
        client = Client.get_by_id(note.client_id)
        if client.phone:
            ContactProblem.insert(
                client=client.id, channel="sms", address=client.phone,
                reason=f"SMS не доставлено: {reason}"[:1000],
            ).on_conflict_ignore().execute()  # fmt: skip
    return mark_rejected("sms", str(external_id), f"SMS не доставлено: {reason}")


def mark_rejected(channel: str, external_id: str, reason: str) -> int:
    """The platform accepted a message and later reported it undeliverable: the channel
    is done for this message and the next one in the fallback order is tried."""
    note = Notification.get_or_none(
        (Notification.sent_channel == channel)
        & (Notification.external_id == str(external_id))
        & (Notification.status == "sent")
    )
    if note is None:
        return 0
    with database.atomic():
        DeliveryAttempt.create(
            notification=note.id, channel=channel, ok=False, error=reason[:1000],
            external_id=str(external_id),
        )  # fmt: skip
        return (
            Notification.update(
                status="pending",
                next_attempt_at=utcnow(),
                failed_channels=[*(note.failed_channels or []), channel],
                last_error=reason[:1000],
                sent_at=None,
                sent_channel=None,
            )
            .where((Notification.id == note.id) & (Notification.status == "sent"))
            .execute()
        )
