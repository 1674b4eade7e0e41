"""The client's side of the messenger: statuses of their orders, and what they write or
send — text (core.conversations.threads.record_incoming) and files (core.files.attachments.receive_client_file)
— lands in the order's thread for the manager to read."""

from __future__ import annotations

import re

from bots.flows import booking, texts
from bots.flows.context import Ctx
from bots.flows.files import as_file, is_picture
from bots.flows.types import Reply
from core.access import require_order
from core.base.clock import format_date
from core.base.money import format_money
from core.clients.clients import set_mailings
from core.conversations import threads
from core.files import attachments
from core.orders.models import Order
from core.orders.orders import order_view, orders_of

__all__ = ["route"]

RECEIVED = "Спасибо! Сообщение передано менеджеру, ответим здесь же."
FILE_RECEIVED = "Спасибо! Файл получен и передан менеджеру."
WHICH = "К какому заказу относится {}?"


def route(ctx: Ctx) -> list[Reply]:
    incoming = ctx.incoming
    choice = _mailing_word(ctx)
    if choice is not None:  # «стоп» is the client's choice, not a dialog's «отмена»
        ctx.reset()
        set_mailings(ctx.staff, ctx.client.id, choice, ctx.incoming.channel)
        text = texts.SUBSCRIBED if choice else texts.UNSUBSCRIBED
        return [Reply(text, menu=ctx.menu())]
    booked = booking.route(ctx)  # booking a visit: its own small flow
    if booked is not None:
        return booked
    if incoming.command == "start":
        ctx.reset()
        return [Reply(f"Здравствуйте, {ctx.client.name}!\n" + texts.HELP_TEXT["client"],
                      menu=ctx.menu())]  # fmt: skip
    if incoming.command == "help":
        return [Reply(texts.HELP_TEXT["client"], menu=ctx.menu())]
    if incoming.command in ("orders", "tasks") or ctx.said() == "tasks":
        ctx.reset()
        return my_orders(ctx)
    if incoming.payload:
        prefix, _, arg = incoming.payload.partition(":")
        if prefix == "cthread" and ctx.step == "client.which" and arg.isdigit():
            return _deliver(ctx, ctx.data["text"], int(arg) or None, ctx.data.get("key"))
        if prefix == "cthread" and ctx.step == "client.which_file" and arg.isdigit():
            if int(arg):
                attachments.file_into_order(ctx.staff, ctx.data["message_id"], int(arg))
            ctx.reset()
            return [Reply(FILE_RECEIVED, menu=ctx.menu())]
        if prefix == "order" and arg.isdigit():
            return _status(ctx, int(arg))
        return [Reply("Эта кнопка устарела.", menu=ctx.menu())]
    text = ctx.text or incoming.note
    if incoming.file is not None:
        return _file(ctx)
    if not text:
        return [Reply(texts.HELP_TEXT["client"], menu=ctx.menu())]
    key = _key(ctx)
    open_orders = threads.open_orders_of_client(ctx.client)
    if len(open_orders) <= 1:
        return _deliver(ctx, text, open_orders[0].id if open_orders else None, key)
    ctx.goto("client", "which", text=text[:4000], key=key)
    return [Reply(WHICH.format("сообщение"), buttons=_choices(open_orders))]


def _mailing_word(ctx: Ctx) -> bool | None:
    """False: «стоп» / «отписаться»; True: «подписаться»; None: anything else."""
    if ctx.incoming.file is not None or ctx.incoming.payload:
        return None
    word = re.sub(r"\s+", " ", re.sub(r"[^\w\s]", "", (ctx.text or "").lower())).strip()
    return texts.MAILING_WORDS.get(word.replace("ё", "е"))


def _key(ctx: Ctx) -> str | None:
    incoming = ctx.incoming
    return f"{incoming.channel}:{incoming.update_key}" if incoming.update_key else None


def _choices(open_orders: list[Order]) -> list[list[tuple[str, str]]]:
    buttons = [
        [(f"№{o.number} — {o.description[:40]}", f"cthread:{o.id}")] for o in open_orders[:8]
    ]
    return buttons + [[("Общий вопрос", "cthread:0")]]


def _file(ctx: Ctx) -> list[Reply]:
    """A photo or a file goes into the only open order at once; with several, it waits on
    the client's card until they say which order it is about."""
    name, data, mime = as_file(ctx.incoming.file)
    open_orders = threads.open_orders_of_client(ctx.client)
    message = attachments.receive_client_file(
        ctx.client.id, ctx.deps.store, name, data, mime, channel=ctx.incoming.channel,
        kind="photo" if is_picture(ctx.incoming.file) else "file",
        caption=ctx.text, order_id=open_orders[0].id if len(open_orders) == 1 else None,
        external_id=_key(ctx),
    )  # fmt: skip
    if len(open_orders) <= 1:
        ctx.reset()
        return [Reply(FILE_RECEIVED, menu=ctx.menu())]
    ctx.goto("client", "which_file", message_id=message.id)
    return [Reply(WHICH.format("файл"), buttons=_choices(open_orders))]


def _deliver(ctx: Ctx, text: str, order_id: int | None, key: str | None) -> list[Reply]:
    if order_id is not None:
        require_order(ctx.staff, order_id)  # their own order only
    threads.record_incoming(ctx.client.id, text, channel=ctx.incoming.channel, order_id=order_id,
                            external_id=key)  # fmt: skip
    ctx.reset()
    return [Reply(RECEIVED, menu=ctx.menu())]


def _line(order: Order) -> str:
    line = f"№{order.number} — {order.stage.name}: {order.description[:60]}"
    if order.debt > 0:
        line += f" (к оплате {format_money(order.debt)})"
    return line


def my_orders(ctx: Ctx) -> list[Reply]:
    current = orders_of(ctx.staff, limit=20)
    done = orders_of(ctx.staff, archived=True, limit=5)
    if not current and not done:
        return [Reply("У вас пока нет заказов.", menu=ctx.menu())]
    lines = []
    if current:
        lines += ["Текущие заказы:", *(_line(o) for o in current)]
    if done:
        lines += ["", "Завершённые:", *(_line(o) for o in done)]
    buttons = [[(f"№{o.number}", f"order:{o.number}")] for o in current[:8]]
    return [Reply("\n".join(lines), buttons=buttons, menu=ctx.menu())]


def _status(ctx: Ctx, number: int) -> list[Reply]:
    order = require_order(ctx.staff, number=number)
    view = order_view(ctx.staff, order)
    lines = [f"Заказ №{view['number']}: {view['stage']}", view["description"]]
    if view.get("due_date"):
        lines.append(f"Срок: {format_date(view['due_date'])}")
    lines.append(f"Стоимость: {format_money(view['cost'])}, оплачено {format_money(view['paid'])}")
    if view["debt"] > 0:
        lines.append(f"Остаток к оплате: {format_money(view['debt'])}")
    return [Reply("\n".join(lines), menu=ctx.menu())]
