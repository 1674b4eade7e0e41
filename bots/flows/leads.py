"""The manager's side of new people: the open leads, and an order out of one in a tap."""

from __future__ import annotations

from bots.flows.context import Ctx
from bots.flows.registry import command, payload
from bots.flows.types import Reply
from core.access import require_role
from core.clients import leads
from core.clients.models import Client
from core.conversations.inbox import CHANNEL_NAMES

__all__ = ["open_leads", "to_order"]

SHOWN = 10


@command("leads")
def open_leads(ctx: Ctx) -> list[Reply]:
    require_role(ctx.staff, "manager")
    rows = list(
        Client.select().where(Client.is_lead).order_by(Client.created_at.desc()).limit(SHOWN)
    )
    if not rows:
        return [Reply("Новых обращений нет.", menu=ctx.menu())]
    lines = ["Новые обращения:"]
    for lead in rows:
        phone = f", {lead.phone}" if lead.phone else ""
        lines.append(f"• {lead.name}{phone} — {CHANNEL_NAMES.get(lead.source, lead.source)}")
    buttons = [[(f"➕ Заказ: {lead.name[:30]}", f"leadorder:{lead.id}")] for lead in rows]
    return [Reply("\n".join(lines), buttons=buttons, menu=ctx.menu())]


@payload("leadorder")
def to_order(ctx: Ctx, arg: str) -> list[Reply]:
    if not arg.isdigit():
        return [Reply("Эта кнопка устарела.", menu=ctx.menu())]
    order = leads.order_from_lead(ctx.staff, int(arg))
    return [
        Reply(
            f"Заказ №{order.number} оформлен: {order.description[:100]}",
            buttons=[[("Открыть заказ", f"order:{order.number}")]],
            menu=ctx.menu(),
        )
    ]
