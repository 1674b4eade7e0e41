"""The one entry point: handle(incoming, deps) -> replies.

Order of business for every update, in one transaction:
1. idempotency — the update key is recorded; a second delivery returns nothing;
2. identity — the messenger link says which employee or client writes (core.clients.links);
3. routing — a command, a button, the current dialog step, or free words;
4. a domain error (core.base.errors.BrigadirError) rolls back what the step wrote and comes
   back as a plain Russian reply; anything else propagates for the adapter to log.

Dialog state sits in the Conversation table, keyed by the person rather than the chat,
so a conversation started in Telegram can be finished in the web chat."""

from __future__ import annotations

import logging

import peewee as pw

# Flows register their commands, buttons and steps on import (they import the registry,
# never this module, so the arrows run one way).
from bots.flows import (  # noqa: F401
    client,
    counter,
    documents,
    join,
    leads,
    money,
    pay,
    staff,
    team,
    texts,
    visits,
)
from bots.flows.context import Ctx
from bots.flows.registry import COMMANDS, IDLE, PAYLOADS, STEPS, command, payload, set_router
from bots.flows.types import Deps, Incoming, Reply
from core.base import settings
from core.base.db import database
from core.base.errors import AccessDenied, BrigadirError
from core.base.models import ProcessedUpdate
from core.clients import links

__all__ = ["already_handled", "handle"]

log = logging.getLogger(__name__)


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
    with settings.remembered(), database.atomic():
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


def answers(events: list[Incoming], deps: Deps) -> list[Reply]:
    """The flows' answers to the parts of one message (its files one by one); the same
    sentence twice in a row is said once."""
    replies: list[Reply] = []
    for event in events:
        for reply in handle(event, deps):
            if not replies or replies[-1].text != reply.text:
                replies.append(reply)
    return replies


def _route(ctx: Ctx) -> list[Reply]:
    if ctx.employee is None and ctx.client is None:
        return join.stranger(ctx)
    if ctx.client is not None and ctx.client.is_lead:
        return join.known_lead(ctx)
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
    text = texts.HELP_TEXT.get(ctx.role, texts.HELP_TEXT["executor"])
    if ctx.employee is not None and not ctx.sees_own_pay():  # no line for what is refused
        text = "\n".join(line for line in text.split("\n") if "«зарплата»" not in line)
    return [Reply(text, menu=ctx.menu())]


set_router(_route_staff)


# Free words: words to a colleague ("написать Марии: …"), an expense ("бензин 1000"), then, for the office, a client search.
IDLE[:] = [team.idle_write, money.idle_expense, counter.idle_search]
