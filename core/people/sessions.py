"""Web admin sessions kept server-side. The browser holds a random token; the database holds
its hash and whether it still counts. Logout ends one session; a password change or a
deactivation ends every session of that employee at once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from core.base.clock import utcnow
from core.people.models import Employee, StaffSession

__all__ = ["employee_of", "end_all_sessions", "end_session", "start_session"]

KEEP = timedelta(days=7)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(employee_id: int) -> str:
    """A new session; returns the token to keep in the (signed) cookie."""
    token = secrets.token_urlsafe(32)
    StaffSession.create(token_hash=_hash(token), employee=employee_id)
    # Housekeeping: a session lives a day at most (admin.auth), so week-old rows are history.
    StaffSession.delete().where(StaffSession.created_at < utcnow() - KEEP).execute()
    return token


def employee_of(token: str) -> Employee | None:
    """The active employee of a live session, or None (ended, unknown, person switched off)."""
    if not token:
        return None
    return (
        Employee.select()
        .join(StaffSession, on=(StaffSession.employee == Employee.id))
        .where(
            (StaffSession.token_hash == _hash(token))
            & StaffSession.ended_at.is_null()
            & Employee.active
        )
        .first()
    )


def end_session(token: str) -> None:
    StaffSession.update(ended_at=utcnow()).where(
        (StaffSession.token_hash == _hash(token)) & StaffSession.ended_at.is_null()
    ).execute()


def end_all_sessions(employee_id: int) -> int:
    """End every open session of an employee; returns how many were open."""
    return (
        StaffSession.update(ended_at=utcnow())
        .where((StaffSession.employee == employee_id) & StaffSession.ended_at.is_null())
        .execute()
    )
