"""Download links for a file a channel cannot carry (an SMS, a Viber message): a random
token in the database, served by the web app without login, for that one file only,
until it expires. A random token is as unguessable as a signature, keeps the link short
enough for an SMS and lets a link be withdrawn by deleting its row."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from core.base.clock import utcnow
from core.files.models import FileLink

__all__ = ["LINK_DAYS", "link_for", "resolve"]

LINK_DAYS = 30  # long enough to open an invoice after a holiday, short enough to go stale


def link_for(note_id: int | None, key: str, base_url: str) -> tuple[str, datetime]:
    """(url, expires_at) of the file's link for this outbox row. A retried or re-sent row
    reuses its link, so the client never gets two different ones for one message."""
    now = utcnow()
    link = (
        FileLink.select()
        .where(
            (FileLink.notification == note_id)
            & (FileLink.storage_key == key)
            & (FileLink.expires_at > now + timedelta(days=1))
        )
        .order_by(FileLink.id.desc())
        .first()
    )
    if link is None:
        link = FileLink.create(
            token=secrets.token_urlsafe(18),
            storage_key=key,
            notification=note_id,
            expires_at=now + timedelta(days=LINK_DAYS),
        )
    return f"{base_url.rstrip('/')}/f/{link.token}", link.expires_at


def resolve(token: str) -> str | None:
    """The storage key behind a live link, or None (unknown, malformed or expired)."""
    if not token or len(token) > 64:
        return None
    link = FileLink.get_or_none((FileLink.token == token) & (FileLink.expires_at > utcnow()))
    return link.storage_key if link is not None else None
