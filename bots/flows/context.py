"""One update being handled: who writes, what they sent, where their dialog stands."""

from __future__ import annotations

import re
from typing import Any

from bots.flows import texts
from bots.flows.types import Deps, Incoming
from core.access import Actor, actor_for_client, actor_for_employee, can_see_pay
from core.base.clock import utcnow
from core.clients.models import Client, MessengerLink
from core.conversations.models import Conversation
from core.files import attachments
from core.people.models import Employee

__all__ = ["Ctx"]


class Ctx:
    """One update being handled: who, what they sent, where their dialog stands."""

    def __init__(self, incoming: Incoming, deps: Deps, link: MessengerLink | None):
        self.incoming = incoming
        self.deps = deps
        self.link = link
        self.employee: Employee | None = None
        self.client: Client | None = None
        self.actor: Actor | None = None
        if link is not None and link.employee_id is not None:
            self.employee = link.employee
            self.actor = actor_for_employee(self.employee)
        elif link is not None and link.client_id is not None:
            self.client = link.client
            self.actor = actor_for_client(self.client.id, self.client.name)
        self._conv: Conversation | None = None
        self._dirty = False

    # --- who -----------------------------------------------------------------
    @property
    def role(self) -> str:
        if self.employee is not None:
            return self.employee.role
        return "client" if self.client is not None else "stranger"

    @property
    def staff(self) -> Actor:
        assert self.actor is not None
        return self.actor

    def menu(self) -> list[list[str]] | None:
        """The role's buttons; «💵 Зарплата» only for who may see their pay (a manager
        whose role has order money hidden sees no one's: core.access.can_see_pay)."""
        rows = texts.MENUS.get(self.role)
        if rows and self.role == "manager" and not self.sees_own_pay():
            rows = [[b for b in row if b != texts.SALARY] for row in rows]
        return rows

    def sees_own_pay(self) -> bool:
        actor = self.actor
        return actor is not None and can_see_pay(actor, actor.employee_id or 0)

    # --- dialog state --------------------------------------------------------
    def _key(self) -> tuple[str, str]:
        if self.employee is not None:
            return "employee", str(self.employee.id)
        if self.client is not None:
            return "client", str(self.client.id)
        return self.incoming.channel, self.incoming.external_id

    @property
    def conv(self) -> Conversation:
        if self._conv is None:
            channel, external_id = self._key()
            conv = Conversation.get_or_none(
                (Conversation.channel == channel) & (Conversation.external_id == external_id)
            )
            self._conv = conv or Conversation(channel=channel, external_id=external_id, data={})
        return self._conv

    @property
    def step(self) -> str:
        conv = self.conv
        return f"{conv.flow}.{conv.step}" if conv.flow else ""

    @property
    def data(self) -> dict[str, Any]:
        return self.conv.data

    def goto(self, flow: str, name: str, **data: Any) -> None:
        conv = self.conv
        kept = set(data.get("staged") or ())
        for waiting in (conv.data or {}).get("staged") or ():  # photos the dialog held
            if waiting not in kept:
                attachments.discard_receipt(self.deps.store, waiting)
        conv.flow, conv.step, conv.data = flow, name, dict(data)
        self._dirty = True

    def update(self, **data: Any) -> None:
        self.conv.data = {**self.conv.data, **data}
        self._dirty = True

    def reset(self) -> None:
        if self.conv.flow or self.conv.data:
            self.goto("", "")

    def save(self) -> None:
        if self._dirty:
            self.conv.updated_at = utcnow()
            self.conv.save()
            self._dirty = False

    # --- what came in --------------------------------------------------------
    @property
    def text(self) -> str:
        return (self.incoming.text or "").strip()

    def said(self) -> str | None:
        """The command meant by a menu label or a plain word ("баланс"), if any."""
        word = re.sub(r"[^\w\s]", "", self.text.lower().replace("ё", "е")).strip()
        return texts.WORDS.get(re.sub(r"\s+", " ", word))
