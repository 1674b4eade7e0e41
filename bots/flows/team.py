"""Staff chat from the bots: the common room's latest lines, "написать Марии: текст",
"всем: текст", or a colleague's button and then the text. Colleagues are told through
the outbox (core.conversations.staffchat), in their own messenger or web chat."""

from __future__ import annotations

import re

from bots.flows.context import Ctx
from bots.flows.registry import command, payload, step
from bots.flows.types import Reply
from core.conversations import staffchat
from core.people.models import Employee

__all__ = ["idle_write"]

_TO_ONE = re.compile(
    r"^(?:написать|напиши|написать сотруднику)\s+(\S+?)[\s:,—-]+(.+)$", re.I | re.S
)
_TO_ALL = re.compile(r"^(?:всем|в общий чат)\s*[:,—-]\s*(.+)$", re.I | re.S)
SHOWN = 10


def _name(message) -> str:
    return message.author.name if message.author_id else "—"


@command("team")
def team(ctx: Ctx) -> list[Reply]:
    _, rows = staffchat.history(ctx.staff, staffchat.room().id, limit=SHOWN)
    lines = ["💬 Общий чат сотрудников:"]
    lines += [f"{_name(m)}: {m.text}" for m in rows] or ["пока пусто"]
    lines.append("\nНаписать: кнопкой ниже или словами «написать Марии: текст», «всем: текст».")
    people = (
        staffchat._colleagues().where(Employee.id != ctx.staff.employee_id).order_by(Employee.name)
    )
    buttons = [[("✍ В общий чат", "team:room")]]
    buttons += [[(f"✍ {p.name}", f"team:{p.id}")] for p in people.limit(8)]
    return [Reply("\n".join(lines), buttons=buttons, menu=ctx.menu())]


@payload("team")
def pick(ctx: Ctx, arg: str) -> list[Reply]:
    if arg != "room" and not arg.isdigit():
        return [Reply("Эта кнопка устарела.", menu=ctx.menu())]
    who = "в общий чат" if arg == "room" else f"для {Employee.get_by_id(int(arg)).name}"
    ctx.goto("team", "write", to=arg)
    return [Reply(f"Напишите сообщение {who}.", buttons=[[("✖ Отмена", "cancel")]])]


def _send(ctx: Ctx, to: str, text: str) -> list[Reply]:
    chat = staffchat.room() if to == "room" else staffchat.direct(ctx.staff, int(to))
    staffchat.post(ctx.staff, chat.id, text)
    ctx.reset()
    return [Reply("✅ Отправлено.", menu=ctx.menu())]


@step("team.write")
def write(ctx: Ctx) -> list[Reply]:
    if not ctx.text:
        return [Reply("Напишите текст сообщения.")]
    return _send(ctx, ctx.data["to"], ctx.text)


def idle_write(ctx: Ctx) -> list[Reply] | None:
    """Free words addressed to colleagues; None: not that kind of message."""
    text = ctx.text
    everyone = _TO_ALL.match(text)
    if everyone:
        return _send(ctx, "room", everyone.group(1).strip())
    one = _TO_ONE.match(text)
    if not one:
        return None
    people = [p for p in staffchat.find_colleague(one.group(1)) if p.id != ctx.staff.employee_id]
    if not people:
        return [
            Reply(f"Не нашёл коллегу «{one.group(1)}». Откройте «💬 Коллегам».", menu=ctx.menu())
        ]
    if len(people) > 1:
        buttons = [[(f"✍ {p.name}", f"team:{p.id}")] for p in people[:8]]
        return [Reply("Кому именно?", buttons=buttons)]
    return _send(ctx, str(people[0].id), one.group(2).strip())
