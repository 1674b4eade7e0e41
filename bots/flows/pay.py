"""«зарплата» in the messenger: what this month has earned so far and last month's payslip
(text and PDF), each person their own; the director gets the month's totals of everyone.
Pay is read through core.pay.payroll with the person, as on every other surface."""

from __future__ import annotations

from bots.flows.context import Ctx
from bots.flows.registry import command
from bots.flows.types import OutFile, Reply
from core.base.errors import AccessDenied, NotFound
from core.base.money import format_money
from core.pay import papers, payroll
from core.pay.months import month_of
from core.pay.sheet import Line

NOT_SHOWN = "Зарплата вам не показывается: так настроил директор."


def _summary(title: str, line: Line) -> str:
    rows = [title]
    for part in line.parts:
        rows += [f"• {text}: {format_money(amount)}" for text, amount in papers.part_rows(part)]
    for label, value in (("Премии", line.bonuses), ("Штрафы", -line.fines),
                         ("Корректировка за прошлые месяцы", line.correction)):  # fmt: skip
        if value:
            rows.append(f"• {label}: {format_money(value)}")
    rows.append(f"Начислено: {format_money(line.accrued + line.correction)}")
    if line.advances or line.paid:
        rows.append(f"Аванс: {format_money(line.advances)} · выплачено: {format_money(line.paid)}")
    rows.append(f"К выплате: {format_money(line.due)}")
    rows.append(f"Заказов выполнено: {line.orders_done} · этапов: {line.stages_done}")
    return "\n".join(rows)


def _team(ctx: Ctx) -> list[Reply]:
    """The director: the month so far for everyone with something on their line."""
    sheet = payroll.sheet(ctx.staff)
    title = payroll.month_title(sheet.month)
    rows = [f"💵 Зарплата за {title} (предварительно):"]
    for line in sheet.lines:
        if line.accrued or line.correction or line.advances or line.paid:
            rows.append(f"• {line.name}: начислено {format_money(line.accrued + line.correction)}, "
                        f"к выплате {format_money(line.due)}")  # fmt: skip
    rows.append(f"Всего к выплате: {format_money(sheet.owed)}")
    rows.append("Расчётные листки и закрытие месяца — в админке, раздел «Зарплата».")
    return [Reply("\n".join(rows), menu=ctx.menu())]


@command("salary")
def salary(ctx: Ctx) -> list[Reply]:
    ctx.reset()
    actor = ctx.staff
    if actor.is_director:
        return _team(ctx)
    month = month_of()
    try:
        now = payroll.line_of(actor, actor.employee_id, month)
        last_sheet = payroll.sheet(actor, month.previous)
    except (AccessDenied, NotFound):
        return [Reply(NOT_SHOWN, menu=ctx.menu())]
    replies = [
        Reply(_summary(f"💵 {payroll.month_title(month)}, пока начислено:", now), menu=ctx.menu())
    ]
    last = next((ln for ln in last_sheet.lines if ln.employee_id == actor.employee_id), None)
    if last is not None and (last.accrued or last.correction or last.advances or last.paid):
        state = "месяц закрыт" if last_sheet.closed else "месяц ещё не закрыт"
        title = f"🧾 Расчётный листок за {payroll.month_title(month.previous)} ({state}):"
        pdf = papers.payslip_pdf(last_sheet, last)
        replies.append(Reply(_summary(title, last), menu=ctx.menu(),
                             file=OutFile(f"listok-{month.previous.period}.pdf", pdf, "application/pdf")))  # fmt: skip
    return replies
