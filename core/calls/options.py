"""The PBX settings the director edits (Настройки → Телефония), read with their defaults."""

from __future__ import annotations

import re
from typing import Any

from core.access import Actor, require_role
from core.base import settings
from core.base.errors import ValidationError
from core.clients import leads
from core.people.models import Employee

__all__ = ["PROVIDERS", "employee_for", "on_duty", "save", "telephony"]

PROVIDERS = {"": "Не подключена", "novofon": "Новофон", "mango": "Манго Офис"}
_EXTENSION = re.compile(r"\d{1,10}")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*")


def telephony() -> dict[str, Any]:
    """The stored settings over the defaults (a key added later has its default)."""
    merged = dict(settings.DEFAULTS["telephony"])
    merged.update(settings.get("telephony") or {})
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
        if not ext and not person:
            continue
        if not _EXTENSION.fullmatch(ext):
            raise ValidationError(f"Внутренний номер «{ext}»: только цифры, до 10 знаков.")
        if ext in out:
            raise ValidationError(f"Внутренний номер {ext} указан дважды.")
        try:
            who = staff[int(person)]
        except (KeyError, TypeError, ValueError):
            raise ValidationError(f"Для номера {ext} не выбран сотрудник.") from None
        out[ext] = who.id
    return out


def save(actor: Actor, changes: dict[str, Any]) -> dict[str, Any]:
    """Check every field (a Russian message names the wrong one) and store all or nothing."""
    require_role(actor)  # the director only
    options = telephony()
    options.update(changes)
    if options["provider"] not in PROVIDERS:
        raise ValidationError("Неизвестная телефония.")
    for key in ("novofon_url", "mango_url"):
        if not _URL.fullmatch(str(options[key]).strip()):
            raise ValidationError("Адрес для запросов: нужен адрес вида https://…")
        options[key] = str(options[key]).strip().rstrip("/")
    for key in ("novofon_key", "novofon_secret", "mango_key", "mango_salt"):
        options[key] = str(options[key] or "").strip()
        if len(options[key]) > 200 or any(c.isspace() for c in options[key]):
            raise ValidationError("Ключи телефонии: без пробелов, не длиннее 200 знаков.")
    provider = options["provider"]
    if provider == "novofon" and not (options["novofon_key"] and options["novofon_secret"]):
        raise ValidationError("Для Новофона нужны ключ и секрет из его личного кабинета.")
    if provider == "mango" and not (options["mango_key"] and options["mango_salt"]):
        raise ValidationError("Для Манго нужны код ВАТС и ключ подписи из его личного кабинета.")
    options["extensions"] = _extensions(dict(options.get("extensions") or {}))
    if options.get("on_duty") in ("", None):
        options["on_duty"] = None
    elif Employee.get_or_none((Employee.id == int(options["on_duty"])) & Employee.active) is None:
        raise ValidationError("Дежурный сотрудник не найден или отключён.")
    else:
        options["on_duty"] = int(options["on_duty"])
    try:
        minutes = int(options["callback_minutes"])
    except (TypeError, ValueError):
        raise ValidationError("«Перезвонили в течение»: число минут.") from None
    if not 1 <= minutes <= 24 * 60:
        raise ValidationError("«Перезвонили в течение»: от 1 минуты до суток.")
    options["callback_minutes"] = minutes
    options["promise"] = bool(options.get("promise"))
    text = " ".join(str(options.get("promise_text") or "").split())
    if options["promise"] and not text:
        raise ValidationError("Напишите, что сказать клиенту, которому не ответили.")
    options["promise_text"] = text[:500]
    settings.put("telephony", options)
    return options
