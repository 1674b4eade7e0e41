"""Clients: one card per person or firm, found fast by the first letters or the phone."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

import peewee as pw

from core.access import Actor, require_role
from core.base.clock import format_datetime, utcnow
from core.base.db import database
from core.base.errors import Conflict, NotFound, ValidationError
from core.base.phones import display_phone, normalize_phone
from core.clients import search
from core.clients.models import Client, ClientWord, MessengerLink
from core.clients.requisites import check_inn
from core.conversations.models import Dialogue, Message, Notification
from core.documents.models import Document
from core.files.models import Attachment
from core.money.models import Payment
from core.orders.models import Order
from core.tasks.models import Task

__all__ = [
    "EDITABLE_FIELDS",
    "client_list",
    "client_with_phone",
    "create_client",
    "find_clients",
    "fold_client",
    "index_words",
    "get_client",
    "mailing_choice",
    "set_mailings",
    "unsubscribe_by_token",
    "unsubscribe_token",
    "merge_clients",
    "recompute_client",
    "update_client",
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EDITABLE_FIELDS = (
    "name",
    "kind",
    "phone",
    "phone2",
    "email",
    "address",
    "inn",
    "kpp",
    "ogrn",
    "signer_post",
    "signer_name",
    "requisites",
    "notes",
    "opt_out",
)


def index_words(client: Client) -> None:
    """Rebuild the search words: name words, phone digits (with 7 and 8 prefixes), e-mail."""
    tokens = search.words(client.name, client.email.split("@")[0] if client.email else "")
    for phone in (client.phone, client.phone2):
        if phone and phone.startswith("+7"):
            national = phone[2:]
            tokens += [national, "7" + national, "8" + national]
        elif phone:
            tokens.append(phone.lstrip("+"))
    ClientWord.delete().where(ClientWord.client == client).execute()
    rows = [{"client": client.id, "word": w[:100]} for w in dict.fromkeys(tokens)]
    if rows:
        ClientWord.insert_many(rows).execute()


def _clean(fields: dict[str, Any], current: Client | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in fields.items():
        if key not in EDITABLE_FIELDS:
            raise ValidationError(f"Поле «{key}» у клиента не редактируется.")
        data[key] = value.strip() if isinstance(value, str) else value
    if "name" in data:
        data["name"] = re.sub(r"\s+", " ", data["name"] or "")
        if not data["name"]:
            raise ValidationError("Укажите имя клиента.")
        if len(data["name"]) > 300:
            raise ValidationError("Имя клиента слишком длинное (больше 300 символов).")
    for key in ("phone", "phone2"):
        if key in data:
            data[key] = normalize_phone(data[key]) if data[key] else None
    if data.get("email"):
        data["email"] = data["email"].lower()
        if not _EMAIL.match(data["email"]):
            raise ValidationError(f"Неверный e-mail: «{data['email']}».")
    elif "email" in data:
        data["email"] = None
    if data.get("inn"):
        data["inn"] = check_inn(data["inn"])  # digits and the checksum, refused in Russian
    if data.get("ogrn") and not re.fullmatch(r"\d{13}|\d{15}", data["ogrn"]):
        raise ValidationError("ОГРН — 13 цифр (организация) или 15 (ОГРНИП).")
    if data.get("kind", "person") not in ("person", "company"):
        raise ValidationError("Тип клиента: физлицо или организация.")
    if data.get("phone"):
        twin = client_with_phone(data["phone"], besides=current.id if current else None)
        if twin is not None:
            raise Conflict(
                f"Клиент с телефоном {display_phone(data['phone'])} уже есть: {twin.name} (карточка #{twin.id})."
            )
    return data


def client_with_phone(phone: str, *, besides: int | None = None) -> Client | None:
    """The card that already has this phone (any spelling of it), if there is one."""
    try:
        phone = normalize_phone(phone)
    except ValidationError:
        return None
    return Client.get_or_none((Client.phone == phone) & (Client.id != (besides or -1)))


def create_client(actor: Actor, name: str, phone: str | None = None, **fields: Any) -> Client:
    require_role(actor, "manager")
    data = _clean({"name": name, "phone": phone or "", **fields})
    with database.atomic():
        client = Client.create(**data)
        index_words(client)
    return client


def update_client(actor: Actor, client_id: int, **fields: Any) -> Client:
    require_role(actor, "manager")
    client = get_client(actor, client_id)
    data = _clean(fields, current=client)
    if "opt_out" in data and bool(data["opt_out"]) != client.opt_out:
        data.update(opt_out_at=utcnow(), opt_out_via="manager")  # changed on the card
    with database.atomic():
        for key, value in data.items():
            setattr(client, key, value)
        client.save()
        index_words(client)
    return client


# Where a client's choice about mailings was made, in the card's words.
VIA = {"telegram": "в Telegram", "max": "в MAX", "vk": "во ВКонтакте", "viber": "в Viber",
       "web": "в чате на сайте", "sms": "по SMS", "email": "по ссылке из письма",
       "link": "по ссылке из рассылки", "portal": "в личном кабинете",
       "manager": "сотрудник в карточке"}  # fmt: skip


def set_mailings(actor: Actor, client_id: int, wanted: bool, via: str) -> bool:
    """The client's own choice (or a manager's on their behalf): mailings or none. Messages
    about their own orders (readiness, payments) come either way. True if it changed."""
    if actor.kind == "client":
        if actor.client_id != client_id:
            raise NotFound("Клиент не найден.")
    else:
        require_role(actor, "manager")
    if via not in VIA:
        raise ValidationError("Неизвестно, откуда пришёл выбор.")
    return bool(
        Client.update(opt_out=not wanted, opt_out_at=utcnow(), opt_out_via=via)
        .where((Client.id == client_id) & (Client.opt_out == wanted))
        .execute()
    )


def _token_digest(client_id: int) -> str:
    from core.base import runtime

    secret = runtime.file_config().app.secret_key.encode()
    return hmac.new(secret, f"unsubscribe:{client_id}".encode(), hashlib.sha256).hexdigest()[:16]


def unsubscribe_token(client_id: int) -> str:
    """The short token of a mailing's one-click unsubscribe link (keyed with the install's
    secret: it cannot be guessed for another client, and needs no table)."""
    return f"{client_id}-{_token_digest(client_id)}"


def unsubscribe_by_token(token: str, via: str) -> Client | None:
    """The client of a valid token, now without mailings (None: a wrong token, nothing
    written). Following the link twice changes nothing the second time."""
    head, _, digest = (token or "").partition("-")
    if not head.isdigit() or len(head) > 12:
        return None
    if not hmac.compare_digest(digest.encode(), _token_digest(int(head)).encode()):
        return None
    client = Client.get_or_none(Client.id == int(head))
    if client is None:
        return None
    from core.access import actor_for_client

    set_mailings(actor_for_client(client.id, client.name), client.id, False, via)
    return Client.get_by_id(client.id)


def mailing_choice(client: Client) -> str:
    """«получает рассылки» / «отказался от рассылок 07.12.2026 10:15 в Telegram»."""
    said = "отказался от рассылок" if client.opt_out else "получает рассылки"
    if client.opt_out_at is None:
        return said
    return (
        f"{said} — {format_datetime(client.opt_out_at)} {VIA.get(client.opt_out_via, '')}".strip()
    )


def get_client(actor: Actor, client_id: int) -> Client:
    if actor.kind == "client" and actor.client_id != client_id:
        raise NotFound("Клиент не найден.")
    if actor.kind == "employee" and actor.role == "executor":
        visible = (
            Order.select().where((Order.client == client_id) & _executor_orders(actor)).exists()
        )
        if not visible:
            raise NotFound("Клиент не найден.")
    client = Client.get_or_none(Client.id == client_id)
    if client is None:
        raise NotFound("Клиент не найден.")
    return client


def _executor_orders(actor: Actor) -> pw.Expression:
    from core.access import visible_order_filter

    clause = visible_order_filter(actor)
    return clause if clause is not None else (Order.id > 0)


def find_clients(actor: Actor, query: str, limit: int = 10) -> list[Client]:
    """Clients whose every query word starts some word of theirs ("ива" finds Иванов,
    "ив пет" finds Пётр Иванов); digits search phones. Most recent customers first."""
    require_role(actor, "manager")
    matching = search.clients_matching(query)
    if matching is None:
        return []
    return list(
        Client.select()
        .where(Client.id.in_(matching))
        .order_by(Client.last_order_at.desc(nulls="LAST"), Client.id.desc())
        .limit(limit)
    )


def client_list(
    actor: Actor, *, limit: int = 50, before: tuple[Any, int] | None = None
) -> list[Client]:
    """Clients by last order date (keyset paging: pass the last row's (last_order_at, id))."""
    require_role(actor, "manager")
    query = Client.select().order_by(Client.last_order_at.desc(nulls="LAST"), Client.id.desc())
    if before is not None:
        at, cid = before
        if at is None:
            query = query.where(Client.last_order_at.is_null() & (Client.id < cid))
        else:
            query = query.where(
                (Client.last_order_at < at)
                | ((Client.last_order_at == at) & (Client.id < cid))
                | Client.last_order_at.is_null()
            )
    return list(query.limit(limit))


def recompute_client(client_id: int) -> None:
    """Recount a client's figures from their orders (after merges or repairs)."""
    figures = (
        Order.select(
            pw.fn.COUNT(Order.id),
            pw.fn.COALESCE(pw.fn.SUM(Order.cost), 0),
            pw.fn.COALESCE(pw.fn.SUM(Order.paid), 0),
            pw.fn.COALESCE(pw.fn.SUM(Order.debt), 0),
            pw.fn.MAX(Order.created_at),
        )
        .where(Order.client == client_id)
        .tuples()
        .get()
    )
    count, total, paid, debt, last = figures
    Client.update(
        orders_count=count, orders_total=total, paid_total=paid, debt=debt, last_order_at=last
    ).where(Client.id == client_id).execute()


def merge_clients(actor: Actor, keep_id: int, remove_id: int) -> Client:
    """Fold a duplicate card into another: orders, messages, documents, links move over."""
    require_role(actor, "manager")
    if keep_id == remove_id:
        raise ValidationError("Нельзя объединить клиента с самим собой.")
    keep, remove = get_client(actor, keep_id), get_client(actor, remove_id)
    return fold_client(keep, remove)


def fold_client(keep: Client, remove: Client) -> Client:
    """The merge itself, without the permission check: also core.clients.leads' way of joining a
    lead to the client a verified phone or a manager named."""
    with database.atomic():
        for model in (Order, Message, Document, Attachment, Notification, Task, Dialogue):
            model.update(client=keep).where(model.client == remove).execute()
        MessengerLink.update(client=keep).where(MessengerLink.client == remove).execute()
        for key in ("phone2", "email", "address", "inn", "kpp", "requisites"):
            if not getattr(keep, key) and getattr(remove, key):
                setattr(keep, key, getattr(remove, key))
        if not keep.phone2 and remove.phone and remove.phone != keep.phone:
            keep.phone2 = remove.phone
        keep.notes = "\n".join(n for n in (keep.notes, remove.notes) if n)
        keep.is_lead = keep.is_lead and remove.is_lead  # a real client folded in: no more a lead
        keep.source = keep.source or remove.source
        remove.delete_instance(recursive=False)
        keep.save()
        index_words(keep)
        recompute_client(keep.id)
    return Client.get_by_id(keep.id)


def payments_of(client_id: int) -> list[Payment]:
    return list(
        Payment.select().join(Order).where(Order.client == client_id).order_by(Payment.at.desc())
    )
