"""Runtime settings the director edits (stored in the Setting table, defaults here)."""

from __future__ import annotations

import copy
from typing import Any

from core.errors import ValidationError
from core.models import Setting

__all__ = ["DEFAULTS", "get", "put"]

DEFAULTS: dict[str, Any] = {
    # Up to ten object types (the installer's list); free text is always allowed besides.
    "object_types": [
        "Частный дом",
        "Дача / садовый участок",
        "Гараж",
        "Квартира",
        "Магазин",
        "Офис",
        "Склад",
        "Производство",
        "Стройплощадка (временное)",
        "Нестандартный объект",
    ],
    # Custom order fields: [{"key": "material", "label": "Материал", "type": "text"}]
    "custom_fields": [],
    # Fields hidden per role on order cards: {"executor": ["cost", "paid", "debt"]}
    "hidden_fields": {"executor": ["cost", "paid", "debt"]},
    # Company requisites entered in the admin; empty values fall back to the config file.
    "company": {},
}

MAX_OBJECT_TYPES = 10


def get(key: str) -> Any:
    row = Setting.get_or_none(Setting.key == key)
    if row is not None and row.value is not None:
        return row.value
    return copy.deepcopy(DEFAULTS.get(key))


def put(key: str, value: Any) -> None:
    if key == "object_types":
        value = [str(v).strip() for v in value if str(v).strip()]
        if len(value) > MAX_OBJECT_TYPES:
            raise ValidationError(f"Типов объектов может быть не больше {MAX_OBJECT_TYPES}.")
    Setting.insert(key=key, value=value).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: value}
    ).execute()
