"""The one identity rule: when a phone passed in a chat may tie that chat to a client.

A phone proves nothing by itself: anyone can type a client's number or send their contact
card. Only a platform that says *whose* contact it is — and says it is the sender's own —
proves ownership. Each platform declares here, once, whether it does and how; everything
that links a messenger account to a client by phone or joins a lead to a client by phone
asks `proven_client` (tests/test_architecture.py fails on a new path that does not).

- Telegram: Message.contact.user_id is the Telegram account the contact belongs to; the
  "share my phone" button sends the sender's own (core.telegram.org/bots/api#contact).
- MAX: a contact attachment's payload.max_info is the MAX user the contact belongs to
  (dev.max.ru, ContactAttachmentPayload; the request_contact button sends the sender's own).
- Viber: a ContactMessage carries a name and a phone only — any card can be sent. Never.
- VK, the web chat, the site widget, SMS, e-mail, a typed number: nothing vouches. Never.
A phone that proves nothing is still kept on a lead for the manager, who confirms it."""

from __future__ import annotations

from dataclasses import dataclass

from core.base.phones import normalize_phone
from core.clients.models import Client

__all__ = ["NEVER", "PROVES_OWNER", "SharedContact", "proven_client", "proves_owner"]

# Platforms that say whose a shared contact is, and the field they say it in.
PROVES_OWNER = {
    "telegram": "contact.user_id — the account the contact belongs to",
    "max": "payload.max_info.user_id — the account the contact belongs to",
}
# Platforms whose contacts never prove anything, and why.
NEVER = {
    "viber": "a contact card carries only a name and a phone",
    "vk": "no contact type: a phone is text",
    "web": "typed",
    "widget": "typed",
    "sms": "a number in a text",
    "email": "a number in a letter",
    "phone": "a caller's number is what the network shows: it opens that client's card for "
    "staff (core.calls), never links an account",
}


@dataclass(frozen=True)
class SharedContact:
    """A phone passed in a chat: a platform's contact card or the number typed.
    owner_id: whose contact the platform says it is (None where it does not say)."""

    channel: str
    sender_id: str
    phone: str
    owner_id: str | None = None

    @classmethod
    def typed(cls, channel: str, sender_id: str, phone: str) -> SharedContact:
        return cls(channel, str(sender_id), phone, None)


def proves_owner(contact: SharedContact) -> bool:
    """The platform vouches that this is the sender's own phone."""
    if contact.channel not in PROVES_OWNER:
        return False
    return bool(contact.owner_id) and str(contact.owner_id) == str(contact.sender_id)


def proven_client(contact: SharedContact, *, besides: int | None = None) -> Client | None:
    """The client whose phone (main or second) this proven contact is; None when the contact
    proves nothing or nobody has the phone. A bad phone raises the phone's Russian sentence."""
    phone = normalize_phone(contact.phone)
    if not proves_owner(contact):
        return None
    return (
        Client.select()
        .where(
            ((Client.phone == phone) | (Client.phone2 == phone)) & (Client.id != (besides or -1))
        )
        .order_by(Client.id)
        .first()
    )
