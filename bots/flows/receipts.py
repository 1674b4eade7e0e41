"""Expenses in the messenger: a receipt photo and a caption in the crew's own words (the sum
found by core.money.captions, or read off the receipt's fiscal QR), asked for what is missing; a
photo that waits in the dialog for its words; an expense for an order from its card."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bots.flows import texts
from bots.flows.context import Ctx
from bots.flows.desk import on_hand
from bots.flows.files import as_image
from bots.flows.registry import command, payload, step
from bots.flows.types import Reply
from core.access import require_order
from core.base.errors import NotFound, ValidationError
from core.base.money import check_sum, format_money, parse_money
from core.files import attachments
from core.money import cash, expenses
from core.money.captions import Choice
from core.money.fiscal import FiscalQR, parse_fiscal_qr
from core.money.models import ExpenseCategory
from storage.receipts import read_qr

__all__ = ["idle_expense", "on_hand"]

WHAT_BUTTONS = [
    [("🧾 Чек — расход", "photo:receipt")],
    [("✅ Бланк — работа сдана", "photo:proof"), ("📎 К заказу", "photo:order")],
    [(texts.CANCEL, "cancel")],
]


def _category_buttons(prefix: str = "cat") -> list[list[tuple[str, str]]]:
    cats = list(
        ExpenseCategory.select().where(ExpenseCategory.active).order_by(ExpenseCategory.position)
    )
    rows = [[(c.name, f"{prefix}:{c.id}") for c in cats[i : i + 3]] for i in range(0, len(cats), 3)]
    return rows + [[(texts.CANCEL, "cancel")]]


def _log(ctx: Ctx, draft: dict[str, Any]) -> list[Reply]:
    """Record the expense the dialog gathered: amount, category, note, and what goes with
    it — the receipt photo, what its fiscal QR said, the order."""
    receipt_id, amount, category = draft.get("receipt_id"), draft["amount"], draft["category"]
    note = draft.get("note") or ""
    receipt = attachments.own_staged_file(ctx.staff, receipt_id) if receipt_id else None
    if receipt_id and receipt is None:
        ctx.reset()
        raise NotFound("Фото чека не нашлось (диалог устарел). Пришлите чек ещё раз.")
    fiscal = FiscalQR.from_dict(draft["fiscal"]) if draft.get("fiscal") else None
    move = cash.log_expense(ctx.staff, amount, category, note, receipt=receipt,
                            order_id=draft.get("order_id"), fiscal=fiscal)  # fmt: skip
    if ctx.data.get("staged"):
        ctx.update(staged=[])  # the waiting photo now belongs to the expense: keep it
    ctx.reset()
    lines = [
        f"🧾 Записал расход: {category} — {format_money(amount)}"
        + (f" ({note})" if note and note.lower() != category.lower() else ""),
    ]
    if move.order_id:
        lines.append(f"По заказу №{move.order.number}.")
    if fiscal is not None:
        lines.append(f"Чек от {fiscal.bought_at:%d.%m.%Y %H:%M} прочитан по QR-коду.")
    elif receipt is not None:
        lines.append("Чек сохранён.")
    lines.append(f"Осталось на руках: {on_hand(ctx)}")
    if move.overspend:
        lines.append(
            f"⚠️ Перерасход {format_money(move.overspend)}: на руках было меньше. "
            "Директору сообщили."
        )
    return [Reply("\n".join(lines), menu=ctx.menu())]


def _order_named(ctx: Ctx, number: int | None) -> int | None:
    """ "№1504" in the caption ties the expense to that order (one the person may see)."""
    return require_order(ctx.staff, number=number).id if number else None


def _expense(
    ctx: Ctx,
    text: str,
    receipt_id: int | None,
    *,
    must: bool,
    qr: FiscalQR | None = None,
    order_id: int | None = None,
) -> list[Reply] | None:
    """Turn words (and a receipt's QR) into an expense, asking for what is missing.
    must=False: words that are not about money at all return None so other handlers may try."""
    parsed = cash.parse_expense_text(text)
    if parsed.negative:
        raise ValidationError("Сумма не может быть отрицательной.")
    digits = re.sub(r"\D", "", text)
    has_sum = parsed.amount is not None or bool(parsed.choices)
    if not must and qr is None and parsed.category is None and (not has_sum or len(digits) >= 10):
        return None  # not about money, or a phone number: let the other handlers try
    amount, note, choices = parsed.amount, parsed.note, parsed.choices
    if qr is not None:
        picked = [c for c in choices if c.amount == qr.amount]
        if picked:  # of the caption's numbers, the receipt says which is the sum
            amount, note, choices = qr.amount, picked[0].note, ()
        elif amount is None and not choices:
            amount = qr.amount  # "бензин" + a photo of the receipt is a whole expense
        elif amount is not None and amount != qr.amount:
            choices = (Choice(amount, note), Choice(qr.amount, note))
            amount = None
    if amount is not None:
        check_sum(amount)  # absurd sums are refused before any question
    draft = {
        "amount": amount, "category": parsed.category, "note": note, "receipt_id": receipt_id,
        "fiscal": qr.as_dict() if qr else None,
        "order_id": order_id or _order_named(ctx, parsed.order_number),
    }  # fmt: skip
    if amount is not None and parsed.category is not None:
        return _log(ctx, draft)
    ctx.goto("expense", "", staged=[receipt_id] if receipt_id else [], **draft)
    if choices:
        return _ask_which(ctx, choices, qr)
    if amount is None:
        return _ask_amount(ctx)
    return _ask_category(ctx)


def _ask_amount(ctx: Ctx) -> list[Reply]:
    ctx.conv.step = "amount"
    what = f" на «{ctx.data['category']}»" if ctx.data.get("category") else ""
    return [
        Reply(
            f"Сколько потратили{what}? Напишите сумму, например 1000.",
            buttons=[[(texts.CANCEL, "cancel")]],
        )
    ]


def _ask_which(ctx: Ctx, choices: tuple[Choice, ...], qr: FiscalQR | None) -> list[Reply]:
    """Two numbers could be the sum ("кабель 30 1500"), or the caption and the receipt
    disagree: the person knows which is right."""
    ctx.update(choices=[[c.amount, c.note] for c in choices])
    ctx.conv.step = "which"
    if qr is not None and len(choices) == 2 and choices[1].amount == qr.amount:
        question = (
            f"В подписи {format_money(choices[0].amount)}, а в чеке "
            f"{format_money(qr.amount)}. Какая сумма верна?"
        )
        labels = [f"{format_money(choices[0].amount)} — в подписи",
                  f"{format_money(qr.amount)} — по чеку"]  # fmt: skip
    else:
        question = "Какое число — сумма расхода?"
        labels = [format_money(c.amount) for c in choices]
    buttons = [[(label, f"sum:{i}")] for i, label in enumerate(labels)]
    return [Reply(question, buttons=buttons + [[(texts.CANCEL, "cancel")]])]


def _ask_category(ctx: Ctx) -> list[Reply]:
    ctx.conv.step = "category"
    return [
        Reply(
            f"На что потратили {format_money(ctx.data['amount'])}? Выберите статью:",
            buttons=_category_buttons(),
        )
    ]


def _with_amount(ctx: Ctx, amount: int, note: str) -> list[Reply]:
    check_sum(amount)
    ctx.update(amount=amount, note=note)
    if ctx.data.get("category"):
        return _log(ctx, ctx.data)
    return _ask_category(ctx)


def _new_photo(ctx: Ctx) -> list[Reply] | None:
    """A photo sent while a question waits starts over (the waiting photo is let go)."""
    if ctx.incoming.file is None:
        return None
    order_id = ctx.data.get("order_id")
    ctx.reset()
    return idle_expense(ctx, order_id=order_id)


@step("expense.amount")
@step("expense.which")
def expense_amount(ctx: Ctx) -> list[Reply]:
    if (replies := _new_photo(ctx)) is not None:
        return replies
    parsed = cash.parse_expense_text(ctx.text)
    if parsed.negative:
        raise ValidationError("Сумма не может быть отрицательной.")
    amount = parsed.amount if parsed.amount is not None else parse_money(ctx.text)
    ctx.update(category=ctx.data.get("category") or parsed.category)
    return _with_amount(ctx, amount, ctx.data.get("note") or parsed.note)


@payload("sum")
def sum_button(ctx: Ctx, arg: str) -> list[Reply]:
    choices = ctx.data.get("choices") or []
    if ctx.step != "expense.which" or not arg.isdigit() or int(arg) >= len(choices):
        return [Reply("Эта кнопка устарела. Пришлите расход ещё раз.", menu=ctx.menu())]
    amount, note = choices[int(arg)]
    return _with_amount(ctx, amount, note)


@step("expense.category")
def expense_category_text(ctx: Ctx) -> list[Reply]:
    if (replies := _new_photo(ctx)) is not None:
        return replies
    parsed = cash.parse_expense_text(ctx.text)
    if parsed.category is None:
        return [Reply("Выберите статью кнопкой:", buttons=_category_buttons())]
    return _log(ctx, {**ctx.data, "category": parsed.category})


@payload("cat")
def category_button(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.step != "expense.category" or not arg.isdigit():
        return [Reply("Эта кнопка устарела. Пришлите расход ещё раз.", menu=ctx.menu())]
    category = ExpenseCategory.get_or_none(ExpenseCategory.id == int(arg))
    if category is None:
        raise NotFound("Нет такой статьи расхода.")
    return _log(ctx, {**ctx.data, "category": category.name})


@command("expense")
def expense_hint(ctx: Ctx) -> list[Reply]:
    return [
        Reply(
            "Пришлите фото чека с подписью, например «бензин 1000» или «материалы 5000 кабель». "
            "Если на чеке есть QR-код, сумму можно не писать. Можно и просто текстом.",
            menu=ctx.menu(),
        )
    ]


@payload("oexp")
def order_expense(ctx: Ctx, arg: str) -> list[Reply]:
    """From the order's card: the next receipt or sum is this order's expense."""
    order = require_order(ctx.staff, int(arg) if arg.isdigit() else -1)
    ctx.goto("expense", "photo", order_id=order.id)
    return [
        Reply(
            f"Пришлите фото чека (можно с подписью «материалы 1500») или сумму текстом — "
            f"запишу расход по заказу №{order.number}.",
            buttons=[[(texts.CANCEL, "cancel")]],
        )
    ]


@step("expense.photo")
def order_expense_input(ctx: Ctx) -> list[Reply]:
    order_id = ctx.data["order_id"]
    if ctx.incoming.file is not None:
        ctx.reset()
        return idle_expense(ctx, order_id=order_id) or []
    return _expense(ctx, ctx.text, None, must=True, order_id=order_id) or []


# --- free words and photos with no dialog going on ------------------------------------
def _with_receipt(
    ctx: Ctx, photo: tuple[str, bytes, str], then: Callable[[int], list[Reply] | None]
) -> list[Reply] | None:
    """Store the photo, then go on; if going on fails, the transaction forgets the row,
    and the file goes too (no stored file without its row)."""
    receipt = attachments.save_receipt(ctx.staff, ctx.deps.store, *photo)
    try:
        return then(receipt.id)
    except BaseException:
        ctx.deps.store.delete(receipt.storage_key)
        raise


def _read_receipt(data: bytes) -> FiscalQR | None:
    """The fiscal code of the photo, whatever other codes (a shop's link) stand beside it."""
    text = read_qr(data, accept=lambda t: parse_fiscal_qr(t) is not None)
    return parse_fiscal_qr(text) if text else None


def _refused_receipt(ctx: Ctx, qr: FiscalQR) -> list[Reply] | None:
    """A receipt already recorded, a refund or a расход: said plainly, nothing stored (the
    attempt at a duplicate is kept for the director)."""
    if qr.is_refund:
        return [Reply("Это чек возврата — расходом его не записываю.", menu=ctx.menu())]
    if not qr.is_purchase:
        return [Reply("Это чек расхода: по нему магазин платил вам, а не вы магазину — "
                      "расходом его не записываю.", menu=ctx.menu())]  # fmt: skip
    original = expenses.recorded_receipt(qr)
    if original is None:
        return None
    expenses.note_duplicate(ctx.staff, original, ctx.text)
    ctx.reset()
    return [Reply(expenses.duplicate_message(original) + ".", menu=ctx.menu())]


def idle_expense(ctx: Ctx, order_id: int | None = None) -> list[Reply] | None:
    file = ctx.incoming.file
    if file is None:
        return _expense(ctx, ctx.text, None, must=False, order_id=order_id)
    photo = as_image(file)  # a non-image is refused before anything is stored
    qr = _read_receipt(photo[1])
    if qr is not None and (refused := _refused_receipt(ctx, qr)) is not None:
        return refused
    bare = None if ctx.text or order_id is not None else expenses.awaiting_receipt(ctx.staff)
    if bare is not None and (qr is None or qr.amount == bare.amount):
        return _with_receipt(ctx, photo, lambda rid: _offer_to_expense(ctx, rid, bare, qr))
    if ctx.text or qr is not None or order_id is not None:
        parsed = cash.parse_expense_text(ctx.text)
        if qr is not None or order_id is not None or parsed.amount is not None \
                or parsed.category is not None or parsed.choices:  # fmt: skip
            return _with_receipt(ctx, photo, lambda rid: _expense(
                ctx, ctx.text, rid, must=True, qr=qr, order_id=order_id))  # fmt: skip
    return _with_receipt(ctx, photo, lambda rid: _ask_what(ctx, rid))


def _offer_to_expense(ctx: Ctx, staged_id: int, bare, qr: FiscalQR | None) -> list[Reply]:
    """Words then photo: the expense just written without a receipt is offered first."""
    ctx.goto("photo", "what", attachment_id=staged_id, caption="", staged=[staged_id],
             bare_id=bare.id, fiscal=qr.as_dict() if qr else None)  # fmt: skip
    what = f"{bare.category.name if bare.category_id else 'Расход'} — {format_money(bare.amount)}"
    return [
        Reply(
            f"Это чек к расходу «{what}», который вы только что записали?",
            buttons=[
                [("📎 Да, чек к этому расходу", f"rattach:{bare.id}")],
                [("🧾 Нет, это другой расход", "photo:receipt")],
                *WHAT_BUTTONS[1:],
            ],
        )  # fmt: skip
    ]


@payload("rattach")
def receipt_to_expense(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.step != "photo.what" or str(ctx.data.get("bare_id")) != arg:
        return [Reply("Эта кнопка устарела. Пришлите фото ещё раз.", menu=ctx.menu())]
    fiscal = FiscalQR.from_dict(ctx.data["fiscal"]) if ctx.data.get("fiscal") else None
    move = expenses.attach_receipt(ctx.staff, int(arg), ctx.data["attachment_id"], fiscal)
    ctx.update(staged=[])  # the photo is the expense's receipt now: keep it
    ctx.reset()
    what = f"{move.category.name if move.category_id else 'Расход'} — {format_money(move.amount)}"
    lines = [f"📎 Чек приложен к расходу «{what}»."]
    if fiscal is not None:
        lines.append(f"Чек от {fiscal.bought_at:%d.%m.%Y %H:%M} прочитан по QR-коду.")
    return [Reply("\n".join(lines), menu=ctx.menu())]


def _ask_what(ctx: Ctx, staged_id: int) -> list[Reply]:
    """A photo with no words about money: it waits in the dialog for its words or a button."""
    ctx.goto("photo", "what", attachment_id=staged_id, caption=ctx.text, staged=[staged_id])
    return [Reply("Что на фото?", buttons=WHAT_BUTTONS)]


@step("photo.what")
def photo_words(ctx: Ctx) -> list[Reply]:
    """Words after the photo ("бензин 500") make it a receipt of that expense."""
    if (replies := _new_photo(ctx)) is not None:
        return replies
    replies = _expense(ctx, ctx.text, ctx.data["attachment_id"], must=False)
    if replies is not None:
        return replies
    return [
        Reply(
            "Что на фото? Выберите кнопкой или напишите расход, например «бензин 500».",
            buttons=WHAT_BUTTONS,
        )
    ]


@payload("photo")
def photo_choice(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.step != "photo.what":
        return [Reply("Пришлите фото ещё раз.", menu=ctx.menu())]
    staged = ctx.data["attachment_id"]
    if arg == "receipt":
        fiscal = ctx.data.get("fiscal")  # read off the photo already (words then photo)
        ctx.goto("expense", "", amount=fiscal["s"] if fiscal else None, category=None,
                 note=ctx.data.get("caption", ""), receipt_id=staged, staged=[staged],
                 fiscal=fiscal, order_id=None)  # fmt: skip
        return _ask_category(ctx) if fiscal else _ask_amount(ctx)
    from bots.flows.staff import PAGE
    from core.orders.orders import orders_of

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

    staged = attachments.own_staged_file(ctx.staff, ctx.data.get("attachment_id"))
    if staged is None:
        ctx.reset()
        return [Reply("Фото не нашлось. Пришлите его ещё раз.", menu=ctx.menu())]
    data = ctx.deps.store.read(staged.storage_key)
    name, mime = staged.original_name, staged.content_type
    if ctx.data.get("purpose") == "proof":
        return staff.finish_with_proof(ctx, int(arg), name, data, mime)  # resets the dialog
    attachments.attach_to_order(ctx.staff, ctx.deps.store, int(arg), name, data, mime)
    ctx.reset()  # the waiting copy goes only now: the order has its own
    order = staff._order(ctx, arg)
    return staff.card(ctx, order, note=f"📎 Фото приложено к заказу №{order.number}.")
