"""Orders: taken at the counter in under a minute, moved through the firm's pipeline.

A move writes the order, its history row, the stage counters and (if the stage notifies)
the outbox row in one transaction: all or nothing."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from peewee import Case

from core.access import (
    Actor,
    can_see,
    hidden_fields,
    order_query,
    require_order,
    require_order_write,
    require_role,
)
from core.base import runtime, settings
from core.base.clock import utcnow
from core.base.db import database
from core.base.errors import AccessDenied, Conflict, NotFound, ValidationError
from core.base.money import check_sum, format_money
from core.base.sequences import next_number
from core.clients.models import Client
from core.conversations import outbox
from core.documents.words import quoted
from core.money import taxes
from core.orders import pipelines
from core.orders.models import Order, OrderLine, Pipeline, Stage, StageMove
from core.people.models import Crew, Employee

__all__ = [
    "assign_order",
    "create_order",
    "move_order",
    "move_to_next",
    "order_view",
    "order_buttons",
    "orders_of",
    "update_order",
]

_EDITABLE = (
    "description", "cost", "due_date", "visit_at", "install_date", "object_address", "object_type",
    "object_note", "documents_received", "custom", "folder", "preview", "source", "subcontract_received",
)  # fmt: skip


def _pipeline(code: str | None) -> Pipeline:
    code = code or runtime.config().app.pipeline
    pipeline = Pipeline.get_or_none(Pipeline.code == code)
    if pipeline is None:
        raise ValidationError(f"Нет такого процесса: «{code}».")
    return pipeline


def _employee(employee_id: int | None, *, what: str) -> Employee | None:
    if employee_id is None:
        return None
    employee = Employee.get_or_none(Employee.id == employee_id)
    if employee is None or not employee.active:
        raise ValidationError(f"{what}: сотрудник #{employee_id} не найден или отключён.")
    return employee


def _check_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "description" in data:
        data["description"] = (data["description"] or "").strip()
        if not data["description"]:
            raise ValidationError("Опишите заказ: что нужно сделать.")
        if len(data["description"]) > 5000:
            raise ValidationError("Описание слишком длинное (больше 5000 символов).")
    if "cost" in data:
        data["cost"] = check_sum(data["cost"], allow_zero=True, what="Стоимость")
    for key in ("due_date", "install_date"):
        value = data.get(key)
        if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
            raise ValidationError("Дата указана неверно.")
    if data.get("visit_at") is not None and not isinstance(data["visit_at"], datetime):
        raise ValidationError("Время выезда указано неверно.")
    if "custom" in data:
        data["custom"] = _check_custom(data["custom"] or {})
    if "object_type" in data:
        data["object_type"] = (data["object_type"] or "").strip()[:100]
    return data


def _check_custom(values: dict[str, Any]) -> dict[str, Any]:
    defined = {f["key"]: f for f in settings.get("custom_fields") or []}
    unknown = [k for k in values if k not in defined]
    if unknown:
        raise ValidationError(f"Неизвестное дополнительное поле: {', '.join(unknown)}.")
    return values


def create_order(
    actor: Actor,
    client_id: int,
    description: str,
    cost: int = 0,
    *,
    pipeline: str | None = None,
    executor_id: int | None = None,
    crew_id: int | None = None,
    subcontractor_id: int | None = None,
    advance: int = 0,
    advance_method: str = "cash",
    created_at: datetime | None = None,
    **fields: Any,
) -> Order:
    """Take an order (manager/director). An advance, if given, is recorded with it."""
    require_role(actor, "manager")
    client = Client.get_or_none(Client.id == client_id)
    if client is None:
        raise NotFound("Клиент не найден.")
    data = _check_fields({"description": description, "cost": cost, **fields})
    if advance:
        check_sum(advance, what="Аванс")
        if advance > data["cost"]:
            raise ValidationError("Аванс больше стоимости заказа.")
    executor, subcontractor, crew = _who_does(executor_id, subcontractor_id, crew_id)
    flow = _pipeline(pipeline)
    stage = pipelines.first_stage(flow)
    now = created_at or utcnow()
    with database.atomic():
        order = Order.create(
            number=next_number("order"),
            pipeline=flow,
            stage=stage,
            client=client,
            manager=actor.employee_id,
            executor=executor,
            crew=crew,
            subcontractor=subcontractor,
            debt=data["cost"],
            created_at=now,
            updated_at=now,
            **data,
        )
        _count_in(actor, order, stage, now)
        if advance:
            from core.money.payments import add_payment

            add_payment(actor, order.id, advance, kind="advance", method=advance_method, at=now)
            order = Order.get_by_id(order.id)
        if stage.notify_client and stage.template_code:
            outbox.notify_order_client(
                order, stage.template_code, key=f"order:{order.id}:stage:{stage.id}:1"
            )
        _announce_assignment(order, key_suffix="new")
        _tell_responsible(actor, order, stage, key=f"stage-lead:{order.id}:new")
    return order


def _who_does(
    executor_id: int | None, subcontractor_id: int | None, crew_id: int | None
) -> tuple[Employee | None, Employee | None, Crew | None]:
    """A new order's executor, subcontractor firm and crew, checked; a firm named as the
    executor is a subcontract (перезаказ)."""
    executor = _employee(executor_id, what="Исполнитель")
    subcontractor = _employee(subcontractor_id, what="Подрядчик")
    if subcontractor is not None and not subcontractor.is_external:
        raise ValidationError(f"{quoted(subcontractor.name)} не отмечен как подрядчик (перезаказ).")
    if executor is not None and executor.is_external:
        subcontractor, executor = executor, None
    crew = Crew.get_or_none(Crew.id == crew_id) if crew_id else None
    if crew_id and crew is None:
        raise ValidationError(f"Бригада #{crew_id} не найдена.")
    return executor, subcontractor, crew


def _count_in(actor: Actor, order: Order, stage: Stage, now: datetime) -> None:
    """A new order's first history row and the counters it adds to: its stage's and its
    client's (orders, total, debt, last order)."""
    StageMove.create(
        order=order, to_stage=stage, employee=actor.employee_id, at=now, comment="Заказ принят"
    )
    Stage.update(order_count=Stage.order_count + 1).where(Stage.id == stage.id).execute()
    Client.update(
        orders_count=Client.orders_count + 1,
        orders_total=Client.orders_total + order.cost,
        debt=Client.debt + order.cost,
        last_order_at=now,
    ).where(Client.id == order.client_id).execute()


def _tell_responsible(actor: Actor, order: Order, stage: Stage, *, key: str) -> None:
    """The person who answers for a stage hears when an order arrives there (not when they
    moved it there themself)."""
    if not stage.responsible_id or stage.responsible_id == actor.employee_id:
        return
    person = Employee.get_or_none((Employee.id == stage.responsible_id) & Employee.active)
    if person is None:
        return
    outbox.notify_staff(
        person,
        f"Заказ №{order.number} на этапе «{stage.name}», вы ответственный: "
        f"{order.description[:200]}",
        key=key,
        order=order,
        buttons=order_buttons(order),
    )


def order_buttons(order: Order) -> list[list[tuple[str, str]]]:
    """The buttons of a push about an order: its next stage in one tap (the chat checks the
    order is still where the push found it), and the order's card."""
    upcoming = None if order.is_archived else pipelines.next_stage(order.stage)
    buttons = [[("Открыть заказ", f"order:{order.number}")]]
    if upcoming is not None:
        buttons.insert(0, [(f"➡️ {upcoming.name}", f"movego:{order.id}:{order.stage_id}")])
    return buttons


def _announce_assignment(order: Order, *, key_suffix: str) -> None:
    """Tell whoever now carries the order: the executor, each crew member, or, for a
    subcontracted order, the director and the accepting manager (the shared list)."""
    people: list[Employee] = []
    if order.executor_id:
        people.append(order.executor)
    if order.crew_id:
        people += list(Employee.select().where((Employee.crew == order.crew_id) & Employee.active))
    if order.subcontractor_id:
        people += list(Employee.select().where((Employee.role == "director") & Employee.active))
        if order.manager_id:
            people.append(order.manager)
    text = f"Новое задание: заказ №{order.number} — {order.description[:200]}"
    if order.subcontractor_id:
        text = f"Перезаказ у {quoted(order.subcontractor.name)}: заказ №{order.number} — {order.description[:200]}"
    for person in {p.id: p for p in people}.values():
        outbox.notify_staff(
            person,
            text,
            key=f"assign:{order.id}:{person.id}:{key_suffix}",
            order=order,
            buttons=order_buttons(order),
        )


def move_order(actor: Actor, order_id: int, to_stage: str | int, comment: str = "") -> StageMove:
    """Move an order to a stage. The next stage is anyone's who may touch the order;
    a skip or a step back is for the director or a manager and is marked as such."""
    order = require_order(actor, order_id)
    flow = pipelines.stages_of(order.pipeline_id)
    key = "code" if isinstance(to_stage, str) else "id"
    target = next((s for s in flow if getattr(s, key) == to_stage), None)
    if target is None:
        raise ValidationError(f"В процессе заказа №{order.number} нет этапа «{to_stage}».")
    return _move(actor, order, flow, target, comment)


def move_to_next(actor: Actor, order_id: int, comment: str = "") -> StageMove:
    order = require_order(actor, order_id)
    flow = pipelines.stages_of(order.pipeline_id)
    upcoming = _after(flow, order.stage_id)
    if upcoming is None:
        raise ValidationError(f"Заказ №{order.number} уже на последнем этапе «{order.stage.name}».")
    return _move(actor, order, flow, upcoming, comment)


def _after(flow: list[Stage], stage_id: int) -> Stage | None:
    index = next(i for i, s in enumerate(flow) if s.id == stage_id)
    return flow[index + 1] if index + 1 < len(flow) else None


def _move(actor: Actor, order: Order, flow: list[Stage], target: Stage, comment: str) -> StageMove:
    require_order_write(actor, order)
    current = next(s for s in flow if s.id == order.stage_id)
    if target.id == current.id:
        raise ValidationError(f"Заказ №{order.number} уже в статусе «{current.name}».")
    upcoming = _after(flow, current.id)
    out_of_order = upcoming is None or upcoming.id != target.id
    if out_of_order and not actor.is_staff_office:
        nxt = f"«{upcoming.name}»" if upcoming else "никакой (это последний этап)"
        raise AccessDenied(
            f"Следующий этап для заказа №{order.number}: {nxt}. Перескакивать может только менеджер."
        )
    if len(comment) > 2000:
        raise ValidationError("Комментарий слишком длинный.")
    now = utcnow()
    with database.atomic():
        # Conditional update: if someone moved it meanwhile, nothing changes and we say so.
        changed = (
            Order.update(
                stage=target,
                is_archived=target.is_archive,
                closed_at=now if target.is_archive else None,
                updated_at=now,
                version=Order.version + 1,
            )
            .where((Order.id == order.id) & (Order.stage == current.id))
            .execute()
        )
        if changed != 1:
            raise Conflict(
                f"Заказ №{order.number} только что переместил кто-то другой. Обновите карточку."
            )
        move = StageMove.create(
            order=order.id,
            from_stage=current.id,
            to_stage=target.id,
            employee=actor.employee_id,
            at=now,
            comment=comment.strip(),
            out_of_order=out_of_order,
        )
        Stage.update(order_count=Stage.order_count + Case(Stage.id, [(target.id, 1)], -1)).where(
            Stage.id.in_([current.id, target.id])
        ).execute()
        _tell_responsible(actor, order, target, key=f"stage-lead:{order.id}:move:{move.id}")
        if target.notify_client and target.template_code:
            order.stage, order.is_archived = target, target.is_archive
            outbox.notify_order_client(
                order, target.template_code, key=f"order:{order.id}:move:{move.id}"
            )
    return move


def update_order(
    actor: Actor, order_id: int, expected_version: int | None = None, **fields: Any
) -> Order:
    """Edit an order's fields. With expected_version, a stale form is refused, not saved over."""
    require_role(actor, "manager")
    order = require_order(actor, order_id)
    unknown = [k for k in fields if k not in _EDITABLE]
    if unknown:
        raise ValidationError(f"Поле «{unknown[0]}» так не меняется.")
    data = _check_fields(dict(fields))
    new_cost = data.get("cost", order.cost)
    fixed = _positions_total(order.id)
    if "cost" in data and fixed is not None and new_cost != fixed:
        raise ValidationError(
            f"Стоимость заказа — сумма его позиций ({format_money(fixed)}): "
            "измените позиции, и стоимость пересчитается."
        )
    if new_cost < order.paid:
        raise ValidationError(
            f"Стоимость не может быть меньше уже оплаченного: {format_money(order.paid)}."
        )
    with database.atomic():
        where = Order.id == order.id
        if expected_version is not None:
            where &= Order.version == expected_version
        changed = (
            Order.update(
                **data,
                debt=new_cost - order.paid,
                updated_at=utcnow(),
                version=Order.version + 1,
            )
            .where(where)
            .execute()
        )
        if changed != 1:
            raise Conflict(
                f"Заказ №{order.number} уже изменил другой сотрудник. Откройте его заново — ваши правки не сохранены."
            )
        if new_cost != order.cost:
            delta = new_cost - order.cost
            Client.update(orders_total=Client.orders_total + delta, debt=Client.debt + delta).where(
                Client.id == order.client_id
            ).execute()
    return Order.get_by_id(order.id)


def _positions_total(order_id: int) -> int | None:
    """The sum of the order's stored positions (core.orders.lines), None when it has none."""
    rows = OrderLine.select(OrderLine.qty_milli, OrderLine.price).where(OrderLine.order == order_id)
    amounts = [taxes.amount_of(Decimal(r.qty_milli) / 1000, r.price) for r in rows]
    return sum(amounts) if amounts else None


def assign_order(
    actor: Actor,
    order_id: int,
    *,
    executor_id: int | None = None,
    crew_id: int | None = None,
    subcontractor_id: int | None = None,
) -> Order:
    """Give the order to someone else; the task leaves the previous person's list."""
    require_role(actor, "manager")
    order = require_order(actor, order_id)
    executor = _employee(executor_id, what="Исполнитель")
    subcontractor = _employee(subcontractor_id, what="Подрядчик")
    if executor is not None and executor.is_external:
        subcontractor, executor = executor, None
    crew = Crew.get_or_none(Crew.id == crew_id) if crew_id else None
    if crew_id and crew is None:
        raise ValidationError(f"Бригада #{crew_id} не найдена.")
    with database.atomic():
        Order.update(
            executor=executor,
            crew=crew,
            subcontractor=subcontractor,
            updated_at=utcnow(),
            version=Order.version + 1,
        ).where(Order.id == order.id).execute()
        fresh = Order.get_by_id(order.id)
        _announce_assignment(fresh, key_suffix=f"v{fresh.version}")
    return fresh


def orders_of(actor: Actor, *, archived: bool = False, limit: int = 50) -> list[Order]:
    """Open (or archived) orders the actor may see, the nearest due first."""
    query = order_query(actor, Order.select(Order, Stage).join(Stage))
    query = query.where(Order.is_archived == archived)
    query = query.order_by(Order.due_date.asc(nulls="LAST"), Order.id.desc())
    return list(query.limit(limit))


def order_view(actor: Actor, order: Order) -> dict[str, Any]:
    """The order's fields this actor may see, as plain values (core.access.can_see decides)."""
    hidden = hidden_fields(actor)
    values: dict[str, Any] = {
        "id": order.id,
        "number": order.number,
        "stage": order.stage.name,
        "client": order.client.name,
        "client_phone": order.client.phone,
        "description": order.description,
        "cost": order.cost,
        "paid": order.paid,
        "debt": order.debt,
        "manager": order.manager.name if order.manager_id else None,
        "executor": order.executor.name if order.executor_id else None,
        "crew": order.crew.name if order.crew_id else None,
        "subcontractor": order.subcontractor.name if order.subcontractor_id else None,
        "due_date": order.due_date,
        "visit_at": order.visit_at,
        "install_date": order.install_date,
        "object_address": order.object_address,
        "object_type": order.object_type,
        "object_note": order.object_note,
        "documents_received": order.documents_received,
        "custom": {
            k: v
            for k, v in (order.custom or {}).items()
            if can_see(actor, f"custom_{k}", hidden=hidden)
        },
        "folder": order.folder,
        "preview": order.preview,
    }
    return {k: v for k, v in values.items() if can_see(actor, k, hidden=hidden)}
