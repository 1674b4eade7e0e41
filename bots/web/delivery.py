"""The web chat as a delivery channel for staff who have no messenger.

Nothing is pushed: "sending" marks the outbox row as delivered on channel "web", and the
open web chat page asks for such rows every few seconds (short polling, /chat/api/poll).
A staff member whose only link is the web chat therefore gets new tasks, clients'
replies and mentions the next time the page looks — instead of "Нет доступного канала
связи"."""

from __future__ import annotations

from core.base.clock import utcnow
from core.base.config import Config
from core.base.interfaces import OutgoingMessage
from core.clients.models import MessengerLink
from core.conversations.models import Notification

__all__ = ["WebChatSender", "build", "latest_for", "waiting_for"]


class WebChatSender:
    channel = "web"

    def send(self, message: OutgoingMessage) -> str | None:
        return f"web:{message.address}"[:200]


def build(config: Config) -> WebChatSender:
    return WebChatSender()


def _delivered(chat_id: str):
    """Rows delivered on channel "web" to whoever this browser is bound to."""
    link = MessengerLink.get_or_none(
        (MessengerLink.channel == "web") & (MessengerLink.external_id == chat_id)
    )
    if link is None:
        return None
    if link.employee_id is not None:
        mine = (Notification.employee == link.employee_id) & (Notification.audience == "staff")
    elif link.client_id is not None:
        mine = (Notification.client == link.client_id) & (Notification.audience == "client")
    else:
        return None
    return Notification.select().where(mine & (Notification.sent_channel == "web"))


def latest_for(chat_id: str) -> int:
    query = _delivered(chat_id)
    row = query.order_by(Notification.id.desc()).first() if query is not None else None
    return row.id if row is not None else 0


def waiting_for(chat_id: str, after: int | None, limit: int = 20) -> list[Notification]:
    """Messages for this browser: after the row `after`, or (the page's first call) every
    one not shown yet — what came while the page was closed is not lost. Shown rows are
    marked seen."""
    query = _delivered(chat_id)
    if query is None:
        return []
    query = (
        query.where(Notification.id > after)
        if after is not None
        else query.where(Notification.seen_at.is_null())
    )
    rows = list(query.order_by(Notification.id).limit(limit))
    if rows:
        Notification.update(seen_at=utcnow()).where(
            Notification.id.in_([r.id for r in rows]) & Notification.seen_at.is_null()
        ).execute()
    return rows
