"""What the scheduler reminds people of, and in which words.

Each function is safe to run as often as the scheduler likes: every message has an
idempotency key naming its subject and day, so a second run (or a second scheduler that
slipped through) writes nothing new."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import peewee as pw

from core.base.clock import format_date, from_local, local_today, to_local, utcnow
from core.base.db import database
from core.conversations import delivery, outbox
from core.conversations.models import Message, Notification
from core.documents.words import quoted
from core.orders.models import Order, Stage
from core.people.models import Employee
from core.tasks.models import Task

__all__ = [
    "escalate_unanswered",
    "morning_digest",
    "remind_due_dates",
    "remind_subcontracts",
]

OPEN = [[("Открыть заказ", "order:{n}")]]


def _buttons(order: Order) -> list[list[tuple[str, str]]]:
    return [[(label, payload.format(n=order.number)) for label, payload in row] for row in OPEN]


def _once(employee: Employee, text: str, key: str, order: Order | None = None) -> bool:
    """Queue a staff message unless one with this key exists; True if queued.

    Callers read their rows into a list before the loop: on SQLite a write transaction begun
    while a SELECT of the same connection is still open fails at once ("database is locked")
    when another writer committed since that SELECT began — the busy timeout cannot help."""
    if Notification.select().where(Notification.idempotency_key == key).exists():
        return False
    try:
        with database.atomic():
            outbox.notify_staff(
                employee, text, key=key, order=order, buttons=_buttons(order) if order else None
            )
    except pw.IntegrityError:  # a concurrent run queued it first
        return False
    return True


def _directors() -> list[Employee]:
    return list(Employee.select().where((Employee.role == "director") & Employee.active))


def _ready_positions() -> dict[int, int]:
    """Per pipeline, the position of its first stage that tells the client the work is
    ready (or of its archive): an order there has its subcontracted part in hand."""
    codes = codes_expecting_action()
    positions: dict[int, int] = {}
    for stage in Stage.select().order_by(Stage.position):
        if stage.is_archive or (stage.notify_client and stage.template_code in codes):
            positions.setdefault(stage.pipeline_id, stage.position)
    return positions


def remind_subcontracts(today: date | None = None, days_ahead: int = 1) -> int:
    """A subcontracted order not yet received and due within `days_ahead` (or overdue):
    remind the director and the accepting manager, once a day, until it is marked received
    ("Перезаказ получен", core.tasks.tasks.receive_subcontract) or moves on to being ready."""
    today = today or local_today()
    ready_at = _ready_positions()
    orders = (
        Order.select(Order, Stage)
        .join(Stage)
        .where(
            Order.subcontractor.is_null(False)
            & ~Order.subcontract_received
            & ~Order.is_archived
            & Order.due_date.is_null(False)
            & (Order.due_date <= today + timedelta(days=days_ahead))
        )
    )
    queued = 0
    for order in list(orders):  # read first (see _once)
        if order.stage.position >= ready_at.get(order.stage.pipeline_id, 10**6):
            continue
        overdue = order.due_date < today
        when = "просрочен" if overdue else f"срок {format_date(order.due_date)}"
        text = (
            f"Перезаказ у {quoted(order.subcontractor.name)}, заказ №{order.number} ({when}): "
            f"спросите подрядчика о готовности и сроке отправки. {order.description[:150]}"
        )
        people = {e.id: e for e in _directors()}
        if order.manager_id and order.manager.active:
            people[order.manager_id] = order.manager
        for person in people.values():
            key = f"subcontract:{order.id}:{person.id}:{today.isoformat()}"
            queued += _once(person, text, key, order)
    return queued


def _carriers(order: Order) -> list[Employee]:
    """Who does the job: the executor, else every active member of the crew."""
    if order.executor_id and not order.executor.is_external:
        return [order.executor] if order.executor.active else []
    if order.crew_id:
        return list(Employee.select().where((Employee.crew == order.crew_id) & Employee.active))
    return []


def remind_due_dates(today: date | None = None) -> int:
    """The day before an order is due, its executor (or crew) is reminded."""
    today = today or local_today()
    tomorrow = today + timedelta(days=1)
    orders = Order.select().where(~Order.is_archived & (Order.due_date == tomorrow))
    queued = 0
    for order in list(orders):  # read first (see _once)
        text = f"Завтра срок по заказу №{order.number}: {order.description[:200]}"
        for person in _carriers(order):
            key = f"due:{order.id}:{person.id}:{today.isoformat()}"
            queued += _once(person, text, key, order)
    return queued


def _today_bounds(today: date) -> tuple[datetime, datetime]:
    start = from_local(datetime.combine(today, time.min))
    return start, start + timedelta(days=1)


def morning_digest(today: date | None = None) -> int:
    """Each executor gets one message listing today's jobs (due today or a visit today)."""
    today = today or local_today()
    start, end = _today_bounds(today)
    orders = (
        Order.select()
        .where(
            ~Order.is_archived
            & ((Order.due_date == today) | ((Order.visit_at >= start) & (Order.visit_at < end)))
        )
        .order_by(Order.visit_at.asc(nulls="last"), Order.number)
    )
    jobs: dict[int, tuple[Employee, list[str]]] = {}
    for order in list(orders):  # read first (see _once)
        line = f"• №{order.number}"
        if order.visit_at and start <= order.visit_at < end:
            line += f" в {to_local(order.visit_at):%H:%M}"
        address = order.object_address or order.client.address
        line += f" — {order.description[:80]}" + (f", {address}" if address else "")
        for person in _carriers(order):
            jobs.setdefault(person.id, (person, []))[1].append(line)
    queued = 0
    for person, lines in jobs.values():
        text = f"Доброе утро! Работа на сегодня, {format_date(today)}:\n" + "\n".join(lines)
        queued += _once(person, text, f"digest:{person.id}:{today.isoformat()}")
    return queued


def codes_expecting_action() -> set[str]:
    """Template codes of stage messages that ask the client to act — the order is ready,
    the documents are ready: come, pay, pick up. A pipeline's first stage only says the
    order was taken ("заявка принята") and expects nothing. Pipelines are data, so the
    answer follows the director's edits."""
    stages = list(Stage.select().order_by(Stage.pipeline, Stage.position))
    first = {}
    for stage in stages:
        first.setdefault(stage.pipeline_id, stage.id)
    notifying = [s for s in stages if s.notify_client and s.template_code]
    taken = {s.template_code for s in notifying if first[s.pipeline_id] == s.id}
    return {s.template_code for s in notifying if first[s.pipeline_id] != s.id} - taken


def escalate_unanswered(after_hours: float, now: datetime | None = None) -> int:
    """A message that expects the client to act (codes_expecting_action), delivered
    `after_hours` ago, that the client neither saw nor answered: the order's manager gets
    a "позвонить клиенту" task and a message — one open task per order, however many
    messages went unanswered."""
    now = now or utcnow()
    limit = now - timedelta(hours=after_hours)
    codes = codes_expecting_action()
    if not codes:
        return 0
    candidates = Notification.select().where(
        (Notification.audience == "client")
        & (Notification.status == "sent")
        & Notification.template_code.in_(sorted(codes))
        & Notification.order.is_null(False)
        & Notification.seen_at.is_null()
        & (Notification.sent_at <= limit)
        & (Notification.sent_at > limit - timedelta(days=7))  # old history is not news
    )
    created = 0
    for note in list(candidates):  # read first (see _once)
        if (
            Task.select()
            .where((Task.notification == note.id) & (Task.kind == "call_client"))
            .exists()
            or delivery.open_call_task(note.order_id, note.client_id) is not None
        ):
            continue
        replied = (
            Message.select()
            .where(
                (Message.client == note.client_id)
                & (Message.direction == "in")
                & (Message.at >= note.sent_at)
            )
            .exists()
        )
        if replied:
            continue
        order = Order.get_by_id(note.order_id)
        manager = delivery.responsible_employee(order)
        if manager is None:
            continue
        client = order.client
        with database.atomic():
            reason = f"заказ №{order.number}, нет ответа"
            if not delivery.ask_to_call(note, order, client, manager, reason, at=now):
                continue
            phone = f" ({client.phone})" if client.phone else ""
            text = (
                f"Клиент {client.name}{phone} не ответил и не прочитал сообщение по заказу "
                f"№{order.number} за {after_hours:g} ч. Позвоните клиенту."
            )
            _once(manager, text, f"escalate:{note.id}", order)
        created += 1
    return created
