"""Staff: employees, crews, their web sessions, bonuses and fines."""

from __future__ import annotations

import peewee as pw

from core.base.clock import utcnow
from core.base.models import BaseModel

ROLES = ("director", "manager", "executor")


ROLES = ("director", "manager", "executor")
ROLE_NAMES = {"director": "Директор", "manager": "Менеджер", "executor": "Исполнитель"}


class Crew(BaseModel):
    name = pw.CharField(max_length=100, unique=True)
    active = pw.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class Employee(BaseModel):
    """Staff and subcontractors. A subcontractor is an executor flagged external."""

    name = pw.CharField(max_length=200)
    role = pw.CharField(max_length=16, default="executor", index=True)  # director|manager|executor
    position = pw.CharField(max_length=100, default="")  # free words: курьер, монтажник, дизайнер
    crew = pw.ForeignKeyField(Crew, null=True, backref="members", on_delete="SET NULL")
    phone = pw.CharField(max_length=20, null=True)
    email = pw.CharField(max_length=200, null=True)
    is_external = pw.BooleanField(default=False)  # перезаказ / подрядчик
    contacts = pw.TextField(default="")  # subcontractor's contact person, site, terms
    login = pw.CharField(max_length=100, null=True, unique=True)
    password_hash = pw.CharField(max_length=255, null=True)
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=utcnow)

    def __str__(self) -> str:
        return self.name


class Bonus(BaseModel):
    """A bonus or a fine for an employee, with a reason and a period ("2026-11")."""

    employee = pw.ForeignKeyField(Employee, backref="bonuses", on_delete="CASCADE")
    kind = pw.CharField(max_length=8)  # bonus | fine
    amount = pw.BigIntegerField()
    reason = pw.TextField()
    period = pw.CharField(max_length=7, index=True)
    created_at = pw.DateTimeField(default=utcnow)
    created_by = pw.ForeignKeyField(Employee, null=True, on_delete="SET NULL")


class StaffSession(BaseModel):
    """A login to the web admin, checked on every request: logout, a password change or
    deactivation ends it at once, whatever cookie a browser still holds."""

    token_hash = pw.CharField(max_length=64, unique=True)  # sha256 of the cookie's token
    employee = pw.ForeignKeyField(Employee, backref="+", on_delete="CASCADE", index=True)
    created_at = pw.DateTimeField(default=utcnow)
    ended_at = pw.DateTimeField(null=True)
