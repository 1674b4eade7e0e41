"""Columns of the order list and its export: which exist, the defaults of each pipeline,
and the choice the director makes per role in Settings.

A chosen column is always passed through core.access.can_see: a field hidden from a role
never reaches that role's list, sort or export, whatever the choice says."""

from __future__ import annotations

from core.access import Actor, can_see, hidden_fields
from core.base import settings
from core.base.errors import ValidationError

__all__ = [
    "COLUMNS",
    "DEFAULTS",
    "ROLES",
    "available",
    "chosen",
    "columns_for",
    "defaults",
    "label_of",
    "save_choice",
    "who_answers",
]

SETTING = "order_columns"
ROLES = ("director", "manager", "executor")

# Every meaningful column of an order, in the order the Settings page lists them.
COLUMNS: dict[str, str] = {
    "number": "№", "created_at": "Принят", "client": "Клиент", "client_phone": "Телефон клиента",
    "description": "Описание", "stage": "Этап", "cost": "Стоимость", "paid": "Оплачено",
    "debt": "Долг", "manager": "Менеджер", "executor": "Исполнитель", "crew": "Бригада",
    "subcontractor": "Подрядчик", "due_date": "Срок", "visit_at": "Выезд",
    "object_address": "Адрес объекта", "object_type": "Тип объекта",
    "object_note": "Особенности объекта", "documents_received": "Документы получены", "install_date": "Дата монтажа",
    "responsible": "Ответственный", "source": "Источник",
}  # fmt: skip
# How each firm names the same columns in its own table (the installer's Excel).
PIPELINE_LABELS: dict[str, dict[str, str]] = {
    "installation": {
        "created_at": "Дата",
        "client": "Клиент (ФИО)",
        "paid": "Аванс",
        "object_note": "Примечание",
    },  # fmt: skip
}
DEFAULTS: dict[str, tuple[str, ...]] = {
    # The print shop keeps the list it has always had.
    "printing": (
        "number",
        "created_at",
        "client",
        "description",
        "stage",
        "cost",
        "paid",
        "debt",
        "manager",
        "executor",
        "due_date",
    ),  # fmt: skip
    # The installer's Excel table; № first: it opens the card and carries the unread mark.
    "installation": (
        "number",
        "created_at",
        "client",
        "object_address",
        "object_type",
        "paid",
        "cost",
        "documents_received",
        "install_date",
        "crew",
        "object_note",
        "stage",
        "responsible",
    ),  # fmt: skip
}
MAX_COLUMNS = 16


def custom_columns(specs: list[dict] | None = None) -> dict[str, str]:
    """The firm's own order fields (Settings → custom fields, or `specs` about to be saved)
    as columns "custom_<key>" with their Russian names."""
    specs = settings.get("custom_fields") or [] if specs is None else specs
    return {f"custom_{spec['key']}": spec.get("label") or spec["key"] for spec in specs}


def available(pipeline: str = "printing") -> dict[str, str]:
    """Every column that may be chosen, with its Russian label."""
    own = PIPELINE_LABELS.get(pipeline, {})
    return {k: own.get(k, v) for k, v in COLUMNS.items()} | custom_columns()


def label_of(column: str, pipeline: str = "printing") -> str:
    return available(pipeline).get(column, "")


def defaults(pipeline: str) -> list[str]:
    return list(DEFAULTS.get(pipeline, DEFAULTS["printing"]))


def chosen(role: str, pipeline: str) -> list[str]:
    """The columns the director chose for this role (the pipeline's defaults if none),
    without ones that no longer exist (a removed custom field)."""
    exists = available(pipeline)
    picked = (settings.get(SETTING) or {}).get(role) or defaults(pipeline)
    return ["number"] + [c for c in picked if c in exists and c != "number"]


def columns_for(
    actor: Actor, pipeline: str, *, hidden: frozenset[str] | None = None
) -> list[tuple[str, str]]:
    """(column, label) this person's list and export show: the role's choice, minus every
    field hidden from them. `hidden`: hidden_fields(actor) when the caller has it."""
    role = "director" if actor.is_director else (actor.role or "")
    hidden = hidden_fields(actor) if hidden is None else hidden
    labels = available(pipeline)
    return [(c, labels[c]) for c in chosen(role, pipeline) if can_see(actor, c, hidden=hidden)]


def save_choice(choice: dict[str, list[str]], pipeline: str) -> dict[str, list[str]]:
    """Keep the director's choice per role: № first, then known columns, each once, at
    least one besides №."""
    from core.people.models import ROLE_NAMES

    exists = available(pipeline)
    clean: dict[str, list[str]] = {}
    for role in ROLES:
        # № is always first: it opens the card and carries the unread mark.
        picked = list(dict.fromkeys(["number", *(choice.get(role) or [])]))
        unknown = [c for c in picked if c not in exists]
        if unknown:
            raise ValidationError(f"Неизвестный столбец: {unknown[0]}.")
        if len(picked) < 2:
            raise ValidationError(
                f"Для роли «{ROLE_NAMES.get(role, role)}» выберите хотя бы один столбец."
            )
        if len(picked) > MAX_COLUMNS:
            raise ValidationError(
                f"Для роли «{ROLE_NAMES.get(role, role)}» не больше {MAX_COLUMNS} столбцов:"
                " больше не поместится на экране."
            )
        clean[role] = picked
    settings.put(SETTING, clean)
    return clean


def who_answers(
    stage_responsible: int | None,
    manager: int | None,
    active: set[int] | frozenset[int],
    director: int | None,
) -> int | None:
    """Who answers for an order now: the person its stage names, else its manager, else a
    director (as core.conversations.delivery.responsible_employee) — ids only, so a list of fifty orders
    asks this from cached stages and people, without a query per row."""
    for person in (stage_responsible, manager):
        if person and person in active:
            return person
    return director
