"""The managers' call statistics for a period: calls answered and made, talk time, missed
calls and how many were called back within N minutes (by whom)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.access import Actor, require_role
from core.calls import options
from core.calls.models import Call
from core.people.models import Employee

__all__ = ["CallStats", "PersonRow", "call_stats"]


@dataclass
class PersonRow:
    employee_id: int
    name: str
    answered: int = 0  # incoming calls this person talked on
    made: int = 0  # outgoing calls
    reached: int = 0  # outgoing calls somebody answered
    talk_seconds: int = 0
    called_back: int = 0  # missed calls this person called back within N minutes


@dataclass
class CallStats:
    minutes: int
    incoming: int = 0
    missed: int = 0
    called_back: int = 0  # of the missed ones, called back within N minutes
    people: list[PersonRow] = field(default_factory=list)

    @property
    def called_back_share(self) -> int:
        return round(100 * self.called_back / self.missed) if self.missed else 0


def call_stats(
    actor: Actor, start: datetime, end: datetime, minutes: int | None = None
) -> CallStats:
    """Calls that began in [start, end) (naive UTC)."""
    require_role(actor, "manager")
    minutes = minutes or options.telephony()["callback_minutes"]
    window = timedelta(minutes=minutes)
    calls = list(
        Call.select()
        .where(
            (Call.started_at >= start)
            & (Call.started_at < end + window)
            & Call.ended_at.is_null(False)
        )
        .order_by(Call.started_at)
    )
    result = CallStats(minutes=minutes)
    people: dict[int, PersonRow] = {}

    def row(person_id: int) -> PersonRow:
        if person_id not in people:
            people[person_id] = PersonRow(person_id, "")
        return people[person_id]

    outgoing: dict[str, list[Call]] = {}
    for call in calls:
        if call.direction == "out":
            outgoing.setdefault(call.phone, []).append(call)
        if call.started_at >= end:
            continue  # only a call back of the period's missed calls
        if call.direction == "in":
            result.incoming += 1
            if call.answered and call.employee_id:
                row(call.employee_id).answered += 1
        elif call.employee_id:
            person = row(call.employee_id)
            person.made += 1
            person.reached += int(call.answered)
        if call.answered and call.employee_id:
            row(call.employee_id).talk_seconds += call.duration
    for call in calls:
        if call.direction != "in" or call.answered or call.started_at >= end:
            continue
        result.missed += 1
        tries = outgoing.get(call.phone, [])
        first = bisect_right([c.started_at for c in tries], call.started_at)
        back = tries[first] if first < len(tries) else None
        if back is not None and back.started_at - call.started_at <= window:
            result.called_back += 1
            if back.employee_id:
                row(back.employee_id).called_back += 1
    names = {
        e.id: e.name
        for e in Employee.select(Employee.id, Employee.name).where(Employee.id.in_(list(people)))
    }
    for person in people.values():
        person.name = names.get(person.employee_id, "—")
    result.people = sorted(people.values(), key=lambda r: (-(r.answered + r.made), r.name))
    return result
