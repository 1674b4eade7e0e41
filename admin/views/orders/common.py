"""Labels and the small per-request caches the order pages share."""

from __future__ import annotations

from flask import g, has_request_context

from core.orders.models import Pipeline, Stage
from core.orders.sources import SOURCE_NAMES
from core.people.models import Crew, Employee

SOURCES = [("", "—"), *SOURCE_NAMES.items()]  # one list with the dashboard (core.orders.sources)
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


def _once(key: str, read):
    """read() once per request (kept in g); outside a request (Flask-Admin's start-up) as is."""
    if not has_request_context():
        return read()
    if key not in g:
        g.setdefault(key, read())
    return g.get(key)


def _active_staff() -> list[tuple[int, str, bool, str]]:
    """Active employees (id, name, is_external, role) by name: one query serves the filters,
    the bulk bar and who answers for an order."""
    return _once(
        "active_staff",
        lambda: list(
            Employee.select(Employee.id, Employee.name, Employee.is_external, Employee.role)
            .where(Employee.active)
            .order_by(Employee.name)
            .tuples()
        ),
    )


def _active_people() -> tuple[frozenset[int], int | None]:
    """Active employees' ids and the first active director's (who answers when nobody else
    does), read once per request."""
    rows = _active_staff()
    directors = [i for i, _n, _x, role in rows if role == "director"]
    return frozenset(i for i, *_rest in rows), min(directors, default=None)


def _crew_options():
    return _once(
        "crew_options",
        lambda: [
            (str(i), n)
            for i, n in Crew.select(Crew.id, Crew.name)
            .where(Crew.active)
            .order_by(Crew.name)
            .tuples()
        ],
    )


def _employee_options(external: bool | None = None):
    def options():
        return [
            (str(i), n)
            for i, n, is_external, _role in _active_staff()
            if external is None or is_external == external
        ]

    return options


def _stage_options():
    def read():
        pipes = dict(Pipeline.select(Pipeline.id, Pipeline.name).tuples())
        stages = (
            list(_stages().values())
            if has_request_context()
            else list(Stage.select().order_by(Stage.pipeline, Stage.position))
        )
        multi = len({s.pipeline_id for s in stages}) > 1
        return [
            (str(s.id), f"{pipes.get(s.pipeline_id, '')}: {s.name}" if multi else s.name)
            for s in stages
        ]

    return _once("stage_options", read)
