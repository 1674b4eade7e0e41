"""Employees, crews, subcontractors, bonuses and fines, invites for the bots."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from core.access import Actor, require_money_of, require_role
from core.base.clock import utcnow
from core.base.db import database
from core.base.errors import Conflict, NotFound, ValidationError
from core.base.money import check_sum
from core.base.phones import normalize_phone
from core.base.security import hash_password, validate_password
from core.clients.models import Invite
from core.orders.models import Order
from core.people.models import ROLES, Bonus, Crew, Employee
from core.people.sessions import end_all_sessions

__all__ = [
    "add_bonus",
    "create_crew",
    "create_employee",
    "create_invite",
    "deactivate_employee",
    "set_password",
    "update_employee",
]

INVITE_DAYS = 7
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def create_employee(
    actor: Actor,
    name: str,
    role: str = "executor",
    *,
    position: str = "",
    crew_id: int | None = None,
    phone: str | None = None,
    email: str | None = None,
    is_external: bool = False,
    contacts: str = "",
    login: str | None = None,
    password: str | None = None,
) -> Employee:
    require_role(actor, "director")
    card = _card(name, role, position, crew_id, phone, email, is_external, contacts, login)
    if password is not None:
        problem = validate_password(password)
        if problem:
            raise ValidationError(problem)
    return Employee.create(**card, password_hash=hash_password(password) if password else None)


def _card(
    name: str,
    role: str,
    position: str,
    crew_id: int | None,
    phone: str | None,
    email: str | None,
    is_external: bool,
    contacts: str,
    login: str | None,
    employee_id: int | None = None,
) -> dict:
    """An employee card's fields checked and cleaned, for creating or editing one."""
    name = re.sub(r"\s+", " ", name or "").strip()
    if not name:
        raise ValidationError("Укажите имя сотрудника.")
    if role not in ROLES:
        raise ValidationError("Роль: директор, менеджер или исполнитель.")
    if is_external and role != "executor":
        raise ValidationError("Подрядчик (перезаказ) может быть только исполнителем.")
    if crew_id is not None and Crew.get_or_none(Crew.id == crew_id) is None:
        raise ValidationError(f"Бригада #{crew_id} не найдена.")
    login = (login or "").strip().lower() or None
    taken = Employee.select().where(Employee.login == login)
    if employee_id is not None:
        taken = taken.where(Employee.id != employee_id)
    if login and taken.exists():
        raise Conflict(f"Логин «{login}» уже занят.")
    return {
        "name": name, "role": role, "position": position.strip(), "crew": crew_id,
        "phone": normalize_phone(phone) if phone else None,
        "email": (email or "").strip().lower() or None,
        "is_external": is_external, "contacts": contacts.strip(), "login": login,
    }  # fmt: skip


def update_employee(
    actor: Actor,
    employee_id: int,
    *,
    name: str,
    role: str,
    position: str = "",
    crew_id: int | None = None,
    phone: str | None = None,
    email: str | None = None,
    is_external: bool = False,
    contacts: str = "",
    login: str | None = None,
) -> Employee:
    """The director edits a card; the password changes only through set_password."""
    require_role(actor, "director")
    employee = Employee.get_or_none(Employee.id == employee_id)
    if employee is None:
        raise NotFound("Сотрудник не найден.")
    if actor.employee_id == employee_id and role != "director":
        raise ValidationError("Нельзя снять с себя роль директора.")
    card = _card(
        name, role, position, crew_id, phone, email, is_external, contacts, login, employee_id
    )
    Employee.update(**card).where(Employee.id == employee_id).execute()
    return Employee.get_by_id(employee_id)


def set_password(actor: Actor, employee_id: int, password: str) -> None:
    if actor.employee_id != employee_id:
        require_role(actor, "director")
    problem = validate_password(password)
    if problem:
        raise ValidationError(problem)
    with database.atomic():
        Employee.update(password_hash=hash_password(password)).where(
            Employee.id == employee_id
        ).execute()
        end_all_sessions(employee_id)  # a leaked or forgotten login stops working at once


def deactivate_employee(actor: Actor, employee_id: int) -> None:
    """Soft delete: history keeps the name; the person can no longer log in or use the bot."""
    require_role(actor, "director")
    if actor.employee_id == employee_id:
        raise ValidationError("Нельзя отключить самого себя.")
    with database.atomic():
        if not Employee.update(active=False).where(Employee.id == employee_id).execute():
            raise NotFound("Сотрудник не найден.")
        from core.clients.models import MessengerLink

        MessengerLink.delete().where(MessengerLink.employee == employee_id).execute()
        end_all_sessions(employee_id)


def create_crew(actor: Actor, name: str) -> Crew:
    require_role(actor, "director", "manager")
    name = name.strip()
    if not name:
        raise ValidationError("Укажите название бригады.")
    if Crew.get_or_none(Crew.name == name):
        raise Conflict(f"Бригада «{name}» уже есть.")
    return Crew.create(name=name)


def create_invite(
    actor: Actor, *, employee_id: int | None = None, client_id: int | None = None
) -> Invite:
    """A one-time code for /start; valid a week, then refused."""
    require_role(actor, "director", "manager")
    if employee_id is not None:
        require_role(actor, "director")
        employee = Employee.get_or_none(Employee.id == employee_id)
        if employee is None or not employee.active:
            raise NotFound("Сотрудник не найден или отключён.")
    if (employee_id is None) == (client_id is None):
        raise ValidationError("Приглашение выдаётся сотруднику или клиенту.")
    return Invite.create(
        code=secrets.token_urlsafe(12),
        employee=employee_id,
        client=client_id,
        expires_at=utcnow() + timedelta(days=INVITE_DAYS),
        created_by=actor.employee_id,
    )


def add_bonus(
    actor: Actor, employee_id: int, kind: str, amount: int, reason: str, period: str
) -> Bonus:
    require_role(actor, "director")
    if kind not in ("bonus", "fine"):
        raise ValidationError("Вид: премия или штраф.")
    check_sum(amount, what="Сумма")
    if not reason.strip():
        raise ValidationError("Укажите причину.")
    if not _PERIOD.match(period):
        raise ValidationError("Период указывается как ГГГГ-ММ, например 2026-11.")
    if Employee.get_or_none(Employee.id == employee_id) is None:
        raise NotFound("Сотрудник не найден.")
    return Bonus.create(
        employee=employee_id, kind=kind, amount=amount, reason=reason.strip(), period=period,
        created_by=actor.employee_id,
    )  # fmt: skip


def bonuses_of(actor: Actor, employee_id: int) -> list[Bonus]:
    require_money_of(actor, employee_id)
    return list(
        Bonus.select().where(Bonus.employee == employee_id).order_by(Bonus.created_at.desc())
    )


def orders_done_by(employee_id: int) -> int:
    return Order.select().where((Order.executor == employee_id) & Order.is_archived).count()
