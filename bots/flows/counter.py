"""A counter order in four messages for a repeat client:
"ива" → tap the client → "Баннер 3х6, 4500, до пятницы" → tap «Создать».

Free words from a manager that are not an expense start a client search; a phone with
no match starts a new client card. Everything is checked by core.clients.clients/core.orders.orders."""

from __future__ import annotations

from datetime import date

from bots.flows import texts
from bots.flows.context import Ctx
from bots.flows.files import as_file
from bots.flows.parse import parse_due, parse_order_line
from bots.flows.registry import command, payload, route_again, step
from bots.flows.types import Reply
from core.base.clock import format_date, local_today
from core.base.errors import ValidationError
from core.base.money import format_money, parse_money
from core.base.phones import display_phone, normalize_phone
from core.clients.clients import create_client, find_clients, get_client
from core.documents.words import quoted
from core.files import attachments
from core.orders.orders import create_order
from core.people.models import Employee

__all__: list[str] = []

ASK_CLIENT = "Клиент: напишите первые буквы фамилии или телефон."
ASK_LINE = (
    "Что делаем, сколько стоит и к какому сроку? Одной строкой, например:\n"
    "«Баннер 3х6, 4500, до пятницы» (можно добавить «аванс 2000»)."
)


def _office(ctx: Ctx) -> bool:
    return ctx.staff.is_staff_office


@command("new")
def new_order(ctx: Ctx) -> list[Reply]:
    if not _office(ctx):
        return [Reply("Заказы принимают менеджеры.", menu=ctx.menu())]
    ctx.goto("order", "client")
    return [Reply(ASK_CLIENT, buttons=[[(texts.CANCEL, "cancel")]])]


def _search(ctx: Ctx, query: str) -> list[Reply]:
    found = find_clients(ctx.staff, query, limit=8)
    phone = None
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) >= 10:
        try:
            phone = normalize_phone(query)
        except ValidationError:
            phone = None
    if phone and len(found) == 1:
        return _pick(ctx, found[0].id)
    ctx.goto("order", "client", query=query[:100], phone=phone)
    buttons = [[(f"{c.name} · {display_phone(c.phone)}".strip(" ·"), f"cl:{c.id}")] for c in found]
    name = " ".join(w for w in query[:100].split() if not any(ch.isdigit() for ch in w))
    new = f"➕ Новый клиент {quoted(name)}" if name else "➕ Новый клиент"
    buttons.append([(new, "cl:new"), (texts.CANCEL, "cancel")])
    head = "Выберите клиента:" if found else f"Клиентов по «{query}» не нашлось."
    return [Reply(head, buttons=buttons)]


def idle_search(ctx: Ctx) -> list[Reply] | None:
    if not _office(ctx) or ctx.incoming.file is not None or not ctx.text:
        return None
    return _search(ctx, ctx.text)


@step("order.client")
def client_step(ctx: Ctx) -> list[Reply]:
    if not ctx.text:
        return [Reply(ASK_CLIENT, buttons=[[(texts.CANCEL, "cancel")]])]
    return _search(ctx, ctx.text)


def _pick(ctx: Ctx, client_id: int) -> list[Reply]:
    client = get_client(ctx.staff, client_id)
    ctx.goto("order", "line", client_id=client.id)
    debt = f"\nДолг по прошлым заказам: {format_money(client.debt)}" if client.debt > 0 else ""
    return [
        Reply(f"Клиент: {client.name}{debt}\n\n{ASK_LINE}", buttons=[[(texts.CANCEL, "cancel")]])
    ]


@payload("cl")
def client_button(ctx: Ctx, arg: str) -> list[Reply]:
    if not _office(ctx) or ctx.step != "order.client":
        return [Reply("Эта кнопка устарела. Начните заказ заново.", menu=ctx.menu())]
    if arg == "new":
        name, phone = _name_and_phone(ctx.data.get("query") or "", ctx.data.get("phone"))
        if name:  # the name typed in the search is the new client's: not asked again
            return _pick(ctx, create_client(ctx.staff, name, phone).id)
        ctx.update()
        ctx.conv.step = "new_name"
        ask = "Как зовут нового клиента?" + (
            f" Телефон: {display_phone(phone)}."
            if phone
            else " Можно с телефоном: «Иванов Пётр 89123456789»."
        )
        return [Reply(ask, buttons=[[(texts.CANCEL, "cancel")]])]
    if not arg.isdigit():
        return [Reply("Эта кнопка устарела.", menu=ctx.menu())]
    return _pick(ctx, int(arg))


def _name_and_phone(text: str, phone: str | None) -> tuple[str, str | None]:
    """ "Иванов Пётр 89123456789" -> ("Иванов Пётр", "+79123456789"): the words without
    digits are the name, the ones with digits the phone (unless it is known already)."""
    words = text.split()
    tail = [w for w in words if any(ch.isdigit() for ch in w)]
    if tail and not phone:
        phone = normalize_phone(" ".join(tail))
    return " ".join(w for w in words if not any(ch.isdigit() for ch in w)), phone


@step("order.new_name")
def new_client_name(ctx: Ctx) -> list[Reply]:
    name, phone = _name_and_phone(ctx.text, ctx.data.get("phone"))
    client = create_client(ctx.staff, name, phone)
    return _pick(ctx, client.id)


def _draft_reply(ctx: Ctx) -> list[Reply]:
    d = ctx.data
    client = get_client(ctx.staff, d["client_id"])
    executor = (
        Employee.get_or_none(Employee.id == d.get("executor_id")) if d.get("executor_id") else None
    )
    due = format_date(date.fromisoformat(d["due"])) if d.get("due") else "без срока"
    lines = [
        "Проверьте заказ:",
        f"Клиент: {client.name}",
        f"Что: {d['description']}",
        f"Стоимость: {format_money(d['cost'])}",
        f"Срок: {due}",
        f"Аванс: {format_money(d['advance']) if d.get('advance') else 'нет'}",
        f"Исполнитель: {executor.name if executor else 'не назначен'}",
    ]
    return [
        Reply(
            "\n".join(lines),
            buttons=[
                [("✅ Создать", "draft:create")],
                [("💵 Аванс", "draft:advance"), ("👷 Исполнитель", "draft:executor")],
                [(texts.CANCEL, "cancel")],
            ],
        )
    ]


@step("order.line")
def order_line(ctx: Ctx) -> list[Reply]:
    line = parse_order_line(ctx.text, local_today())
    if not line.description:
        return [Reply("Опишите, что нужно сделать. " + ASK_LINE)]
    ctx.update(description=line.description, cost=line.cost, advance=line.advance,
               due=line.due.isoformat() if line.due else None)  # fmt: skip
    if line.cost is None:
        ctx.conv.step = "cost"
        return [Reply(f"Сколько стоит «{line.description}»? Напишите сумму.")]
    ctx.conv.step = "draft"
    return _draft_reply(ctx)


@step("order.cost")
def order_cost(ctx: Ctx) -> list[Reply]:
    ctx.update(cost=parse_money(ctx.text, allow_zero=True))
    ctx.conv.step = "draft"
    return _draft_reply(ctx)


@step("order.draft")
def draft_text(ctx: Ctx) -> list[Reply]:
    """Typing on the summary corrects it: a date, a sum as the advance, or a new line."""
    due = parse_due(ctx.text, local_today())
    if due is not None:
        ctx.update(due=due.isoformat())
        return _draft_reply(ctx)
    return order_line(ctx)


@step("order.advance")
def draft_advance(ctx: Ctx) -> list[Reply]:
    ctx.update(advance=parse_money(ctx.text))
    ctx.conv.step = "draft"
    return _draft_reply(ctx)


@payload("draft")
def draft_button(ctx: Ctx, arg: str) -> list[Reply]:
    if not ctx.step.startswith("order.") or "description" not in ctx.data:
        return [Reply("Черновик заказа не найден. Начните заново.", menu=ctx.menu())]
    if arg == "advance":
        ctx.update()
        ctx.conv.step = "advance"
        return [Reply("Сколько аванса получили (наличными)?", buttons=[[(texts.CANCEL, "cancel")]])]
    if arg == "executor":
        people = Employee.select().where(Employee.active & (Employee.role == "executor"))
        buttons = [[(p.name + (" (перезаказ)" if p.is_external else ""), f"exe:{p.id}")]
                   for p in people.order_by(Employee.is_external, Employee.name)]  # fmt: skip
        return [Reply("Кто выполняет?", buttons=buttons + [[("Без исполнителя", "exe:0")]])]
    if arg != "create":
        return [Reply("Эта кнопка устарела.")]
    d = ctx.data
    order = create_order(
        ctx.staff, d["client_id"], d["description"], d["cost"],
        executor_id=d.get("executor_id") or None, advance=d.get("advance") or 0,
        due_date=date.fromisoformat(d["due"]) if d.get("due") else None, source="counter",
    )  # fmt: skip
    ctx.goto("order", "files", order_id=order.id, number=order.number, count=0)
    paid = (
        f"\nАванс: {format_money(order.paid)}, остаток {format_money(order.debt)}"
        if order.paid
        else ""
    )
    return [
        Reply(
            f"✅ Заказ №{order.number} принят.\n{order.client.name}: {order.description}\n"
            f"Стоимость: {format_money(order.cost)}{paid}\n"
            f"Срок: {format_date(order.due_date) or 'без срока'}\n\n"
            "Пришлите макет или фото — они прикрепятся к заказу.",
            buttons=[[("Готово", f"order:{order.number}")]],
            menu=ctx.menu(),
        )
    ]


@payload("exe")
def executor_button(ctx: Ctx, arg: str) -> list[Reply]:
    if not ctx.step.startswith("order.") or "description" not in ctx.data:
        return [Reply("Черновик заказа не найден. Начните заново.", menu=ctx.menu())]
    ctx.update(executor_id=int(arg) if arg.isdigit() and arg != "0" else None)
    ctx.conv.step = "draft"
    return _draft_reply(ctx)


@step("order.files")
def order_files(ctx: Ctx) -> list[Reply]:
    if ctx.incoming.file is None:
        ctx.reset()  # anything else: the order is done, handle the words afresh
        return route_again(ctx)
    name, data, mime = as_file(ctx.incoming.file)
    attachments.attach_to_order(ctx.staff, ctx.deps.store, ctx.data["order_id"], name, data, mime)
    count = ctx.data.get("count", 0) + 1
    ctx.update(count=count)
    number = ctx.data["number"]
    return [Reply(f"📎 Приложено к заказу №{number}: {count}.",
                  buttons=[[("Готово", f"order:{number}")]])]  # fmt: skip
