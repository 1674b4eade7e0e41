"""Settings the director edits in Настройки: one registry, stored in the Setting table.

Every setting is declared once (core/base/setting_fields.py, with the kinds): its key, Russian label and help,
kind (which checks the value and says what is wrong in Russian), default, and whether it applies
at once (`live=True`: the code reads it at each use through `runtime.config()` or `value()`) or
only after the processes restart themselves (`live=False`: they watch the stored values and
restart within seconds, cli/restart.py).

A key "section.key" that config.toml also knows ([telegram] token -> "telegram.token") is
overlaid on the file's configuration: a value in the file (or in BRIGADIR_<SECTION>_<KEY>) wins
and the page shows it read-only. Any other key is the web's alone.

To add a setting — a few lines in core/base/setting_fields.py, inside your group's block:

    declare("calls.provider", "Телефония", Choice({"": "нет", "novofon": "Новофон"}),
            group="calls", help="Облачная АТС, чьи звонки открывают карточку клиента.")

then read it with `settings.value("calls.provider")` (or `runtime.config().calls.provider` if you
also added a [calls] section to core/base/config.py — then the file may pin it). A new group
needs one line in GROUPS. Saving goes through `save()`, which checks every changed field and the
whole configuration (config.problems) and writes nothing when anything is wrong.

Older free-form settings (object types, custom fields, hidden fields, booking) keep `get`/`put`
with their DEFAULTS below.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from core.base.errors import ValidationError
from core.base.models import Setting
from core.base.setting_fields import (
    GROUPS,
    REGISTRY,
    Choice,
    Field,
    Flag,
    Items,
    Kind,
    Number,
    Secret,
    Text,
    declare,
)  # fmt: skip

__all__ = [
    "DEFAULTS", "GROUPS", "REGISTRY", "Choice", "Field", "Flag", "Items", "Kind", "Number",
    "Secret", "SettingsInvalid", "Text", "declare", "fields", "get", "put", "remembered", "save",
    "stored", "value",
]  # fmt: skip

# Within one unit of work (a web request, a bot update) each setting is read from the database
# once: a list page asked for the hidden fields and the columns dozens of times.
_memo: ContextVar[dict[str, Any] | None] = ContextVar("settings_memo", default=None)

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
    # Booking of fixed-length visits (core/booking.py checks and uses these).
    "booking": {
        "weekdays": [1, 2, 3, 4, 5, 6],  # ISO: 1 = Monday
        "day_start": "09:00",
        "day_end": "19:00",
        "slot_minutes": 120,
        "crews": [],  # crew ids; empty = every active crew
        "visits_per_slot": 1,  # per crew
        "days_off": [],  # "YYYY-MM-DD"
        "days_ahead": 30,  # how far ahead a slot may be booked
        "min_hours_before": 2,  # how late: a slot must start at least this long after booking
        "change_hours_before": 24,  # cancel or move until this long before the visit
        "travel_minutes": 40,  # "Выехали" → "будет около …"
        "pipeline": "",  # the booking flow's pipeline; empty = the firm's default
    },
    # The cloud PBX's people (core.calls; its provider and keys are the "calls.*" settings):
    # {"extensions": {"101": <employee id>}, "on_duty": <employee id who takes new numbers>}
    "telephony": {"extensions": {}, "on_duty": None},
}

MAX_OBJECT_TYPES = 10


@contextmanager
def remembered() -> Iterator[None]:
    """Read each setting once until the block ends (a change made inside is seen at once)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def get(key: str) -> Any:
    if key == "company":  # the requisites in force as one dict, as older callers read them
        from core.base import runtime

        return dict(runtime.company())
    memo = _memo.get()
    if memo is not None and key in memo:
        return copy.deepcopy(memo[key])
    row = Setting.get_or_none(Setting.key == key)
    found = row.value if row is not None and row.value is not None else DEFAULTS.get(key)
    if memo is not None:
        memo[key] = found
    return copy.deepcopy(found)


def put(key: str, value: Any) -> None:
    """Store a value as it is (no checks but the object types'): for code and tests; the web
    saves through `save`. "company" takes a dict of requisites, as older callers pass it."""
    if key == "company":
        for name, item in (value or {}).items():
            put(f"company.{name}", item)
        return
    if key == "object_types":
        value = [str(v).strip() for v in value if str(v).strip()]
        if len(value) > MAX_OBJECT_TYPES:
            raise ValidationError(f"Типов объектов может быть не больше {MAX_OBJECT_TYPES}.")
    item = fields().get(key)
    if item is not None and isinstance(item.kind, Secret) and value:
        from core.base import runtime
        from core.base.security import seal

        value = {"sealed": seal(str(value), runtime.file_config().app.secret_key)}
    Setting.insert(key=key, value=value).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: value}
    ).execute()
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)
    if "." in key:
        from core.base import runtime

        runtime.refresh()


def split_old_company() -> None:
    """Requisites kept as one "company" dict (before step 45) become one row a field. Also run
    by every start: a database that passed a later step number first skipped step 45."""
    row = Setting.get_or_none(Setting.key == "company") if Setting.table_exists() else None
    if row is None:
        return
    for name, found in (row.value or {}).items():
        if found not in ("", None):
            Setting.insert(key=f"company.{name}", value=found).on_conflict_ignore().execute()
    row.delete_instance()


def fields() -> dict[str, Field]:
    """Every declared setting."""
    return REGISTRY


def stored() -> dict[str, Any]:
    """The web's values of declared settings, as saved."""
    keys = list(fields())
    if not Setting.table_exists():
        return {}
    from core.base.runtime import opened

    rows = Setting.select().where(Setting.key.in_(keys))
    values = {row.key: opened(row.value) for row in rows if row.value is not None}
    return {k: v for k, v in values.items() if v is not None}


def pinned_value(key: str) -> tuple[bool, Any]:
    """(True, the file's value) when config.toml or the environment sets this key."""
    from core.base import runtime

    config = runtime.file_config()
    if key not in config.pinned:
        return False, None
    section, _, name = key.partition(".")
    value = getattr(getattr(config, section), name)
    return True, list(value) if isinstance(value, tuple) else value


def value(key: str) -> Any:
    """The value in force: the file's, else the web's, else the default."""
    item = fields()[key]
    is_pinned, pinned = pinned_value(key)
    if is_pinned:
        return pinned
    from core.base.runtime import opened

    row = Setting.get_or_none(Setting.key == key)
    found = opened(row.value) if row is not None and row.value is not None else None
    return found if found is not None else copy.deepcopy(item.default)


class SettingsInvalid(ValidationError):
    """Some fields were refused: `errors` maps each key to its Russian message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def save(changes: dict[str, Any]) -> dict[str, Any]:
    """Check and store the web's values; returns {key: value} of what actually changed. An
    empty secret box keeps the stored secret. Nothing is written when anything is refused."""
    from core.base import runtime
    from core.base.config import overlay, problems
    from core.base.db import database

    known = fields()
    current = stored()
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for key, raw in changes.items():
        item = known.get(key)
        if item is None:
            errors[key] = f"Нет такой настройки: {key}."
            continue
        if pinned_value(key)[0]:
            errors[key] = f"{item.label}: задано в файле настроек — измените там."
            continue
        if isinstance(item.kind, Secret) and not str(raw or "").strip():
            continue
        try:
            parsed[key] = item.parse(raw)
        except ValidationError as exc:
            errors[key] = str(exc)
    if not errors:
        candidate = overlay(runtime.file_config(), {**current, **parsed})
        for key, text in problems(candidate):
            label = known[key].label if key in known else key
            errors.setdefault(key, f"{label}: {text}.")
    if errors:
        raise SettingsInvalid(errors)
    changed = {k: v for k, v in parsed.items() if current.get(k, known[k].default) != v}
    with database.atomic():
        for key, new in changed.items():
            put(key, new)
    return changed
