"""Pipelines are data: stages, their order, who answers for them, which notify the client
(and with which template), which count as archive. Two presets from the two firms.

The director edits them: adds, removes, renames and reorders stages. Every edit keeps the
orders right in the same transaction: the stage counters, each order's archive flag, and the
history of a removed stage's orders (its orders move to a stage the director chooses)."""

from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from core.base.clock import utcnow
from core.base.db import database
from core.orders.models import Order, Pipeline, Stage, StageMove
from core.people.models import Employee

__all__ = [
    "PRESETS",
    "StageSpec",
    "add_stage",
    "ensure_presets",
    "first_stage",
    "issued_goes_to_archive",
    "next_stage",
    "remove_stage",
    "shift_stage",
    "stages_of",
    "update_stage",
]


@dataclass(frozen=True)
class StageSpec:
    code: str
    name: str
    responsible_role: str | None = None
    notify_client: bool = False
    template_code: str | None = None
    is_archive: bool = False


PRESETS: dict[str, tuple[str, list[StageSpec]]] = {
    "printing": (
        "Полиграфия",
        [
            StageSpec(
                "accepted",
                "Принят",
                "manager",
                notify_client=True,
                template_code="printing.accepted",
            ),
            StageSpec("in_work", "В работе", "executor"),
            StageSpec(
                "done", "Выполнен", "executor", notify_client=True, template_code="printing.done"
            ),
            # "Меняем статус «Выдано» и заказ переходит в архив" (the print shop's request).
            StageSpec("issued", "Выдан", "manager", is_archive=True),
            StageSpec("archive", "Архив", None, is_archive=True),
        ],
    ),
    "installation": (
        "Техприсоединение",
        [
            StageSpec(
                "accepted",
                "Принят",
                "manager",
                notify_client=True,
                template_code="installation.accepted",
            ),
            StageSpec("mounting", "Монтаж", "executor"),
            StageSpec("documents", "Документы", "manager"),
            StageSpec("grid", "Сдача в сетевую", "manager"),
            StageSpec(
                "awaiting_payment",
                "Ждёт оплаты",
                "manager",
                notify_client=True,
                template_code="installation.ready",
            ),
            StageSpec("completed", "Завершён", None, is_archive=True),
        ],
    ),
}


def ensure_presets() -> None:
    """Create both preset pipelines if missing (never overwrites the director's edits)."""
    with database.atomic():
        for code, (name, specs) in PRESETS.items():
            pipeline, created = Pipeline.get_or_create(code=code, defaults={"name": name})
            if not created:
                continue
            for position, spec in enumerate(specs, start=1):
                Stage.create(
                    pipeline=pipeline,
                    position=position,
                    code=spec.code,
                    name=spec.name,
                    responsible_role=spec.responsible_role,
                    notify_client=spec.notify_client,
                    template_code=spec.template_code,
                    is_archive=spec.is_archive,
                )


def stages_of(pipeline: Pipeline | int) -> list[Stage]:
    return list(Stage.select().where(Stage.pipeline == pipeline).order_by(Stage.position))


def first_stage(pipeline: Pipeline | int) -> Stage:
    return Stage.select().where(Stage.pipeline == pipeline).order_by(Stage.position).get()


def next_stage(stage: Stage) -> Stage | None:
    return (
        Stage.select()
        .where((Stage.pipeline == stage.pipeline_id) & (Stage.position > stage.position))
        .order_by(Stage.position)
        .first()
    )


def _responsible(employee_id: object) -> int | None:
    from core.base.errors import ValidationError

    if employee_id in (None, "", 0):
        return None
    person = Employee.get_or_none(Employee.id == int(employee_id))  # type: ignore[arg-type]
    if person is None or not person.active:
        raise ValidationError("Ответственный за этап: сотрудник не найден или отключён.")
    return person.id


def issued_goes_to_archive() -> None:
    """An existing print shop's «Выдан» becomes an archive stage, as the preset now makes it;
    its orders go to the archive with it (migration step 65)."""
    stage = (
        Stage.select()
        .join(Pipeline)
        .where((Pipeline.code == "printing") & (Stage.code == "issued") & ~Stage.is_archive)
        .first()
    )
    if stage is not None:
        Stage.update(is_archive=True).where(Stage.id == stage.id).execute()
        _set_archive(stage.id, True)


def _set_archive(stage_id: int, archive: bool) -> None:
    """The orders standing on a stage follow its archive flag (lists and tabs read it)."""
    now = utcnow()
    Order.update(is_archived=archive, closed_at=now if archive else None).where(
        (Order.stage == stage_id) & (Order.is_archived != archive)
    ).execute()


def _check_flow(pipeline_id: int) -> None:
    """New orders start on the first stage: it must not be an archive one."""
    from core.base.errors import ValidationError

    flow = stages_of(pipeline_id)
    if flow and flow[0].is_archive:
        raise ValidationError(
            "Первый этап не может быть архивным: новые заказы сразу ушли бы в архив."
        )


def update_stage(actor: object, stage_id: int, **fields: object) -> Stage:
    """The director edits a stage: name, position (swapped with the stage already there),
    notify flag, template, responsible role and person, archive flag."""
    from core.access import require_role
    from core.base.errors import NotFound, ValidationError
    from core.conversations.templates import template_for

    require_role(actor, "director")  # type: ignore[arg-type]
    stage = Stage.get_or_none(Stage.id == stage_id)
    if stage is None:
        raise NotFound("Этап не найден.")
    name = str(fields.get("name", stage.name) or "").strip()
    if not name or len(name) > 100:
        raise ValidationError("Название этапа: от 1 до 100 символов.")
    role = fields.get("responsible_role", stage.responsible_role) or None
    if role not in (None, "director", "manager", "executor"):
        raise ValidationError("Ответственный: директор, менеджер или исполнитель.")
    person = _responsible(fields.get("responsible", stage.responsible_id))
    template = str(fields.get("template_code", stage.template_code) or "").strip() or None
    notify = bool(fields.get("notify_client", stage.notify_client))
    if notify and (not template or template_for(template) is None):
        raise ValidationError("Чтобы уведомлять клиента, выберите существующий шаблон сообщения.")
    position = int(fields.get("position", stage.position))  # type: ignore[arg-type]
    if position < 1:
        raise ValidationError("Порядковый номер этапа начинается с 1.")
    archive = bool(fields.get("is_archive", stage.is_archive))
    with database.atomic():
        if position != stage.position:
            other = Stage.get_or_none(
                (Stage.pipeline == stage.pipeline_id) & (Stage.position == position)
            )
            if other is not None:
                Stage.update(position=-stage.id).where(Stage.id == stage.id).execute()
                Stage.update(position=stage.position).where(Stage.id == other.id).execute()
        Stage.update(
            name=name, position=position, responsible_role=role, notify_client=notify,
            template_code=template, is_archive=archive, responsible=person,
        ).where(Stage.id == stage.id).execute()  # fmt: skip
        if archive != stage.is_archive:
            _set_archive(stage.id, archive)
        _check_flow(stage.pipeline_id)
    return Stage.get_by_id(stage.id)


def shift_stage(actor: object, stage_id: int, step: int) -> Stage:
    """One place up (step -1) or down (+1): swapped with its neighbour."""
    from core.base.errors import NotFound, ValidationError

    stage = Stage.get_or_none(Stage.id == stage_id)
    if stage is None:
        raise NotFound("Этап не найден.")
    flow = stages_of(stage.pipeline_id)
    index = next(i for i, s in enumerate(flow) if s.id == stage.id) + (1 if step > 0 else -1)
    if not 0 <= index < len(flow):
        raise ValidationError(f"Этап «{stage.name}» уже {'последний' if step > 0 else 'первый'}.")
    return update_stage(actor, stage.id, position=flow[index].position)


def add_stage(
    actor: object,
    pipeline_id: int,
    name: str,
    *,
    position: int | None = None,
    is_archive: bool = False,
    responsible: int | None = None,
    responsible_role: str | None = None,
) -> Stage:
    """A new stage at a position (the ones from there move one down), at the end by default."""
    from core.access import require_role
    from core.base.errors import NotFound, ValidationError

    require_role(actor, "director")  # type: ignore[arg-type]
    pipeline = Pipeline.get_or_none(Pipeline.id == pipeline_id)
    if pipeline is None:
        raise NotFound("Процесс не найден.")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError("Название этапа: от 1 до 100 символов.")
    flow = stages_of(pipeline)
    if any(s.name.lower() == name.lower() for s in flow):
        raise ValidationError(f"Этап «{name}» в процессе «{pipeline.name}» уже есть.")
    if len(flow) >= 50:
        raise ValidationError("В процессе не может быть больше 50 этапов.")
    if responsible_role not in (None, "", "director", "manager", "executor"):
        raise ValidationError("Ответственный: директор, менеджер или исполнитель.")
    person = _responsible(responsible)
    last = flow[-1].position if flow else 0
    position = last + 1 if position is None else max(1, min(int(position), last + 1))
    codes = {s.code for s in flow}
    code = next(f"stage_{n}" for n in range(len(flow) + 1, 1000) if f"stage_{n}" not in codes)
    with database.atomic():
        # Bottom-up, so the (pipeline, position) unique index never sees two stages at once.
        for stage in reversed([s for s in flow if s.position >= position]):
            Stage.update(position=stage.position + 1).where(Stage.id == stage.id).execute()
        stage = Stage.create(
            pipeline=pipeline, code=code, name=name, position=position, is_archive=is_archive,
            responsible=person, responsible_role=responsible_role or None,
        )  # fmt: skip
        _check_flow(pipeline.id)
    return stage


def remove_stage(actor: object, stage_id: int, *, move_to: int | None = None) -> int:
    """Remove a stage. Its orders go to `move_to` (required when it has any), each with a
    history row; the removed stage's past moves point there too, the name kept in the
    comment. Returns how many orders were moved."""
    from core.access import require_role
    from core.base.errors import NotFound, ValidationError

    require_role(actor, "director")  # type: ignore[arg-type]
    stage = Stage.get_or_none(Stage.id == stage_id)
    if stage is None:
        raise NotFound("Этап не найден.")
    flow = stages_of(stage.pipeline_id)
    if len(flow) == 1:
        raise ValidationError(f"«{stage.name}» — единственный этап процесса: его нельзя удалить.")
    count = Order.select().where(Order.stage == stage.id).count()
    target = _where_its_orders_go(stage, flow, move_to, count)
    with database.atomic():
        _move_off(actor, stage, target, count)
        for later in [s for s in flow if s.position > stage.position]:
            Stage.update(position=later.position - 1).where(Stage.id == later.id).execute()
        _check_flow(stage.pipeline_id)
        if not any(not s.is_archive for s in stages_of(stage.pipeline_id)):
            raise ValidationError(
                "В процессе должен остаться хотя бы один рабочий (не архивный) этап."
            )
    return count


def _where_its_orders_go(stage: Stage, flow: list[Stage], move_to: int | None, count: int) -> Stage:
    """The stage a removed one's orders (and past moves) go to: the one chosen, required
    when it has orders; else its neighbour."""
    from core.base.errors import ValidationError
    from core.documents.words import plural

    if move_to is not None:
        target = next((s for s in flow if s.id == int(move_to) and s.id != stage.id), None)
        if target is None:
            raise ValidationError("Перенести заказы можно только на другой этап того же процесса.")
        return target
    if count:
        orders = plural(count, "заказ", "заказа", "заказов")
        raise ValidationError(
            f"На этапе «{stage.name}» {count} {orders}: выберите, на какой этап их перенести."
        )
    index = flow.index(next(s for s in flow if s.id == stage.id))
    return flow[index - 1] if index else flow[1]


def _move_off(actor: object, stage: Stage, target: Stage, count: int) -> None:
    """A removed stage's orders move to the target with a history row each; its past moves
    point there too, its name kept in their comments; the counters follow; the stage goes."""
    now = utcnow()
    note = f"Этап «{stage.name}» удалён"
    StageMove.insert_from(
        Order.select(
            # A typed NULL for the system actor: PostgreSQL reads a bare NULL as text here.
            Order.id, pw.Value(stage.id), pw.Value(target.id),
            pw.Cast(pw.Value(actor.employee_id), "INTEGER"),  # type: ignore[attr-defined]
            pw.Value(now), pw.Value(note), pw.Value(True),
        ).where(Order.stage == stage.id),
        [StageMove.order, StageMove.from_stage, StageMove.to_stage, StageMove.employee,
         StageMove.at, StageMove.comment, StageMove.out_of_order],
    ).execute()  # fmt: skip
    Order.update(stage=target.id, updated_at=now, version=Order.version + 1).where(
        Order.stage == stage.id
    ).execute()
    if target.is_archive != stage.is_archive:
        _set_archive(target.id, target.is_archive)
    StageMove.update(
        to_stage=target.id, comment=pw.Value(f"[{note}] ").concat(StageMove.comment)
    ).where(StageMove.to_stage == stage.id).execute()
    StageMove.update(from_stage=None).where(StageMove.from_stage == stage.id).execute()
    Stage.update(order_count=Stage.order_count + count).where(Stage.id == target.id).execute()
    Stage.delete().where(Stage.id == stage.id).execute()
