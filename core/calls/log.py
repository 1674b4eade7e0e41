"""The call log from what the PBX says: each event merges into its call's row, so the same
event twice, or the end before the start, leaves exactly the row the whole story gives.

What follows from a call happens once, on the change that causes it, in the event's
transaction: the call's line in the client's thread (and the inbox) when it ends, a
«Перезвонить» task for a missed one, the staff member's bot card when it rings at his
extension, a recording to fetch."""

from __future__ import annotations

from datetime import datetime, timedelta

import peewee as pw

from core.base.clock import utcnow
from core.base.db import database, is_postgres
from core.base.errors import ValidationError
from core.base.phones import display_phone, normalize_phone
from core.calls import missed, options
from core.calls.models import Call
from core.calls.pbx import KINDS, PbxEvent
from core.clients.models import Client
from core.conversations import inbox
from core.conversations.models import Message
from core.orders.models import Order

__all__ = ["RECORDING_DELAY", "ingest", "locked", "one_at_a_time", "outside_number"]

# Novofon asks to fetch a recording some 40 seconds after it is announced (it is still
# being saved before that); Mango's «запись в облаке» comes when it is ready.
RECORDING_DELAY = timedelta(seconds=40)


def locked(query: pw.ModelSelect) -> pw.ModelSelect:
    """SELECT … FOR UPDATE on PostgreSQL; SQLite's write transactions are one at a time."""
    return query.for_update() if is_postgres() else query


# PostgreSQL's advisory lock key of "a call ends" (any number the product keeps to itself).
_ENDS_LOCK = 260_026


def one_at_a_time() -> None:
    """Calls end one at a time: an end reaches beyond its own row (the number's other calls,
    its lead, the client's «Перезвонить» task, the inbox's conversation), and two ends of
    one number's calls taking those in different orders would deadlock. A transaction lock
    on PostgreSQL, taken before the call's row; SQLite's write transactions already are one
    at a time. A small firm ends a few calls a minute: nobody waits for it."""
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_ENDS_LOCK,))


def outside_number(raw: str) -> str:
    """The outside party's number as E.164 when it is a phone ("79123456789", "8 912 …",
    "+7 912 …" alike), else as given (a hidden number, a short service number)."""
    raw = (raw or "").strip()[:32]
    digits = "".join(ch for ch in raw if ch.isdigit())
    for guess in (f"+{digits}" if len(digits) >= 11 else "", raw):
        if not guess:
            continue
        try:
            return normalize_phone(guess)
        except ValidationError:
            continue
    if len(digits) == 11 and digits[0] == "8":
        try:
            return normalize_phone("+7" + digits[1:])
        except ValidationError:
            pass
    return raw


def _client_of(phone: str) -> Client | None:
    if not phone.startswith("+"):
        return None
    return Client.get_or_none((Client.phone == phone) | (Client.phone2 == phone))


def _order_of(client: Client | None) -> Order | None:
    """The order a call of this client is about: their newest open one."""
    if client is None:
        return None
    return (
        Order.select()
        .where((Order.client == client.id) & ~Order.is_archived)
        .order_by(Order.id.desc())
        .first()
    )


def _row(event: PbxEvent) -> Call:
    """The call's row, created on its first event (whichever that is) and locked."""
    Call.insert(provider=event.provider, key=event.key[:100],
                started_at=event.started_at).on_conflict_ignore().execute()  # fmt: skip
    return locked(
        Call.select().where((Call.provider == event.provider) & (Call.key == event.key[:100]))
    ).get()


def _merge(call: Call, event: PbxEvent) -> None:
    """Facts only ever accumulate; where two events could disagree, the more telling
    one wins whatever order they came in (an answer names who talked, the end decides
    whether anybody did)."""
    if event.direction and not call.direction:
        call.direction = event.direction
    if event.phone and not call.phone:
        call.phone = outside_number(event.phone)
        call.client = _client_of(call.phone)
        call.order = _order_of(call.client)
    if event.line and not call.line:
        call.line = event.line[:32]
    if event.started_at and (call.started_at is None or event.started_at < call.started_at):
        call.started_at = event.started_at
    if event.kind == "answer":
        if call.answered_at is None or (event.at and event.at < call.answered_at):
            call.answered_at = event.at or utcnow()
        if event.extension:
            call.extension = event.extension[:16]
    elif event.kind == "end":
        call.ended_at = call.ended_at or event.at or utcnow()
        call.started_at = call.started_at or call.ended_at
        call.answered = bool(event.answered)
        call.duration = max(0, int(event.duration or 0))
        call.outcome = event.outcome[:32]
        if event.extension and not call.extension:
            call.extension = event.extension[:16]
    elif event.kind == "ring" and call.direction == "out" and event.extension:
        call.extension = call.extension or event.extension[:16]
    if event.recording_ref and not call.recording_ref:
        call.recording_ref = event.recording_ref[:200]
    person = options.employee_for(call.extension)
    call.employee = person.id if person is not None else None


def ingest(event: PbxEvent) -> Call:
    """One event from the PBX (already checked for its signature by the adapter)."""
    if event.kind not in KINDS or not event.key:
        raise ValidationError("Непонятное событие телефонии.")
    with database.atomic():
        if event.kind == "end":
            one_at_a_time()
        call = _row(event)
        was_ended = call.ended_at is not None
        had_recording = bool(call.recording_ref)
        _merge(call, event)
        if call.recording_ref and not had_recording and call.recording_id is None:
            call.recording_due = (event.at or utcnow()) + RECORDING_DELAY
        call.save()
        if event.kind == "extension" and not call.ended_at:
            missed.ringing_at(call, event.extension)
        if call.ended_at is not None and not was_ended:
            _ended(call)
    return call


def _ended(call: Call) -> None:
    """The call is over: its line in the threads and the inbox; a missed call asks for a
    call back, a conversation closes the call-back tasks it answers. A number that became a
    lead while this call was going (another of its calls ended missed) is that lead now."""
    if call.client_id is None and call.phone.startswith("+"):
        call.client = _client_of(call.phone)
        call.order = call.order_id or _order_of(call.client)
    call.message = _thread_line(call)
    call.save()
    if call.direction == "in" and not call.answered:
        missed.missed(call)
    elif call.answered:
        missed.talked(call)


def describe(call: Call) -> str:
    """The call as its line in a thread says it (no number: the card shows that)."""
    who = (
        call.employee.name
        if call.employee_id
        else (f"доб. {call.extension}" if call.extension else "")
    )
    if call.direction == "out":
        head = "Исходящий звонок"
        tail = f"разговор {_length(call.duration)}" if call.answered else "не дозвонились"
        return f"{head}{f' ({who})' if who else ''}: {tail}."
    if not call.answered:
        return "Пропущенный звонок."
    return (
        f"Входящий звонок: разговор {_length(call.duration)}{f', ответил(а) {who}' if who else ''}."
    )


def _length(seconds: int) -> str:
    minutes, sec = divmod(max(0, seconds), 60)
    return f"{minutes} мин {sec:02d} с" if minutes else f"{sec} с"


def _thread_line(call: Call) -> Message:
    """The call in the client's (and the order's) thread and in the inbox, once."""
    if call.message_id is not None:
        return Message.get_by_id(call.message_id)
    missed_in = call.direction == "in" and not call.answered
    message = Message.create(
        order=call.order_id, client=call.client_id, direction=call.direction or "in",
        channel="phone", author=call.employee_id if call.direction == "out" else None,
        text=describe(call), at=call.started_at, is_read=not missed_in,
        external_id=f"call:{call.provider}:{call.key}"[:300],
    )  # fmt: skip
    if missed_in and call.order_id:
        Order.update(unread=Order.unread + 1).where(Order.id == call.order_id).execute()
    contact_name = (
        "" if call.client_id else (display_phone(call.phone) or call.phone or "Скрытый номер")
    )
    inbox.file_chat(message, channel="phone", contact=call.phone or "скрытый",
                    contact_name=contact_name)  # fmt: skip
    return message


def since(moment: datetime) -> pw.ModelSelect:
    """Calls that began after a moment (for the statistics and the bench)."""
    return Call.select().where(Call.started_at >= moment)
