"""What staff do with calls: make a lead of a new number, call a client back through the
PBX with one click (the «обзвон» list), find their own extension."""

from __future__ import annotations

from core.access import Actor, require_role
from core.base import ratelimit
from core.base.db import database
from core.base.errors import NotFound, ValidationError
from core.calls import log, missed, options
from core.calls.models import Call
from core.calls.pbx import Pbx, PbxError
from core.calls.queries import require_call
from core.channels import health
from core.clients.models import Client
from core.tasks.models import Task

__all__ = ["CALLBACKS_PER_MINUTE", "call_back", "call_list", "extension_of", "lead_from_call"]

CALLBACKS_PER_MINUTE = 6  # one person's one-click call-backs (a double click rings once more)


def extension_of(actor: Actor) -> str:
    """The actor's extension (Настройки → Телефония), or ""."""
    for ext, person in options.telephony()["extensions"].items():
        if int(person) == actor.employee_id:
            return ext
    return ""


def lead_from_call(actor: Actor, call_id: int) -> Client:
    """«Сделать лидом» on a new number's card: a lead with the phone; the number's calls and
    their lines join it."""
    require_role(actor, "manager")
    call = require_call(actor, call_id)
    if call.client_id is not None:
        return Client.get_by_id(call.client_id)
    if not call.phone.startswith("+"):
        raise ValidationError("Номер скрыт — лида не из чего сделать.")
    with database.atomic():
        log.one_at_a_time()  # not while a call of the number ends (it may make the lead too)
        lead = missed.lead_of(call.phone)
    return lead


def call_back(actor: Actor, pbx: Pbx | None, phone: str) -> str:
    """Ring the actor's extension, then the phone (the provider's callback API). Returns
    the extension rung; ValidationError in Russian for everything a person can fix."""
    require_role(actor, "manager", "executor")
    if pbx is None:
        raise ValidationError("Телефония не подключена (Настройки → Телефония).")
    extension = extension_of(actor)
    if not extension:
        raise ValidationError(
            "У вас нет внутреннего номера: директор задаёт его в Настройки → Телефония."
        )
    if not phone.startswith("+"):
        raise ValidationError("Номер скрыт — перезвонить некуда.")
    if not ratelimit.hit(f"pbx-callback:{actor.employee_id}", CALLBACKS_PER_MINUTE, 60):
        raise ratelimit.TooManyAttempts("Слишком много звонков подряд — подождите минуту.")
    try:
        pbx.callback(extension, phone)
    except PbxError as exc:
        if exc.kind:  # the PBX could not be asked: the director sees it on the dashboard
            health.record_failure("pbx", str(exc), exc.kind)
        raise
    health.record_ok("pbx")
    return extension


def call_task(actor: Actor, task_id: int) -> tuple[Task, Client]:
    """A «Перезвонить» task the actor may see, with its client."""
    task = Task.get_or_none((Task.id == task_id) & (Task.kind == missed.TASK_KIND))
    if task is None or not (actor.is_director or task.assignee_id == actor.employee_id):
        raise NotFound("Задача не найдена.")
    return task, Client.get_by_id(task.client_id)


def call_list(actor: Actor) -> list[tuple[Task, Client, int]]:
    """«Обзвон»: the open «Перезвонить» tasks the actor sees (the director all), oldest
    first, each with its client and how many calls it holds."""
    query = (
        Task.select(Task, Client)
        .join(Client, on=(Task.client == Client.id))
        .where((Task.kind == missed.TASK_KIND) & Task.done_at.is_null())
    )
    if not actor.is_director:
        query = query.where(Task.assignee == actor.employee_id)
    rows = list(query.order_by(Task.created_at, Task.id).limit(200))
    counts = {}
    if rows:
        for call in Call.select(Call.task).where(Call.task.in_([t.id for t in rows])):
            counts[call.task_id] = counts.get(call.task_id, 0) + 1
    return [(t, t.client, counts.get(t.id, 0)) for t in rows]
