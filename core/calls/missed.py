"""What a call asks of people: the staff member whose extension rings gets the caller's card
in his bot; a missed call becomes one «Перезвонить» task for whoever answers for the
client (a new number: a lead, for the one on duty); a conversation with the client closes
the task it answers. Order-proof: a call back that the PBX reported before the missed call
it answers still counts as the answer."""

from __future__ import annotations

from datetime import datetime

import peewee as pw

from core.access import actor_for_employee
from core.base.clock import utcnow
from core.base.db import database, is_postgres
from core.base.phones import display_phone
from core.calls import cards, options
from core.calls.models import Call
from core.clients.clients import index_words
from core.clients.models import Client
from core.conversations import outbox
from core.conversations.delivery import responsible_employee
from core.conversations.models import Dialogue, Message, Notification
from core.orders.models import Order
from core.people.models import Employee
from core.tasks.models import Task

__all__ = ["TASK_KIND", "lead_of", "missed", "ringing_at", "talked"]

TASK_KIND = "call_back"


def _once(key: str) -> bool:
    """True the first time a notice with this key is asked for."""
    return not Notification.select().where(Notification.idempotency_key == key).exists()


def ringing_at(call: Call, extension: str) -> None:
    """The call reached an extension: its person gets the caller's card in the bot."""
    person = options.employee_for(extension)
    key = f"call:{call.id}:ring:{extension}"
    if person is None or not _once(key):
        return
    card = cards.caller_card(actor_for_employee(person), call)
    order = Order.get_or_none(Order.id == call.order_id) if call.order_id else None
    buttons = [[("Открыть заказ", f"order:{order.number}")]] if order else None
    # Not filed under the order: the card is written for this person (his hidden fields),
    # and the order card's outbox list is read by everyone on the order.
    outbox.notify_staff(person, cards.card_text(card), key=key, buttons=buttons)


def _lead(phone: str) -> Client:
    """A new number that could not be answered: a lead with the phone, source «телефон»."""
    try:
        with database.atomic():  # a savepoint, rolled back if the number is already taken
            lead = Client.create(name=f"Новый номер {display_phone(phone)}", phone=phone,
                                 source="phone", is_lead=True)  # fmt: skip
    except pw.IntegrityError:
        lead = None
    if lead is None:
        return Client.get(Client.phone == phone)
    index_words(lead)
    return lead


def _assignee(call: Call) -> Employee | None:
    order = Order.get_or_none(Order.id == call.order_id) if call.order_id else None
    if order is not None:
        return responsible_employee(order)
    return options.on_duty()


def _called_back_after(client_id: int, moment: datetime) -> bool:
    return (
        Call.select()
        .where((Call.client == client_id) & Call.answered & (Call.started_at > moment))
        .exists()
    )


def _title(client: Client, count: int) -> str:
    shown = display_phone(client.phone) if client.phone else ""
    phone = f" ({shown})" if shown and shown not in client.name else ""
    times = f" — {count} пропущенных" if count > 1 else ""
    return f"Перезвонить: {client.name}{phone}{times}"[:300]


def missed(call: Call) -> None:
    """An incoming call nobody answered (the call's row is locked by the caller)."""
    if not call.phone.startswith("+"):
        return  # a hidden number: nobody to call back
    if call.client_id is None:
        call.client = lead_of(call.phone).id
        call.save()
    client = _lock_client(call.client_id)
    if _called_back_after(client.id, call.started_at):
        return  # the answer is already in the log
    task = (
        Task.select()
        .where((Task.kind == TASK_KIND) & (Task.client == client.id) & Task.done_at.is_null())
        .order_by(Task.id)
        .first()
    )
    if task is None:
        person = _assignee(call)
        task = Task.create(kind=TASK_KIND, title=_title(client, 1), client=client.id,
                           order=call.order_id, assignee=person.id if person else None,
                           due_at=utcnow())  # fmt: skip
    call.task = task.id
    call.save()
    count = Call.select().where(Call.task == task.id).count()
    Task.update(title=_title(client, count)).where(Task.id == task.id).execute()
    _tell(call, task, client)


def lead_of(phone: str) -> Client:
    """The new number's lead (made once), with the number's earlier calls on its card."""
    lead = _lead(phone)
    Call.update(client=lead.id).where((Call.phone == phone) & Call.client.is_null()).execute()
    _move_lines(phone, lead.id)
    return lead


def _move_lines(phone: str, client_id: int) -> None:
    """Earlier calls of the number (answered ones too) join the new lead's card."""
    ids = [
        c.message_id for c in Call.select(Call.message).where(Call.phone == phone) if c.message_id
    ]
    if ids:
        Message.update(client=client_id).where(
            Message.id.in_(ids) & Message.client.is_null()
        ).execute()
    name = Client.get_by_id(client_id).name[:200]
    Dialogue.update(client=client_id, contact_name=name).where(
        (Dialogue.channel == "phone") & (Dialogue.contact == phone) & Dialogue.client.is_null()
    ).execute()


def _lock_client(client_id: int) -> Client:
    """Missed calls of one client one at a time: a second one joins the first one's task."""
    query = Client.select().where(Client.id == client_id)
    return (query.for_update() if is_postgres() else query).get()


def _tell(call: Call, task: Task, client: Client) -> None:
    if task.assignee_id:
        person = Employee.get_by_id(task.assignee_id)
        key = f"call:{call.id}:missed"
        if _once(key):
            order = Order.get_or_none(Order.id == call.order_id) if call.order_id else None
            text = f"☎ Пропущенный звонок: {client.name}. Задача «Перезвонить» — в «Задачах»."
            buttons = [[("Открыть заказ", f"order:{order.number}")]] if order else None
            outbox.notify_staff(person, text, key=key, order=order, buttons=buttons)
    settings = options.telephony()
    key = f"call-back-promise:{task.id}"
    if settings["promise"] and settings["promise_text"] and _once(key):
        # Once per task: a second missed call before the call back is not told twice.
        outbox.notify_client(client, settings["promise_text"], key=key)


def talked(call: Call) -> None:
    """A conversation with the client answers the missed calls before it: a task with only
    those is done; one that also holds later missed calls keeps just the later ones (so the
    open task is the same whichever order the PBX reported the calls in)."""
    if call.client_id is None:
        return
    open_tasks = Task.select().where(
        (Task.kind == TASK_KIND) & (Task.client == call.client_id) & Task.done_at.is_null()
    )
    for task in open_tasks:
        linked = Call.select(Call.started_at).where(Call.task == task.id)
        if not linked.where(Call.started_at > call.started_at).exists():
            Task.update(done_at=utcnow(), done_by=call.employee_id).where(
                (Task.id == task.id) & Task.done_at.is_null()
            ).execute()
            continue
        Call.update(task=None).where(
            (Call.task == task.id) & (Call.started_at < call.started_at)
        ).execute()
        count = Call.select().where(Call.task == task.id).count()
        Task.update(title=_title(Client.get_by_id(call.client_id), count)).where(
            Task.id == task.id
        ).execute()
