"""Pipelines are data: stages, their order, who answers for them, which notify the client
(and with which template), which count as archive. Two presets from the two firms."""

from __future__ import annotations

from dataclasses import dataclass

from core.db import database
from core.models import Pipeline, Stage

__all__ = [
    "PRESETS",
    "StageSpec",
    "ensure_presets",
    "first_stage",
    "next_stage",
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
            StageSpec("issued", "Выдан", "manager"),
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


def update_stage(actor: object, stage_id: int, **fields: object) -> Stage:
    """The director edits a stage: name, position (swapped with the stage already there),
    notify flag, template, responsible role, archive flag."""
    from core.access import require_role
    from core.errors import NotFound, ValidationError
    from core.templates import template_for

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
    template = str(fields.get("template_code", stage.template_code) or "").strip() or None
    notify = bool(fields.get("notify_client", stage.notify_client))
    if notify and (not template or template_for(template) is None):
        raise ValidationError("Чтобы уведомлять клиента, выберите существующий шаблон сообщения.")
    position = int(fields.get("position", stage.position))  # type: ignore[arg-type]
    if position < 1:
        raise ValidationError("Порядковый номер этапа начинается с 1.")
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
            template_code=template, is_archive=bool(fields.get("is_archive", stage.is_archive)),
        ).where(Stage.id == stage.id).execute()  # fmt: skip
    return Stage.get_by_id(stage.id)
