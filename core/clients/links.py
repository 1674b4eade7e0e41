"""Messenger accounts bound to people: invites for staff and clients, a shared phone
contact for clients (only as core.clients.identity allows). The bots ask here who is writing; nothing else decides it."""

from __future__ import annotations

import secrets
from datetime import timedelta

from core.base.clock import utcnow
from core.base.db import database
from core.base.errors import NotFound, ValidationError
from core.clients import identity
from core.clients.identity import SharedContact
from core.clients.models import Client, Invite, MessengerLink
from core.people.models import Employee

__all__ = [
    "accept_invite",
    "bind_client",
    "find_link",
    "follow_link",
    "link_client_by_phone",
    "mark_blocked",
    "unlink",
]


def find_link(channel: str, external_id: str) -> MessengerLink | None:
    """The binding of this messenger account, or None for a stranger. A link to a
    deactivated employee counts as none."""
    link = MessengerLink.get_or_none(
        (MessengerLink.channel == channel) & (MessengerLink.external_id == str(external_id))
    )
    if link is not None and link.employee_id is not None and not link.employee.active:
        return None
    return link


def _bind(
    channel: str,
    external_id: str,
    *,
    employee: Employee | None = None,
    client: Client | None = None,
    display_name: str = "",
) -> MessengerLink:
    """Point this account at the person (an account belongs to one person at a time)."""
    link = MessengerLink.get_or_none(
        (MessengerLink.channel == channel) & (MessengerLink.external_id == str(external_id))
    )
    if link is None:
        link = MessengerLink(channel=channel, external_id=str(external_id))
    link.employee = employee
    link.client = client
    link.display_name = (display_name or "")[:200]
    link.blocked = False
    link.save()
    return link


def accept_invite(
    channel: str, external_id: str, code: str, display_name: str = ""
) -> MessengerLink:
    """Bind the account to the invite's employee or client. Unknown, used or expired
    codes are refused with a clear sentence; nothing is written then."""
    code = (code or "").strip()
    if not code or len(code) > 64:
        raise ValidationError("Код приглашения не найден. Попросите у директора новую ссылку.")
    with database.atomic():
        invite = Invite.get_or_none(Invite.code == code)
        if invite is None:
            raise NotFound("Код приглашения не найден. Попросите у директора новую ссылку.")
        if invite.used_at is not None:
            raise ValidationError(
                "Это приглашение уже использовано. Попросите у директора новую ссылку."
            )
        if invite.expires_at < utcnow():
            raise ValidationError("Срок приглашения истёк. Попросите у директора новую ссылку.")
        employee = invite.employee if invite.employee_id else None
        if employee is not None and not employee.active:
            raise ValidationError("Учётная запись отключена. Обратитесь к директору.")
        # Conditional update: two people racing with one code — only one wins.
        won = (
            Invite.update(used_at=utcnow())
            .where((Invite.id == invite.id) & Invite.used_at.is_null())
            .execute()
        )
        if won != 1:
            raise ValidationError(
                "Это приглашение уже использовано. Попросите у директора новую ссылку."
            )
        client = invite.client if invite.client_id else None
        return _bind(
            channel, external_id, employee=employee, client=client, display_name=display_name
        )


def link_client_by_phone(contact: SharedContact, display_name: str = "") -> MessengerLink:
    """A person shared a phone contact: bind the account to the card with that phone when
    the platform proves it is the sender's own (core.clients.identity); else NotFound."""
    client = identity.proven_client(contact)
    if client is None:
        raise NotFound(
            "Не нашли клиента с этим номером. Позвоните нам — мы добавим ваш номер в карточку."
        )
    with database.atomic():
        return _bind(contact.channel, contact.sender_id, client=client, display_name=display_name)


def bind_client(
    channel: str, external_id: str, client: Client, display_name: str = ""
) -> MessengerLink:
    """Bind an account to a card the caller vouches for (core.clients.leads: a new lead's own)."""
    return _bind(channel, external_id, client=client, display_name=display_name)


def mark_blocked(channel: str, external_id: str, blocked: bool = True) -> int:
    """The person blocked the bot (or came back): deliveries skip blocked links."""
    return (
        MessengerLink.update(blocked=blocked)
        .where((MessengerLink.channel == channel) & (MessengerLink.external_id == str(external_id)))
        .execute()
    )


def unlink(channel: str, external_id: str) -> int:
    return (
        MessengerLink.delete()
        .where((MessengerLink.channel == channel) & (MessengerLink.external_id == str(external_id)))
        .execute()
    )


CLIENT_INVITE_DAYS = 90  # printed on an order form: it must outlive the order


def follow_link(client: Client) -> str:
    """Where a client follows their orders: the Telegram bot with a one-time code when the
    bot is configured, else the web chat with the same code. The open code is reused, so
    every message and form of one client carries the same link until it is used."""
    from core.base import runtime

    now = utcnow()
    invite = (
        Invite.select()
        .where((Invite.client == client.id) & Invite.used_at.is_null() & (Invite.expires_at > now))
        .order_by(Invite.expires_at.desc())
        .first()
    )
    if invite is None:
        invite = Invite.create(
            code=secrets.token_urlsafe(12),
            client=client.id,
            expires_at=now + timedelta(days=CLIENT_INVITE_DAYS),
        )
    config = runtime.config()
    if config.telegram.bot_username:
        return f"https://t.me/{config.telegram.bot_username.lstrip('@')}?start={invite.code}"
    return f"{config.app.base_url.rstrip('/')}/chat/?start={invite.code}"
