"""What a staff member holds: one line every money flow ends with ("Осталось на руках")."""

from __future__ import annotations

from bots.flows.context import Ctx
from core.base.money import format_money
from core.money import cash


def on_hand(ctx: Ctx) -> str:
    return format_money(cash.balance(cash.account_of(ctx.staff.employee_id)))
