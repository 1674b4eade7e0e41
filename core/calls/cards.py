"""The caller's card: who is calling, what orders they have open, what they wrote last —
for the manager's page and the staff member's bot, as this person may see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.access import (
    Actor,
    can_see,
    hidden_fields,
    masked_text,
    order_query,
    visible_message_filter,
)
from core.base.clock import to_local
from core.base.money import format_money
from core.base.phones import display_phone
from core.calls.models import Call
from core.clients.models import Client
from core.conversations.models import Message
from core.orders.models import Order, Stage

__all__ = ["CallerCard", "caller_card", "card_text"]

ORDERS_SHOWN = 5
MESSAGES_SHOWN = 3


@dataclass
class CallerCard:
    call_id: int
    state: str  # ringing | talking | ended
    direction: str
    started_at: datetime
    phone: str  # "" when the person may not see clients' phones
    client_id: int | None
    client_name: str
    is_lead: bool
    orders: list[dict] = field(default_factory=list)
    last: list[dict] = field(default_factory=list)
    extension: str = ""
    answered_by: str = ""

    @property
    def new_number(self) -> bool:
        return self.client_id is None

    def as_json(self) -> dict:
        data = {k: v for k, v in self.__dict__.items()}
        data["started_at"] = self.started_at.isoformat() + "Z"
        data["time"] = to_local(self.started_at).strftime(
            "%H:%M"
        )  # the firm's clock, not the browser's
        data["new_number"] = self.new_number
        return data


def state_of(call: Call) -> str:
    if call.ended_at is not None:
        return "ended"
    return "talking" if call.answered_at is not None else "ringing"


def _orders(actor: Actor, client: Client, hidden: frozenset[str]) -> list[dict]:
    rows = order_query(actor, Order.select(Order, Stage).join(Stage)).where(
        (Order.client == client.id) & ~Order.is_archived
    )
    debt = can_see(actor, "debt", hidden=hidden)
    return [
        {"id": o.id, "number": o.number, "description": o.description[:120],
         "stage": o.stage.name, "debt": format_money(o.debt) if debt and o.debt else ""}
        for o in rows.order_by(Order.id.desc()).limit(ORDERS_SHOWN)
    ]  # fmt: skip


def _last(actor: Actor, client: Client, hidden: frozenset[str]) -> list[dict]:
    query = Message.select().where(
        (Message.client == client.id) & Message.channel.not_in(["note", "phone"])
    )
    clause = visible_message_filter(actor)
    if clause is not None:
        query = query.where(clause)
    if not actor.is_staff_office:  # an executor reads only his own orders' threads
        mine = order_query(actor, Order.select(Order.id))
        query = query.where(Message.order.in_(mine))
    return [
        {"at": m.at.isoformat() + "Z", "direction": m.direction,
         "text": masked_text(actor, (m.text or m.subject)[:300], hidden=hidden)}
        for m in query.order_by(Message.at.desc(), Message.id.desc()).limit(MESSAGES_SHOWN)
    ]  # fmt: skip


def caller_card(actor: Actor, call: Call) -> CallerCard:
    """The card of a call the actor may see (core.calls.queries.visible_calls decides)."""
    hidden = hidden_fields(actor)
    client = Client.get_or_none(Client.id == call.client_id) if call.client_id else None
    phone = display_phone(call.phone) if call.phone.startswith("+") else call.phone
    card = CallerCard(
        call_id=call.id, state=state_of(call), direction=call.direction,
        started_at=call.started_at,
        phone=phone if can_see(actor, "client_phone", hidden=hidden) else "",
        client_id=client.id if client else None, client_name=client.name if client else "",
        is_lead=bool(client and client.is_lead), extension=call.extension,
        answered_by=call.employee.name if call.employee_id else "",
    )  # fmt: skip
    if client is not None:
        card.orders = _orders(actor, client, hidden)
        card.last = _last(actor, client, hidden)
    return card


def card_text(card: CallerCard) -> str:
    """The card as a bot message."""
    number = f" ({card.phone})" if card.phone else ""
    if card.new_number:
        lines = [f"📞 Звонит новый номер{number or ''}."]
    else:
        lead = " — новое обращение" if card.is_lead else ""
        lines = [f"📞 Звонит {card.client_name}{number}{lead}."]
    for o in card.orders:
        debt = f", долг {o['debt']}" if o["debt"] else ""
        lines.append(f"№{o['number']} {o['description'][:60]} — {o['stage']}{debt}")
    for m in card.last:
        who = "Клиент" if m["direction"] == "in" else "Мы"
        lines.append(f"{who}: «{m['text'][:120]}»")
    return "\n".join(lines)
