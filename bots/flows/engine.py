"""The one entry point: handle(incoming, deps) -> replies.

Order of business for every update, in one transaction:
1. idempotency — the update key is recorded; a second delivery returns nothing;
2. identity — the messenger link says which employee or client writes (core.links);
3. routing — a command, a button, the current dialog step, or free words;
4. a domain error (core.errors.BrigadirError) rolls back what the step wrote and comes
   back as a plain Russian reply; anything else propagates for the adapter to log.

Dialog state sits in the Conversation table, keyed by the person rather than the chat,
so a conversation started in Telegram can be finished in the web chat."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import peewee as pw

from bots.flows import texts
from bots.flows.types import Deps, Incoming, Reply
from core import links
from core.access import Actor, actor_for_client, actor_for_employee
from core.clock import utcnow
from core.db import database
from core.errors import AccessDenied, BrigadirError
from core.models import Client, Conversation, Employee, MessengerLink, ProcessedUpdate

__all__ = ["Ctx", "already_handled", "command", "handle", "payload", "step"]

log = logging.getLogger(__name__)

Handler = Callable[["Ctx"], list[Reply]]
PayloadHandler = Callable[["Ctx", str], list[Reply]]

COMMANDS: dict[str, Handler] = {}
PAYLOADS: dict[str, PayloadHandler] = {}
STEPS: dict[str, Handler] = {}
IDLE: list[Callable[[Ctx], list[Reply] | None]] = []  # free-words handlers, tried in order


def command(*names: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for name in names:
            COMMANDS[name] = fn
        return fn

    return register


def payload(prefix: str) -> Callable[[PayloadHandler], PayloadHandler]:
    def register(fn: PayloadHandler) -> PayloadHandler:
        PAYLOADS[prefix] = fn
        return fn

    return register


def step(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        STEPS[name] = fn
        return fn

    return register


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
        return texts.MENUS.get(self.role)

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


def already_handled(channel: str, update_key: str | None) -> bool:
    """A cheap look before an adapter downloads a file for a redelivered update
    (handle() still decides, atomically)."""
    if not update_key:
        return False
    return (
        ProcessedUpdate.select()
        .where(
            (ProcessedUpdate.channel == channel) & (ProcessedUpdate.key == str(update_key)[:100])
        )
        .exists()
    )


def handle(incoming: Incoming, deps: Deps) -> list[Reply]:
    """Handle one update. Returns [] when the update was already handled before."""
    with database.atomic():
        if incoming.update_key:
            try:
                with database.atomic():
                    ProcessedUpdate.insert(
                        channel=incoming.channel, key=str(incoming.update_key)[:100]
                    ).execute()
            except pw.IntegrityError:
                log.info("update %s/%s already handled", incoming.channel, incoming.update_key)
                return []
        link = links.find_link(incoming.channel, incoming.external_id)
        if link is not None and link.blocked:
            links.mark_blocked(incoming.channel, incoming.external_id, False)  # they came back
        try:
            ctx = Ctx(incoming, deps, link)
        except AccessDenied as exc:  # a deactivated employee
            return [Reply(str(exc))]
        try:
            with database.atomic():
                replies = _route(ctx)
                ctx.save()
        except BrigadirError as exc:
            replies = [Reply(str(exc))]
        return replies


def _route(ctx: Ctx) -> list[Reply]:
    from bots.flows import client

    if ctx.employee is None and ctx.client is None:
        return join.stranger(ctx)
    if ctx.client is not None:
        return client.route(ctx)
    return _route_staff(ctx)


def _route_staff(ctx: Ctx) -> list[Reply]:
    incoming = ctx.incoming
    if incoming.command:
        fn = COMMANDS.get(incoming.command)
        if fn is None:
            return [Reply(texts.NOT_UNDERSTOOD, menu=ctx.menu())]
        return fn(ctx)
    if incoming.payload:
        prefix, _, arg = incoming.payload.partition(":")
        fn_p = PAYLOADS.get(prefix)
        if fn_p is None:
            return [Reply("Эта кнопка устарела. Откройте меню заново.", menu=ctx.menu())]
        return fn_p(ctx, arg)
    said = ctx.said() if incoming.file is None else None
    if said is not None:
        ctx.reset()
        return COMMANDS[said](ctx)
    if ctx.step and ctx.step in STEPS:
        return STEPS[ctx.step](ctx)
    for idle in IDLE:
        replies = idle(ctx)
        if replies is not None:
            return replies
    return [Reply(texts.NOT_UNDERSTOOD, menu=ctx.menu())]


@command("cancel")
def cancel(ctx: Ctx) -> list[Reply]:
    ctx.reset()
    return [Reply(texts.CANCELLED, menu=ctx.menu())]


@payload("cancel")
def cancel_button(ctx: Ctx, _: str) -> list[Reply]:
    return cancel(ctx)


@command("help")
def help_(ctx: Ctx) -> list[Reply]:
    return [Reply(texts.HELP_TEXT.get(ctx.role, texts.HELP_TEXT["executor"]), menu=ctx.menu())]


# Flows register their commands, buttons and steps on import.
from bots.flows import counter, documents, join, money, staff, visits  # noqa: E402,F401

# Free words: an expense first ("бензин 1000"), then, for the office, a client search.
IDLE[:] = [money.idle_expense, counter.idle_search]
