"""Executors' day: my tasks, an order card, the next stage (with a comment or a photo),
job done with a photo of the signed form, photos to the order, questions to the client,
cash taken from the client."""

from __future__ import annotations

from bots.flows import texts
from bots.flows.context import Ctx
from bots.flows.desk import on_hand
from bots.flows.files import as_file, as_image
from bots.flows.registry import command, payload, step
from bots.flows.types import OutFile, Reply
from core.access import require_order, sees_amount_to_collect
from core.base.clock import format_date, format_datetime
from core.base.errors import NotFound, ValidationError
from core.base.money import format_money, parse_money
from core.base.phones import display_phone
from core.conversations import threads
from core.files import attachments
from core.money.payments import add_payment
from core.orders import pipelines, proof
from core.orders.models import Order
from core.orders.orders import move_order, order_view, orders_of
from core.selfservice import crew_visits
from core.selfservice.models import Visit
from core.tasks import tasks

__all__ = ["card", "task_list"]

PAGE = 8
NOT_FOUND = "Заказ не найден."
REPLIES_SHOWN = 2  # the client's latest messages on the order card
FILES_SENT = 10  # files sent at once from the card


def _due(order: Order) -> str:
    return f"до {format_date(order.due_date)[:5]}" if order.due_date else "без срока"


def task_list(ctx: Ctx, page: int = 0) -> list[Reply]:
    page = max(page, 0)
    rows = orders_of(ctx.staff, limit=(page + 1) * PAGE + 1)
    chunk = rows[page * PAGE : (page + 1) * PAGE]
    if not chunk:
        return [Reply("Открытых заказов нет. 👍", menu=ctx.menu())]
    mine = "Ваши заказы" if ctx.role == "executor" else "Открытые заказы"
    buttons = [[(f"№{o.number} · {o.stage.name} · {_due(o)}", f"order:{o.number}")] for o in chunk]
    nav = []
    if page > 0:
        nav.append(("◀ Назад", f"tasks:{page - 1}"))
    if len(rows) > (page + 1) * PAGE:
        nav.append(("Дальше ▶", f"tasks:{page + 1}"))
    if nav:
        buttons.append(nav)
    lines = [f"№{o.number} — {o.description[:60]}" for o in chunk]
    return [Reply(f"{mine} (стр. {page + 1}):\n" + "\n".join(lines), buttons=buttons)]


@command("tasks")
def tasks_command(ctx: Ctx) -> list[Reply]:
    ctx.reset()
    return task_list(ctx)


@payload("tasks")
def tasks_page(ctx: Ctx, arg: str) -> list[Reply]:
    return task_list(ctx, int(arg) if arg.isdigit() else 0)


def _number(arg: str) -> int:
    digits = arg.strip().lstrip("№#").strip()
    if not digits.isdigit() or len(digits) > 9:
        raise ValidationError("Укажите номер заказа цифрами, например /order 123.")
    return int(digits)


def card(ctx: Ctx, order: Order, note: str = "") -> list[Reply]:
    view = order_view(ctx.staff, order)
    lines = [f"Заказ №{view['number']} — {view['stage']}"]
    if note:
        lines.insert(0, note)
    labels = (
        ("client", "Клиент"), ("description", "Что сделать"), ("object_address", "Адрес"),
        ("object_type", "Объект"), ("object_note", "Примечание"), ("executor", "Исполнитель"),
        ("crew", "Бригада"), ("subcontractor", "Подрядчик"), ("manager", "Принял"),
    )  # fmt: skip
    for key, label in labels:
        if view.get(key):
            lines.append(f"{label}: {view[key]}")
    if view.get("due_date"):
        lines.append(f"Срок: {format_date(view['due_date'])}")
    for key, label in (("cost", "Стоимость"), ("paid", "Оплачено"), ("debt", "Остаток")):
        if key in view:
            lines.append(f"{label}: {format_money(view[key])}")
    if "debt" not in view and order.debt > 0 and sees_amount_to_collect(ctx.staff, order):
        lines.append(f"Получить с клиента: {format_money(order.debt)}")  # his own visit
    if view.get("visit_at"):
        lines.append(f"Выезд: {format_datetime(view['visit_at'])}")
    if view.get("client_phone"):
        lines.append(f"Телефон клиента: {display_phone(view['client_phone'])}")
    unread = threads.unread_of(ctx.staff, order) if ctx.staff.is_staff_office else 0
    if unread:  # letters of a mailbox this person may not read are not counted
        lines.append(f"Непрочитанных сообщений клиента: {unread}")
    replies = [
        m
        for m in threads.thread_of(ctx.staff, order.id, include_notes=False)
        if m.direction == "in"
    ]
    for m in replies[-REPLIES_SHOWN:]:
        lines.append(f"Клиент, {format_datetime(m.at)}: «{m.text[:300]}»")
    files = attachments.files_of(ctx.staff, order.id)
    if files:
        lines.append(f"Файлы: {', '.join(f.original_name or f.kind for f in files[:5])}"
                     + (f" и ещё {len(files) - 5}" if len(files) > 5 else ""))  # fmt: skip
    return [Reply("\n".join(lines), buttons=_card_buttons(ctx, order, view, len(files)))]


def _card_buttons(ctx: Ctx, order: Order, view: dict, files: int) -> list:
    """What this person can do with the order from its card, one row per action."""
    buttons = []
    upcoming = pipelines.next_stage(order.stage)
    if upcoming is not None and not order.is_archived:
        # One tap moves it; a comment or a photo on the way is the second button.
        buttons.append([(f"➡️ {upcoming.name}", f"movego:{order.id}:{order.stage_id}"),
                        ("✍️ С комментарием", f"move:{order.id}:{order.stage_id}")])  # fmt: skip
    target = proof.proof_stage(order)
    if target is not None and order.stage.position < target.position:
        buttons.append([("✅ Сдать с фото бланка", f"proof:{order.id}")])
    visit = Visit.get_or_none(Visit.order == order.id)
    if visit is not None and visit.departed_at is None and not order.is_archived:
        buttons.append([crew_visits.departed_button(visit)])  # the booked visit: one tap on the way
    buttons.append([("📷 Фото к заказу", f"attach:{order.id}"), ("💬 Клиенту", f"ask:{order.id}")])
    buttons.append([("🧾 Расход по заказу", f"oexp:{order.id}")])
    if files:
        buttons.append([(f"📎 Файлы ({files})", f"files:{order.id}")])
    if "debt" not in view or view["debt"] > 0:
        buttons.append([("💵 Получил оплату", f"cash:{order.id}")])
    if view.get("subcontractor") and not order.subcontract_received:
        buttons.append([("📦 Перезаказ получен", f"subrecv:{order.id}")])
    if ctx.staff.is_staff_office:
        buttons.append([("📄 Документы", f"docs:{order.id}")])
    return buttons


@payload("files")
def files_button(ctx: Ctx, arg: str) -> list[Reply]:
    """The order's files, sent into the chat (the ones this person may see)."""
    order = _order(ctx, arg)
    files = attachments.files_of(ctx.staff, order.id)[:FILES_SENT]
    if not files:
        return [Reply("У заказа нет файлов.")]
    out = []
    for f in files:
        try:
            data = ctx.deps.store.read(f.storage_key)
        except (FileNotFoundError, KeyError, ValueError):
            out.append(Reply(f"Файл «{f.original_name}» не найден в хранилище."))
            continue
        out.append(
            Reply(
                f.original_name or "файл",
                file=OutFile(f.original_name or "файл", data, f.content_type),
            )
        )
    return out


def _order(ctx: Ctx, arg: str) -> Order:
    if not arg.isdigit():
        raise NotFound(NOT_FOUND)
    return require_order(ctx.staff, int(arg))


@command("order")
def order_command(ctx: Ctx) -> list[Reply]:
    ctx.reset()
    if not ctx.incoming.args.strip():
        return task_list(ctx)
    return card(ctx, require_order(ctx.staff, number=_number(ctx.incoming.args)))


@payload("order")
def order_button(ctx: Ctx, arg: str) -> list[Reply]:
    ctx.reset()
    return card(ctx, require_order(ctx.staff, number=_number(arg)))


@payload("subrecv")
def subcontract_received(ctx: Ctx, arg: str) -> list[Reply]:
    """The subcontracted item is in: reminders about it stop."""
    order = tasks.receive_subcontract(ctx.staff, _order(ctx, arg).id)
    return card(ctx, order, note="Перезаказ получен — напоминания подрядчику больше не придут.")


# --- next stage, with an optional comment or photo ------------------------------------
@payload("move")
def move_button(ctx: Ctx, arg: str) -> list[Reply]:
    order_id, _, from_stage = arg.partition(":")
    order = _order(ctx, order_id)
    if str(order.stage_id) != from_stage:
        return card(ctx, order, note=f"Заказ уже в статусе «{order.stage.name}».")
    upcoming = pipelines.next_stage(order.stage)
    if upcoming is None:
        return card(ctx, order, note="Это последний этап.")
    ctx.goto("move", "comment", order_id=order.id, from_stage=order.stage_id)
    return [
        Reply(
            f"Заказ №{order.number} → «{upcoming.name}».\n"
            "Напишите комментарий или пришлите фото — или переведите сразу.",
            buttons=[
                [("➡️ Перевести без комментария", f"movego:{order.id}:{order.stage_id}")],
                [(texts.CANCEL, "cancel")],
            ],
        )
    ]


def _do_move(ctx: Ctx, order_id: int, from_stage: int, comment: str) -> list[Reply]:
    order = require_order(ctx.staff, order_id)
    if order.stage_id != from_stage:
        ctx.reset()
        return card(ctx, order, note=f"Заказ уже в статусе «{order.stage.name}».")
    upcoming = pipelines.next_stage(order.stage)
    if upcoming is None:
        ctx.reset()
        return card(ctx, order, note="Это последний этап.")
    move_order(ctx.staff, order.id, upcoming.id, comment)
    ctx.reset()
    fresh = require_order(ctx.staff, order.id)
    return card(ctx, fresh, note=f"✅ Заказ №{fresh.number} переведён в «{upcoming.name}».")


@payload("movego")
def move_go(ctx: Ctx, arg: str) -> list[Reply]:
    order_id, _, from_stage = arg.partition(":")
    if not order_id.isdigit() or not from_stage.isdigit():
        raise NotFound(NOT_FOUND)
    return _do_move(ctx, int(order_id), int(from_stage), "")


@step("move.comment")
def move_comment(ctx: Ctx) -> list[Reply]:
    data = ctx.data
    comment = ctx.text
    if ctx.incoming.file is not None:
        name, raw, mime = as_file(ctx.incoming.file)
        attachments.attach_to_order(ctx.staff, ctx.deps.store, data["order_id"], name, raw, mime)
        comment = comment or "Фото приложено"
    if not comment:
        return [Reply("Напишите комментарий или нажмите «Перевести без комментария».")]
    return _do_move(ctx, data["order_id"], data["from_stage"], comment)


# --- job done with proof ---------------------------------------------------------------
@payload("proof")
def proof_button(ctx: Ctx, arg: str) -> list[Reply]:
    order = _order(ctx, arg)
    ctx.goto("proof", "photo", order_id=order.id)
    return [
        Reply(
            f"Пришлите фото подписанного бланка по заказу №{order.number}.",
            buttons=[[(texts.CANCEL, "cancel")]],
        )
    ]


def finish_with_proof(ctx: Ctx, order_id: int, name: str, data: bytes, mime: str) -> list[Reply]:
    result = proof.complete_with_proof(
        ctx.staff, ctx.deps.store, order_id, name, data, mime, comment=ctx.text
    )
    ctx.reset()
    note = (
        f"✅ Бланк приложен, заказ №{result.order.number} — «{result.order.stage.name}»."
        if result.moved
        else f"Бланк приложен к заказу №{result.order.number}."
    )
    return card(ctx, result.order, note=note)


@step("proof.photo")
def proof_photo(ctx: Ctx) -> list[Reply]:
    if ctx.incoming.file is None:
        return [Reply("Жду фото подписанного бланка. Или нажмите «Отмена».",
                      buttons=[[(texts.CANCEL, "cancel")]])]  # fmt: skip
    name, data, mime = as_image(ctx.incoming.file)
    return finish_with_proof(ctx, ctx.data["order_id"], name, data, mime)


# --- photos and files to the order ----------------------------------------------------
@payload("attach")
def attach_button(ctx: Ctx, arg: str) -> list[Reply]:
    order = _order(ctx, arg)
    ctx.goto("attach", "files", order_id=order.id, count=0)
    return [
        Reply(
            f"Пришлите фото или файлы к заказу №{order.number}. Когда закончите — «Готово».",
            buttons=[[("Готово", f"order:{order.number}")]],
        )
    ]


@step("attach.files")
def attach_files(ctx: Ctx) -> list[Reply]:
    order = require_order(ctx.staff, ctx.data["order_id"])
    if ctx.incoming.file is None:
        ctx.reset()
        return card(ctx, order)
    name, data, mime = as_file(ctx.incoming.file)
    attachments.attach_to_order(ctx.staff, ctx.deps.store, order.id, name, data, mime)
    count = ctx.data.get("count", 0) + 1
    ctx.update(count=count)
    return [
        Reply(
            f"📎 Приложено к заказу №{order.number}: {count}.",
            buttons=[[("Готово", f"order:{order.number}")]],
        )
    ]


# --- a question to the client -------------------------------------------------------
@payload("ask")
def ask_button(ctx: Ctx, arg: str) -> list[Reply]:
    order = _order(ctx, arg)
    ctx.goto("ask", "text", order_id=order.id)
    return [
        Reply(
            f"Напишите вопрос клиенту по заказу №{order.number}. Ответ придёт в карточку заказа.",
            buttons=[[(texts.CANCEL, "cancel")]],
        )
    ]


@step("ask.text")
def ask_text(ctx: Ctx) -> list[Reply]:
    if not ctx.text:
        return [Reply("Напишите вопрос текстом.", buttons=[[(texts.CANCEL, "cancel")]])]
    message = threads.ask_client(ctx.staff, ctx.data["order_id"], ctx.text)
    ctx.reset()
    return [
        Reply(
            f"✉️ Вопрос по заказу №{message.order.number} отправлен клиенту. "
            "Ответ появится в карточке заказа.",
            menu=ctx.menu(),
        )
    ]


# --- cash taken from the client -------------------------------------------------------
@payload("cash")
def cash_button(ctx: Ctx, arg: str) -> list[Reply]:
    order = _order(ctx, arg)
    ctx.goto("cash", "amount", order_id=order.id)
    left = (
        f" Осталось получить: {format_money(order.debt)}."
        if sees_amount_to_collect(ctx.staff, order)
        else ""
    )
    return [
        Reply(
            f"Сколько наличных получили от клиента по заказу №{order.number}?{left} Напишите сумму.",
            buttons=[[(texts.CANCEL, "cancel")]],
        )
    ]


@step("cash.amount")
def cash_amount(ctx: Ctx) -> list[Reply]:
    amount = parse_money(ctx.text)
    order = require_order(ctx.staff, ctx.data["order_id"])
    kind = "final" if amount == order.debt else ("advance" if order.paid == 0 else "other")
    add_payment(ctx.staff, order.id, amount, kind=kind, method="cash")
    ctx.reset()
    return [
        Reply(
            f"💵 Записал: {format_money(amount)} по заказу №{order.number}.\n"
            f"Осталось на руках: {on_hand(ctx)}",
            menu=ctx.menu(),
        )
    ]
