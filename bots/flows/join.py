"""Strangers: an invite code binds them; a shared phone finds a client's card;
anyone else is politely sent to the director."""

from __future__ import annotations

import re

from bots.flows import texts
from bots.flows.context import Ctx
from bots.flows.registry import command
from bots.flows.types import Reply
from core import links
from core.errors import BrigadirError
from core.models import ROLE_NAMES

__all__ = ["stranger"]

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
    incoming = ctx.incoming
    if incoming.command == "start" and incoming.args:
        return _join(ctx, incoming.args.strip())
    if incoming.contact_phone:
        try:
            link = links.link_client_by_phone(
                incoming.channel, incoming.external_id, incoming.contact_phone,
                incoming.display_name,
            )  # fmt: skip
        except BrigadirError as exc:
            return [Reply(str(exc))]
        return _welcome(Ctx(incoming, ctx.deps, link), link.client.name)
    text = ctx.text
    if incoming.command is None and incoming.payload is None and _CODE.match(text):
        return _join(ctx, text)  # the web chat: people paste the bare code
    if incoming.channel == "web":
        return [Reply(texts.WEB_STRANGER)]
    return [Reply(texts.STRANGER, ask_contact=True)]


@command("start")
def start(ctx: Ctx) -> list[Reply]:
    """/start from someone already linked: a fresh code re-binds, otherwise a greeting."""
    if ctx.incoming.args:
        return _join(ctx, ctx.incoming.args.strip())
    ctx.reset()
    name = ctx.employee.name if ctx.employee else ""
    return [Reply(f"Здравствуйте, {name}! Чем займёмся?", menu=ctx.menu())]
