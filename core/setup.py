"""Bringing a database to life: schema, presets, expense categories, templates, cash desk."""

from __future__ import annotations

from core import migrations
from core.access import SYSTEM
from core.base import runtime, settings
from core.base.db import database
from core.base.security import generate_password
from core.conversations import mailboxes, templates
from core.money import cash
from core.orders import pipelines
from core.people.models import Employee

__all__ = ["create_director", "prepare"]


def prepare() -> tuple[int, int]:
    """Idempotent: safe on every start. Returns the schema (from, to) versions."""
    versions = migrations.upgrade()
    settings.split_old_company()
    runtime.refresh()  # the director's Настройки, now that their table is there
    with database.atomic():
        pipelines.ensure_presets()
        cash.ensure_categories()
        templates.ensure_presets()
        cash.main_account()
        mailboxes.sync(runtime.config())
    return versions


def create_director(
    name: str = "Директор", login: str = "director", password: str | None = None
) -> tuple[Employee, str]:
    """The first account; returns it with the password to print once."""
    from core.people.staff import create_employee

    password = password or generate_password()
    director = create_employee(SYSTEM, name, "director", login=login, password=password)
    return director, password
