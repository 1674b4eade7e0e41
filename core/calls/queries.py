"""Reading calls: every read for a person goes through here (core.access's rules, as for
messages: an executor hears the calls of his own orders only; a client none)."""

from __future__ import annotations

from datetime import timedelta

import peewee as pw

from core.access import Actor, order_query
from core.base.clock import utcnow
from core.base.errors import NotFound
from core.calls.models import Call
from core.orders.models import Order

__all__ = ["LIVE_WINDOW", "calls_of_client", "calls_of_order", "live_calls", "require_call",
           "visible_calls"]  # fmt: skip

# A call still ringing after this long lost its end somewhere: the page stops showing it.
LIVE_WINDOW = timedelta(minutes=15)


def visible_calls(actor: Actor, query: pw.ModelSelect | None = None) -> pw.ModelSelect:
    query = query if query is not None else Call.select()
    if actor.is_staff_office:
        return query
    if actor.kind == "employee" and actor.role == "executor":
        return query.where(Call.order.in_(order_query(actor, Order.select(Order.id))))
    return query.where(Call.id < 0)


def require_call(actor: Actor, call_id: int) -> Call:
    call = visible_calls(actor).where(Call.id == call_id).first()
    if call is None:
        raise NotFound("Звонок не найден.")
    return call


def live_calls(actor: Actor, limit: int = 5) -> list[Call]:
    """Incoming calls going on now that the actor may see, newest first (the page asks
    every second: the partial index call_live_since holds only these rows)."""
    query = visible_calls(actor).where(
        Call.ended_at.is_null()
        & (Call.created_at > utcnow() - LIVE_WINDOW)
        & (Call.direction == "in")
    )
    return list(query.order_by(Call.created_at.desc(), Call.id.desc()).limit(limit))


def calls_of_client(actor: Actor, client_id: int, limit: int = 50) -> list[Call]:
    query = visible_calls(actor).where(Call.client == client_id)
    return list(query.order_by(Call.started_at.desc()).limit(limit))


def calls_of_order(actor: Actor, order_id: int, limit: int = 50) -> list[Call]:
    query = visible_calls(actor).where(Call.order == order_id)
    return list(query.order_by(Call.started_at.desc()).limit(limit))
