"""Money in the messenger: "баланс", the director's advance, hand-over to the main desk.
Expenses with receipts are bots/flows/receipts.py (imported here so the engine finds them)."""

from __future__ import annotations

from bots.flows import texts
from bots.flows.context import Ctx
from bots.flows.desk import on_hand
from bots.flows.receipts import idle_expense
from bots.flows.registry import command, payload, step
from bots.flows.types import Reply
from core.base.clock import format_datetime
from core.base.errors import NotFound, ValidationError
from core.base.money import format_money, parse_money
from core.documents.words import with_note
from core.money import cash
from core.people.models import Employee

__all__ = ["idle_expense", "on_hand"]


# --- balance, advance, hand-over -------------------------------------------------------
@command("balance")
def balance(ctx: Ctx) -> list[Reply]:
    ctx.reset()
    actor = ctx.staff
    if actor.is_director:
        lines = [f"💰 Основная касса: {format_money(cash.balance(cash.main_account()))}"]
        people = Employee.select().where(Employee.active & (Employee.id != actor.employee_id))
        for person in people.order_by(Employee.name):
            held = cash.balance(cash.account_of(person))
            if held:
                lines.append(f"• {person.name}: {format_money(held)}")
        lines.append("")
    else:
        lines = []
    summary = cash.employee_summary(actor, actor.employee_id)
    lines.append(f"На руках: {format_money(summary.balance)}")
    lines.append(
        f"Выдано {format_money(summary.issued)} · получено от клиентов "
        f"{format_money(summary.collected)} · потрачено {format_money(summary.spent)} · "
        f"сдано {format_money(summary.handed_over)}"
    )
    account = cash.account_of(actor.employee_id)
    recent = cash.movements(account, limit=5)
    if recent:
        lines.append("\nПоследние операции:")
        for move in recent:
            sign = "+" if move.to_account_id == account.id else "−"
            what = move.category.name if move.category_id else cash.KIND_NAMES.get(move.kind, "")
            if move.kind == "expense":
                what = with_note(what, move.note)  # «Бензин», not «Бензин — бензин»
            lines.append(
                f"{format_datetime(move.at)[:-6]}  {sign}{format_money(move.amount)}  {what}"
            )
    return [Reply("\n".join(lines), menu=ctx.menu())]


@command("advance")
def advance_start(ctx: Ctx) -> list[Reply]:
    if not ctx.staff.is_director:
        return [Reply("Выдавать деньги под отчёт может только директор.", menu=ctx.menu())]
    people = Employee.select().where(
        Employee.active & ~Employee.is_external & (Employee.id != ctx.staff.employee_id)
    )
    buttons = [[(p.name, f"adv:{p.id}")] for p in people.order_by(Employee.name)]
    if not buttons:
        return [Reply("Сотрудников пока нет.", menu=ctx.menu())]
    ctx.reset()
    return [Reply("Кому выдать?", buttons=buttons + [[(texts.CANCEL, "cancel")]])]


@payload("adv")
def advance_person(ctx: Ctx, arg: str) -> list[Reply]:
    if not ctx.staff.is_director:
        return [Reply("Выдавать деньги под отчёт может только директор.", menu=ctx.menu())]
    person = Employee.get_or_none((Employee.id == int(arg or 0)) & Employee.active)
    if person is None:
        raise NotFound("Сотрудник не найден или отключён.")
    ctx.goto("advance", "amount", employee_id=person.id)
    return [Reply(f"Сколько выдать: {person.name}?", buttons=[[(texts.CANCEL, "cancel")]])]


@step("advance.amount")
def advance_amount(ctx: Ctx) -> list[Reply]:
    amount = parse_money(ctx.text)
    person = Employee.get_by_id(ctx.data["employee_id"])
    cash.issue_advance(ctx.staff, person.id, amount)
    ctx.reset()
    held = format_money(cash.balance(cash.account_of(person)))
    return [
        Reply(
            f"💸 Выдано под отчёт: {person.name} — {format_money(amount)}.\nНа руках у него: {held}",
            menu=ctx.menu(),
        )
    ]


@command("handover")
def handover_start(ctx: Ctx) -> list[Reply]:
    held = cash.balance(cash.account_of(ctx.staff.employee_id))
    if held <= 0:
        return [Reply(f"На руках: {format_money(held)} — сдавать нечего.", menu=ctx.menu())]
    ctx.goto("handover", "amount")
    return [
        Reply(
            f"На руках: {format_money(held)}. Сколько сдаёте в кассу?",
            buttons=[[(f"Всё — {format_money(held)}", f"hand:{held}")], [(texts.CANCEL, "cancel")]],
        )
    ]


def _hand_over(ctx: Ctx, amount: int) -> list[Reply]:
    held = cash.balance(cash.account_of(ctx.staff.employee_id))
    if amount > held:
        raise ValidationError(f"На руках только {format_money(held)}.")
    cash.hand_over(ctx.staff, amount)
    ctx.reset()
    return [
        Reply(
            f"📤 Сдано в кассу: {format_money(amount)}.\nОсталось на руках: {on_hand(ctx)}",
            menu=ctx.menu(),
        )
    ]


@step("handover.amount")
def handover_amount(ctx: Ctx) -> list[Reply]:
    return _hand_over(ctx, parse_money(ctx.text))


@payload("hand")
def handover_all(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.step != "handover.amount" or not arg.isdigit():
        return [Reply("Эта кнопка устарела.", menu=ctx.menu())]
    return _hand_over(ctx, int(arg))
