"""Strangers: an invite code binds them; a phone the platform proves is theirs finds a
client's card (core.clients.identity); anyone else becomes a lead."""

from __future__ import annotations

import re

from bots.flows import lead, texts
from bots.flows.context import Ctx
from bots.flows.registry import command
from bots.flows.types import Reply
from core.base.errors import BrigadirError
from core.clients import leads, links
from core.clients.models import Invite
from core.documents.words import quoted
from core.people.models import ROLE_NAMES

__all__ = ["known_lead", "stranger"]

_CODE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def _welcome(ctx: Ctx, link_name: str) -> list[Reply]:
    return [
        Reply(
            f"Здравствуйте, {link_name}! Вы подключены.\n\n"
            + texts.HELP_TEXT.get(ctx.role, texts.HELP_TEXT["executor"]),
            menu=ctx.menu(),
        )
    ]


def _join(ctx: Ctx, code: str) -> list[Reply]:
    incoming = ctx.incoming
    link = links.accept_invite(incoming.channel, incoming.external_id, code, incoming.display_name)
    fresh = Ctx(incoming, ctx.deps, link)
    if link.employee_id:
        role = ROLE_NAMES.get(link.employee.role, "")
        return _welcome(fresh, f"{link.employee.name} ({role.lower()})")
    return _welcome(fresh, link.client.name)


def stranger(ctx: Ctx) -> list[Reply]:
    """An invite code joins; a verified phone of a known client links; anyone else becomes
    a lead (bots.flows.lead) — nobody who writes in is turned away."""
    incoming = ctx.incoming
    code = _code(ctx)
    if code:
        return _join(ctx, code)
    if incoming.contact is not None:
        try:
            link = links.link_client_by_phone(incoming.contact, incoming.display_name)
            return _welcome(Ctx(incoming, ctx.deps, link), link.client.name)
        except BrigadirError:
            pass  # not a proven client's phone (or no phone at all): a lead with it
    if incoming.command == "start" or (not ctx.text and incoming.file is None
                                       and incoming.contact is None and not incoming.note):  # fmt: skip
        # Opening the chat is not yet a word: greet, write nothing until they say something.
        return [
            Reply(texts.STRANGER.format(firm=quoted(ctx.deps.config.app.name)), ask_contact=True)
        ]
    link = leads.open_lead(incoming.channel, incoming.external_id, incoming.display_name)
    fresh = Ctx(incoming, ctx.deps, link)  # the dialog state is the new card's now
    replies = lead.route(fresh, first=incoming.contact is None)
    fresh.save()
    return replies


def known_lead(ctx: Ctx) -> list[Reply]:
    """A lead writes again; an invite code still joins them (a new employee wrote first)."""
    code = _code(ctx)
    return _join(ctx, code) if code else lead.route(ctx)


def _code(ctx: Ctx) -> str:
    """The invite code in /start, or a pasted bare code that is a real invite's."""
    incoming = ctx.incoming
    if incoming.command == "start" and incoming.args:
        return incoming.args.strip()
    text = ctx.text
    if incoming.command is None and incoming.payload is None and _CODE.match(text):
        if Invite.select().where(Invite.code == text).exists():
            return text
    return ""


@command("start")
def start(ctx: Ctx) -> list[Reply]:
    """/start from someone already linked: a fresh code re-binds, otherwise a greeting."""
    if ctx.incoming.args:
        return _join(ctx, ctx.incoming.args.strip())
    ctx.reset()
    name = ctx.employee.name if ctx.employee else ""
    return [Reply(f"Здравствуйте, {name}! Чем займёмся?", menu=ctx.menu())]
