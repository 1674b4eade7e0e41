"""The PBX settings, read with their defaults: the provider, its keys, «Мы перезвоним» and
the statistics' minutes are the "calls.*" settings of the registry (core.base.setting_fields,
Настройки → Фирма и каналы → Телефония); who sits at which extension and who takes new
numbers are the firm's people, kept as "telephony" (Настройки → Телефония)."""

from __future__ import annotations

import re
from typing import Any

from core.access import Actor, require_role
from core.base import settings
from core.base.errors import ValidationError
from core.base.models import Setting
from core.base.runtime import opened
from core.clients import leads
from core.people.models import Employee

__all__ = ["PROVIDERS", "REGISTERED", "employee_for", "on_duty", "save", "telephony"]

PROVIDERS = {"": "Не подключена", "novofon": "Новофон", "mango": "Манго Офис"}
# The registry's keys, by their short names here ("provider" is "calls.provider").
REGISTERED = ("provider", "novofon_key", "novofon_secret", "novofon_url", "mango_key",
              "mango_salt", "mango_url", "promise", "promise_text", "callback_minutes")  # fmt: skip
SECRETS = ("novofon_secret", "mango_salt")
_EXTENSION = re.compile(r"\d{1,10}")


def telephony() -> dict[str, Any]:
    """Every PBX setting in one dict, in two queries (a webhook asks on each event)."""
    known = settings.fields()
    keys = [f"calls.{name}" for name in REGISTERED]
    rows = {r.key: opened(r.value) for r in Setting.select().where(Setting.key.in_(keys))}
    merged = {
        name: rows[key] if rows.get(key) is not None else known[key].default
        for name, key in zip(REGISTERED, keys, strict=True)
    }
    people = dict(settings.DEFAULTS["telephony"])
    people.update(settings.get("telephony") or {})
    merged.update(extensions=dict(people["extensions"]), on_duty=people["on_duty"])
    return merged


def employee_for(extension: str, options: dict[str, Any] | None = None) -> Employee | None:
    """Who sits at this extension (Настройки → Телефония), if anybody active."""
    extension = (extension or "").strip()
    if not extension:
        return None
    person = (options or telephony())["extensions"].get(extension)
    if not person:
        return None
    return Employee.get_or_none((Employee.id == int(person)) & Employee.active)


def on_duty(options: dict[str, Any] | None = None) -> Employee | None:
    """Who takes a missed call from a new number: the chosen person, else whoever answers
    new people (core.clients.leads.responsible)."""
    person = (options or telephony()).get("on_duty")
    if person:
        found = Employee.get_or_none((Employee.id == int(person)) & Employee.active)
        if found is not None:
            return found
    return leads.responsible()


def _extensions(raw: dict[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    staff = {e.id: e for e in Employee.select().where(Employee.active)}
    for ext, person in raw.items():
        ext = str(ext).strip()
        if not _EXTENSION.fullmatch(ext):
            raise ValidationError(f"Внутренний номер «{ext}»: только цифры, до 10 знаков.")
        try:
            who = staff[int(person)]
        except (KeyError, TypeError, ValueError):
            raise ValidationError(f"Для номера {ext} не выбран сотрудник.") from None
        out[ext] = who.id
    return out


def _people(changes: dict[str, Any]) -> dict[str, Any]:
    current = telephony()
    extensions = _extensions(dict(changes.get("extensions", current["extensions"]) or {}))
    person = changes.get("on_duty", current["on_duty"])
    if person in ("", None):
        person = None
    elif Employee.get_or_none((Employee.id == int(person)) & Employee.active) is None:
        raise ValidationError("Дежурный сотрудник не найден или отключён.")
    return {"extensions": extensions, "on_duty": int(person) if person else None}


def save(actor: Actor, changes: dict[str, Any]) -> dict[str, Any]:
    """Check every field (a Russian message names the wrong one) and store all or nothing:
    the people first checked, then the registry's part saved (it checks its own), then the
    people stored. An empty secret box keeps the stored secret."""
    require_role(actor)  # the director only
    people = _people(changes)
    registered = {f"calls.{k}": v for k, v in changes.items() if k in REGISTERED}
    merged = telephony()
    for name, new in changes.items():
        if name in REGISTERED and not (name in SECRETS and not str(new or "").strip()):
            merged[name] = new  # an empty secret box keeps the stored secret
    provider = merged["provider"]
    for name, needs in (("novofon", ("novofon_key", "novofon_secret")),
                        ("mango", ("mango_key", "mango_salt"))):  # fmt: skip
        if provider == name and not all(str(merged[k] or "").strip() for k in needs):
            raise ValidationError(
                f"Для «{PROVIDERS[name]}» нужны оба ключа из его личного кабинета."
            )
    try:
        settings.save(registered)
    except settings.SettingsInvalid as exc:
        raise ValidationError(" ".join(exc.errors.values())) from None
    settings.put("telephony", people)
    return telephony()
