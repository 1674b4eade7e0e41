"""Money in the messenger: expenses from a receipt photo and a caption in the crew's own
words, the director's advance, hand-over to the main desk, and "баланс"."""

from __future__ import annotations

import re

from bots.flows import texts
from bots.flows.context import Ctx
from bots.flows.files import as_image
from bots.flows.registry import command, payload, step
from bots.flows.types import Reply
from core import attachments, cash
from core.clock import format_datetime
from core.errors import NotFound, ValidationError
from core.models import Attachment, Employee, ExpenseCategory
from core.money import check_sum, format_money, parse_money

__all__ = ["on_hand"]

_NEGATIVE = re.compile(r"(?:^|\s)[-−–]\s*\d")
_DIGITS = re.compile(r"(?<![\w-])\d[\d ]*\d(?![\w])|(?<![\w-])\d(?![\w])")


def on_hand(ctx: Ctx) -> str:
    return format_money(cash.balance(cash.account_of(ctx.staff.employee_id)))


def _category_buttons(prefix: str = "cat") -> list[list[tuple[str, str]]]:
    cats = list(
        ExpenseCategory.select().where(ExpenseCategory.active).order_by(ExpenseCategory.position)
    )
    rows = [[(c.name, f"{prefix}:{c.id}") for c in cats[i : i + 3]] for i in range(0, len(cats), 3)]
    return rows + [[(texts.CANCEL, "cancel")]]


def _log(ctx: Ctx, amount: int, category: str, note: str, receipt_id: int | None) -> list[Reply]:
    receipt = Attachment.get_or_none(Attachment.id == receipt_id) if receipt_id else None
    cash.log_expense(ctx.staff, amount, category, note, receipt=receipt)
    ctx.reset()
    lines = [
        f"🧾 Записал расход: {category} — {format_money(amount)}"
        + (f" ({note})" if note and note.lower() != category.lower() else ""),
    ]
    if receipt is not None:
        lines.append("Чек сохранён.")
    lines.append(f"Осталось на руках: {on_hand(ctx)}")
    return [Reply("\n".join(lines), menu=ctx.menu())]


def _expense(ctx: Ctx, text: str, receipt_id: int | None, *, must: bool) -> list[Reply] | None:
    """Turn words into an expense, asking for what is missing. must=False: words that
    are not about money at all return None so other handlers may try."""
    if _NEGATIVE.search(text):
        raise ValidationError("Сумма не может быть отрицательной.")
    parsed = cash.parse_expense_text(text)
    digits = re.sub(r"\D", "", text)
    if not must and parsed.category is None and (parsed.amount is None or len(digits) >= 10):
        return None  # not about money, or a phone number: let the other handlers try
    if parsed.amount is None and (number := _DIGITS.search(text)):
        parse_money(number.group(0))  # a sum core would not take: say why
    if parsed.amount is not None:
        check_sum(parsed.amount)  # absurd sums are refused before any question
    if parsed.amount is not None and parsed.category is not None:
        return _log(ctx, parsed.amount, parsed.category, parsed.note, receipt_id)
    ctx.goto("expense", "", amount=parsed.amount, category=parsed.category, note=parsed.note,
             receipt_id=receipt_id)  # fmt: skip
    if parsed.amount is None:
        return _ask_amount(ctx)
    ctx.update()
    ctx.conv.step = "category"
    return [
        Reply(
            f"На что потратили {format_money(parsed.amount)}? Выберите статью:",
            buttons=_category_buttons(),
        )
    ]


def _ask_amount(ctx: Ctx) -> list[Reply]:
    ctx.conv.step = "amount"
    what = f" на «{ctx.data['category']}»" if ctx.data.get("category") else ""
    return [
        Reply(
            f"Сколько потратили{what}? Напишите сумму, например 1000.",
            buttons=[[(texts.CANCEL, "cancel")]],
        )
    ]


@step("expense.amount")
def expense_amount(ctx: Ctx) -> list[Reply]:
    if _NEGATIVE.search(ctx.text):
        raise ValidationError("Сумма не может быть отрицательной.")
    parsed = cash.parse_expense_text(ctx.text)
    amount = parsed.amount if parsed.amount is not None else parse_money(ctx.text)
    ctx.update(amount=amount, category=ctx.data.get("category") or parsed.category,
               note=ctx.data.get("note") or parsed.note)  # fmt: skip
    if ctx.data["category"]:
        return _log(ctx, amount, ctx.data["category"], ctx.data["note"], ctx.data["receipt_id"])
    ctx.conv.step = "category"
    return [Reply(f"На что потратили {format_money(amount)}?", buttons=_category_buttons())]


@step("expense.category")
def expense_category_text(ctx: Ctx) -> list[Reply]:
    parsed = cash.parse_expense_text(ctx.text)
    if parsed.category is None:
        return [Reply("Выберите статью кнопкой:", buttons=_category_buttons())]
    return _log(ctx, ctx.data["amount"], parsed.category, ctx.data["note"], ctx.data["receipt_id"])


@payload("cat")
def category_button(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.step != "expense.category" or not arg.isdigit():
        return [Reply("Эта кнопка устарела. Пришлите расход ещё раз.", menu=ctx.menu())]
    category = ExpenseCategory.get_or_none(ExpenseCategory.id == int(arg))
    if category is None:
        raise NotFound("Нет такой статьи расхода.")
    d = ctx.data
    return _log(ctx, d["amount"], category.name, d.get("note") or "", d.get("receipt_id"))


@command("expense")
def expense_hint(ctx: Ctx) -> list[Reply]:
    return [
        Reply(
            "Пришлите фото чека с подписью, например «бензин 1000» или «материалы 5000 кабель». "
            "Можно и просто текстом.",
            menu=ctx.menu(),
        )
    ]


# --- free words and photos with no dialog going on ------------------------------------
def idle_expense(ctx: Ctx) -> list[Reply] | None:
    file = ctx.incoming.file
    if file is None:
        return _expense(ctx, ctx.text, None, must=False)
    name, data, mime = as_image(file)  # a non-image is refused before anything is stored
    if ctx.text:
        parsed = cash.parse_expense_text(ctx.text)
        if parsed.amount is not None or parsed.category is not None:
            receipt = attachments.save_receipt(ctx.staff, ctx.deps.store, name, data, mime)
            return _expense(ctx, ctx.text, receipt.id, must=True)
    staged = attachments.save_receipt(ctx.staff, ctx.deps.store, name, data, mime)
    ctx.goto("photo", "what", attachment_id=staged.id, caption=ctx.text)
    return [
        Reply(
            "Что на фото?",
            buttons=[
                [("🧾 Чек — расход", "photo:receipt")],
                [("✅ Бланк — работа сдана", "photo:proof"), ("📎 К заказу", "photo:order")],
                [(texts.CANCEL, "cancel")],
            ],
        )
    ]


@payload("photo")
def photo_choice(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.step != "photo.what":
        return [Reply("Пришлите фото ещё раз.", menu=ctx.menu())]
    staged = ctx.data["attachment_id"]
    if arg == "receipt":
        ctx.goto("expense", "", amount=None, category=None, note=ctx.data.get("caption", ""),
                 receipt_id=staged)  # fmt: skip
        return _ask_amount(ctx)
    from bots.flows.staff import PAGE
    from core.orders import orders_of

    orders = orders_of(ctx.staff, limit=PAGE)
    if not orders:
        return [Reply("У вас нет открытых заказов.", menu=ctx.menu())]
    ctx.update(purpose=arg)
    ctx.conv.step = "order"
    return [
        Reply(
            "К какому заказу?",
            buttons=[[(f"№{o.number} — {o.description[:40]}", f"porder:{o.id}")] for o in orders]
            + [[(texts.CANCEL, "cancel")]],
        )
    ]


@payload("porder")
def photo_order(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.step != "photo.order" or not arg.isdigit():
        return [Reply("Пришлите фото ещё раз.", menu=ctx.menu())]
    from bots.flows import staff

    staged = Attachment.get_or_none(Attachment.id == ctx.data["attachment_id"])
    if staged is None:
        return [Reply("Фото не нашлось. Пришлите его ещё раз.", menu=ctx.menu())]
    data = ctx.deps.store.read(staged.storage_key)
    name, mime = staged.original_name, staged.content_type
    if ctx.data.get("purpose") == "proof":
        replies = staff.finish_with_proof(ctx, int(arg), name, data, mime)
    else:
        attachments.attach_to_order(ctx.staff, ctx.deps.store, int(arg), name, data, mime)
        order = staff._order(ctx, arg)
        ctx.reset()
        replies = staff.card(ctx, order, note=f"📎 Фото приложено к заказу №{order.number}.")
    key = staged.storage_key
    staged.delete_instance()
    ctx.deps.store.delete(key)
    return replies


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
            lines.append(
                f"{format_datetime(move.at)[:-6]}  {sign}{format_money(move.amount)}  {what}"
                + (f" — {move.note}" if move.note and move.kind == "expense" else "")
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
