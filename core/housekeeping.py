"""Rows that only matter for a while: expired download links and portal codes, ended
portal sessions, platform update ids past any redelivery. A nightly sweep keeps these
tables small however long the firm runs; nothing a person reads is removed."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.base.clock import utcnow
from core.base.db import database
from core.base.models import ProcessedUpdate
from core.files.models import FileLink
from core.selfservice.models import PortalCode, PortalSession
from core.selfservice.portal import ABSOLUTE_HOURS

__all__ = ["UPDATE_DAYS", "sweep"]

# Telegram keeps an undelivered update for 24 hours and Viber retries for hours: a week of
# update ids still drops any replay.
UPDATE_DAYS = 7


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Delete what has expired; returns the rows removed per kind (for the log)."""
    now = now or utcnow()
    with database.atomic():
        removed = {
            "file_links": FileLink.delete().where(FileLink.expires_at < now).execute(),
            "portal_codes": PortalCode.delete()
            .where(PortalCode.expires_at < now - timedelta(days=1))
            .execute(),
            "portal_sessions": PortalSession.delete()
            .where(
                PortalSession.revoked_at.is_null(False)
                | (PortalSession.created_at < now - timedelta(hours=ABSOLUTE_HOURS))
            )
            .execute(),
            "processed_updates": ProcessedUpdate.delete()
            .where(ProcessedUpdate.at < now - timedelta(days=UPDATE_DAYS))
            .execute(),
        }
    return removed
