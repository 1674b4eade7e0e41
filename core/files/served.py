"""Which stored file a person may open: the one read path from a storage key (or a record's id)
to the bytes the web serves. Only keys that belong to a record the person may see are
served: an attachment of a visible order, the order's preview, a paper of a visible order
whose sums the person may see, or (for whoever may see that desk) a receipt. A guessed key
is None, like a missing one."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from core.access import Actor, can_see_message, can_see_money_of, find_order, visible_orders
from core.conversations.models import Message
from core.documents.issue import may_read
from core.documents.models import Document
from core.files.models import Attachment
from core.files.names import clean_file_name
from core.money.models import Account, CashMovement
from core.orders.models import Order

__all__ = ["Served", "attachment_key", "document_key", "is_issued_paper", "preview_key", "served"]


@dataclass(frozen=True)
class Served:
    content_type: str
    name: str  # the file's own name, as the person gave it (made safe where it is shown)


def _order_visible(actor: Actor, order_id: int | None) -> bool:
    return order_id is not None and find_order(actor, order_id) is not None


def _attachment(actor: Actor, attachment: Attachment) -> Served | None:
    found = Served(attachment.content_type, clean_file_name(attachment.original_name))
    if attachment.message_id is not None:
        # A letter's file follows its letter: a mailbox one may not read hides it here too.
        message = Message.get_or_none(Message.id == attachment.message_id)
        if message is not None and message.dialogue_id is not None:
            if not can_see_message(actor, message):
                return None
            if actor.is_staff_office:
                return found
    if _order_visible(actor, attachment.order_id):
        return found
    if attachment.client_id and actor.is_staff_office:
        return found
    receipt = CashMovement.get_or_none(CashMovement.receipt == attachment.id)
    if receipt is not None:
        account = Account.get_or_none(Account.id == receipt.from_account_id)
        owner = account.employee_id if account else None
        if actor.is_director or (owner and can_see_money_of(actor, owner)):
            return found
    return None


def served(actor: Actor, key: str) -> Served | None:
    """What this person may open under a storage key, or None."""
    attachment = Attachment.get_or_none(Attachment.storage_key == key)
    if attachment is not None:
        found = _attachment(actor, attachment)
        if found is not None:
            return found
    if visible_orders(actor, Order.id).where(Order.preview == key).exists():
        return Served(mimetypes.guess_type(key)[0] or "image/jpeg", clean_file_name(key))
    doc = Document.get_or_none(Document.storage_key == key)
    if doc is not None and actor.is_staff_office and may_read(actor, doc.kind):
        # a paper prints sums: hidden from this person, its file is a 404 like a missing one
        return Served("application/pdf", clean_file_name(key))
    return None


def attachment_key(actor: Actor, attachment_id: int) -> str | None:
    """A file by its record (its key holds the order's folder path, which a person with
    «Папка» hidden may not read); served() still decides."""
    row = Attachment.get_or_none(Attachment.id == attachment_id)
    return row.storage_key if row is not None and served(actor, row.storage_key) else None


def document_key(actor: Actor, document_id: int) -> str | None:
    row = Document.get_or_none(Document.id == document_id)
    if row is None or not row.storage_key:
        return None
    return row.storage_key if served(actor, row.storage_key) else None


def preview_key(actor: Actor, order_id: int) -> str | None:
    """The order's preview picture (the one printed on the order form)."""
    order = find_order(actor, order_id)
    return order.preview if order is not None and order.preview else None


def is_issued_paper(key: str) -> bool:
    """A PDF the app itself made (it may open inside the card, ready for the printer)."""
    return Document.select().where(Document.storage_key == key).exists()
