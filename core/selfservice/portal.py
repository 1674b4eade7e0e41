"""Client portal sign-in: a one-time code sent through the client's own channel (the
outbox picks it: messenger, SMS or e-mail), or a password the client set; and sessions
kept server-side, so signing out, a new password or the office can end them at once.

Limits (core.base.ratelimit: counted first, compared after, shared by workers): 3 codes per
contact and 10 per address in 15 minutes; 5 wrong tries per contact and address, 30 per
address; 5 tries per code. A stranger's contact is counted exactly like a client's, so the
answers never tell who is a client, and a request over the limit sends nothing."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

import peewee as pw

from core.access import Actor
from core.base import ratelimit, runtime
from core.base.clock import utcnow
from core.base.db import database
from core.base.errors import AccessDenied, ValidationError
from core.base.phones import normalize_phone
from core.base.ratelimit import TooManyAttempts
from core.base.security import check_password, hash_password, validate_password
from core.clients.models import Client
from core.conversations import outbox
from core.selfservice.models import PortalCode, PortalSession

__all__ = [
    "client_of_session",
    "close_session",
    "find_client",
    "open_session",
    "request_code",
    "revoke_sessions",
    "set_password",
    "sign_in_with_code",
    "sign_in_with_password",
]

CODE_MINUTES = 10
CODE_TRIES = 5
WINDOW = 15 * 60  # seconds: the sign-in limits' window
ABSOLUTE_HOURS = 24
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Compared against when the contact is unknown: the same work either way (no timing oracle).
_DUMMY_HASH = (
    "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
)
WRONG = "Неверный код или пароль. Проверьте и попробуйте ещё раз."


def _digest(text: str) -> str:
    key = (runtime.config().app.secret_key or "brigadir").encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _contact_key(contact: str) -> str:
    """The contact as one canonical string: E.164 phone or lower-case e-mail."""
    text = (contact or "").strip()
    if not text:
        raise ValidationError("Укажите телефон или e-mail.")
    if "@" in text:
        if not _EMAIL.match(text) or len(text) > 200:
            raise ValidationError(f"Не похоже на e-mail: «{text[:60]}».")
        return text.lower()
    return normalize_phone(text)


def find_client(contact: str) -> Client | None:
    key = _contact_key(contact)
    if "@" in key:
        return (
            Client.select()
            .where(Client.email.is_null(False) & (pw.fn.LOWER(Client.email) == key))
            .order_by(Client.id)
            .first()
        )
    return Client.select().where((Client.phone == key) | (Client.phone2 == key)).first()


def request_code(contact: str, ip: str, *, now: datetime | None = None) -> None:
    """Queue a 6-digit code for the client with this phone or e-mail. An unknown contact gets
    the same answer and no message: the page never tells who is a client."""
    key = _contact_key(contact)
    now = now or utcnow()
    # The contact, not the client, is counted: a stranger's phone is refused at the same try.
    limits = {f"portal-send-ip:{ip}": 10, f"portal-send:{_digest(key)[:32]}": 3}
    if not ratelimit.hit_all(limits, WINDOW, now=now):
        raise TooManyAttempts("Слишком много запросов кода. Попробуйте через 15 минут.")
    client = find_client(key)
    if client is None:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    with database.atomic():
        row = PortalCode.create(
            client=client,
            code_hash=_digest(f"{client.id}:{code}"),
            expires_at=now + timedelta(minutes=CODE_MINUTES),
            created_at=now,
        )
        outbox.notify_client(
            client,
            f"Код для входа в личный кабинет: {code}. Он действует {CODE_MINUTES} минут. "
            "Никому его не сообщайте.",
            subject="Код для входа в личный кабинет",
            key=f"portal-code:{row.id}",
        )


def _limits(key: str, ip: str) -> dict[str, int]:
    return {f"portal-login:{_digest(key)[:32]}|{ip}": 5, f"portal-ip:{ip}": 30}


def _try(key: str, ip: str, now: datetime | None = None) -> dict[str, int]:
    """Count a sign-in try before anything is checked (tries sent at once cannot all pass)."""
    limits = _limits(key, ip)
    if not ratelimit.hit_all(limits, WINDOW, now=now):
        raise TooManyAttempts("Слишком много неудачных попыток. Попробуйте через 15 минут.")
    return limits


def _succeeded(limits: dict[str, int], now: datetime | None = None) -> None:
    """A right code or password is not a failure: the pair's tries go, the address's returns."""
    pair, address = limits
    ratelimit.clear(pair, WINDOW)
    ratelimit.give_back(address, WINDOW, now=now)


def _code_tries_left(row: PortalCode) -> bool:
    """Each code is checked at most CODE_TRIES times, however many guesses arrive at once."""
    start = int(ratelimit.utc_seconds(row.created_at))
    return ratelimit.hit(f"portal-code:{row.id}", CODE_TRIES, CODE_MINUTES * 60, start=start)


def sign_in_with_code(contact: str, code: str, ip: str, *, now: datetime | None = None) -> Client:
    """The client whose latest live code this is; the code is spent. Wrong tries count."""
    key = _contact_key(contact)
    now = now or utcnow()
    limits = _try(key, ip, now)
    client = find_client(key)
    code = re.sub(r"\D", "", code or "")
    row = None
    if client is not None:
        row = (
            PortalCode.select()
            .where(
                (PortalCode.client == client.id)
                & PortalCode.used_at.is_null()
                & (PortalCode.expires_at > now)
                & (PortalCode.attempts < CODE_TRIES)
            )
            .order_by(PortalCode.id.desc())
            .first()
        )
    given = _digest(f"{client.id if client else 0}:{code}")
    if row is not None and not _code_tries_left(row):
        row = None  # this code has been guessed at enough: it is spent for good
    if row is None or not hmac.compare_digest(row.code_hash, given):
        if row is not None:
            PortalCode.update(attempts=PortalCode.attempts + 1).where(
                PortalCode.id == row.id
            ).execute()
        raise ValidationError(WRONG)
    spent = (
        PortalCode.update(used_at=now)
        .where((PortalCode.id == row.id) & PortalCode.used_at.is_null())
        .execute()
    )
    if not spent:  # the same code used twice at once: only one sign-in
        raise ValidationError(WRONG)
    _succeeded(limits, now)
    return client


def sign_in_with_password(contact: str, password: str, ip: str) -> Client:
    key = _contact_key(contact)
    limits = _try(key, ip)
    client = find_client(key)
    stored = client.portal_password_hash if client is not None else None
    ok = check_password(password or "", stored or _DUMMY_HASH)
    if not ok or client is None or not stored:
        raise ValidationError(WRONG)
    _succeeded(limits)
    return client


def set_password(actor: Actor, password: str, *, keep_token: str | None = None) -> None:
    """The client's own password; every other session of theirs ends."""
    if actor.kind != "client":
        raise AccessDenied("Пароль кабинета задаёт сам клиент.")
    problem = validate_password(password or "")
    if problem:
        raise ValidationError(problem)
    with database.atomic():
        Client.update(portal_password_hash=hash_password(password)).where(
            Client.id == actor.client_id
        ).execute()
        revoke_sessions(actor.client_id, keep_token=keep_token)


def open_session(client: Client, ip: str) -> str:
    """A new session; the browser keeps only the token (a fresh one each sign-in)."""
    token = secrets.token_urlsafe(32)
    PortalSession.create(token_hash=_digest(token), client=client, ip=(ip or "")[:64])
    return token


def client_of_session(token: str | None, *, now: datetime | None = None) -> Client | None:
    """The signed-in client, or None if the session ended, was revoked or sat idle too long."""
    if not token:
        return None
    now = now or utcnow()
    row = (
        PortalSession.select(PortalSession, Client)
        .join(Client)
        .where(PortalSession.token_hash == _digest(token))
        .first()
    )
    if row is None or row.revoked_at is not None:
        return None
    idle = timedelta(minutes=runtime.config().web.session_idle_minutes)
    if now - row.seen_at > idle or now - row.created_at > timedelta(hours=ABSOLUTE_HOURS):
        PortalSession.update(revoked_at=now).where(PortalSession.id == row.id).execute()
        return None
    if now - row.seen_at > timedelta(seconds=30):  # one write a minute at most
        PortalSession.update(seen_at=now).where(PortalSession.id == row.id).execute()
    return row.client


def close_session(token: str | None) -> None:
    if token:
        PortalSession.update(revoked_at=utcnow()).where(
            (PortalSession.token_hash == _digest(token)) & PortalSession.revoked_at.is_null()
        ).execute()


def revoke_sessions(client_id: int, *, keep_token: str | None = None) -> int:
    """End the client's sessions (all, or all but the one keeping `keep_token`)."""
    where = (PortalSession.client == client_id) & PortalSession.revoked_at.is_null()
    if keep_token:
        where &= PortalSession.token_hash != _digest(keep_token)
    return PortalSession.update(revoked_at=utcnow()).where(where).execute()
