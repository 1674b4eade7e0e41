"""Pipelines are data: stages, their order, who answers for them, which notify the client
(and with which template), which count as archive. Two presets from the two firms."""

from __future__ import annotations

from dataclasses import dataclass

from core.db import database
from core.models import Pipeline, Stage

__all__ = ["PRESETS", "StageSpec", "ensure_presets", "first_stage", "next_stage", "stages_of"]


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
