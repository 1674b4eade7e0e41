"""Labels and the small per-request caches the order pages share."""

from __future__ import annotations

from flask import g

from core.models import Crew, Employee, Pipeline, Stage
from core.sources import SOURCE_NAMES

SOURCES = [("", "—"), *SOURCE_NAMES.items()]  # one list with the dashboard (core.sources)
FIELD_LABELS = {
    "number": "№", "client": "Клиент", "description": "Описание", "cost": "Стоимость",
    "paid": "Оплачено", "debt": "Долг", "manager": "Менеджер", "executor": "Исполнитель",
    "crew": "Бригада", "subcontractor": "Подрядчик", "due_date": "Срок", "visit_at": "Выезд",
    "install_date": "Дата монтажа", "object_address": "Адрес объекта", "object_type": "Тип объекта",
    "object_note": "Особенности объекта", "documents_received": "Документы получены",
    "source": "Источник", "folder": "Папка с файлами", "preview": "Превью", "stage": "Этап",
    "created_at": "Принят", "unread": "Новые сообщения", "subcontract_received": "Перезаказ получен",
    "client_phone": "Телефон клиента", "responsible": "Ответственный",
}  # fmt: skip


# ---------------------------------------------------------------- small per-request caches
def _stages() -> dict[int, Stage]:
    if "stages" not in g:
        g.stages = {s.id: s for s in Stage.select().order_by(Stage.pipeline, Stage.position)}
    return g.stages


def _names() -> dict[int, str]:
    if "employee_names" not in g:
        g.employee_names = dict(Employee.select(Employee.id, Employee.name).tuples())
    return g.employee_names


def _crews() -> dict[int, str]:
    if "crew_names" not in g:
        g.crew_names = dict(Crew.select(Crew.id, Crew.name).tuples())
    return g.crew_names


def _active_people() -> tuple[frozenset[int], int | None]:
    """Active employees' ids and the first active director's (who answers when nobody else
    does), read once per request."""
    if "active_people" not in g:
        rows = (
            Employee.select(Employee.id, Employee.role)
            .where(Employee.active)
            .order_by(Employee.id)
            .tuples()
        )
        rows = list(rows)
        director = next((i for i, role in rows if role == "director"), None)
        g.active_people = (frozenset(i for i, _r in rows), director)
    return g.active_people


def _crew_options():
    return [
        (str(i), n)
        for i, n in Crew.select(Crew.id, Crew.name).where(Crew.active).order_by(Crew.name).tuples()
    ]


def _employee_options(external: bool | None = None):
    def options():
        query = Employee.select(Employee.id, Employee.name).where(Employee.active)
        if external is not None:
            query = query.where(Employee.is_external == external)
        return [(str(i), n) for i, n in query.order_by(Employee.name).tuples()]

    return options


def _stage_options():
    pipes = dict(Pipeline.select(Pipeline.id, Pipeline.name).tuples())
    multi = len({s.pipeline_id for s in Stage.select(Stage.pipeline)}) > 1
    return [
        (str(s.id), f"{pipes.get(s.pipeline_id, '')}: {s.name}" if multi else s.name)
        for s in Stage.select().order_by(Stage.pipeline, Stage.position)
    ]
