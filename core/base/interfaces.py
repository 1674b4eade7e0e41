"""Small interfaces core/ asks the outer layers to implement.

core/ never touches files, HTTP or messengers itself: a use case that needs to
store a file or send a message receives an object with one of these shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable

__all__ = [
    "CashRegister",
    "DeliveryError",
    "FileStore",
    "GatewayError",
    "GatewayPayment",
    "OutgoingMessage",
    "PaymentGateway",
    "RegisterAnswer",
    "RegisterError",
    "Sender",
    "StoredFile",
]


@dataclass(frozen=True)
class StoredFile:
    """What a store says about a file it keeps."""

    key: str  # backend-independent path, e.g. "Клиенты/Иванов И.И./2026-11-23 №123 Баннер/layout.pdf"
    size: int
    content_type: str = "application/octet-stream"


@runtime_checkable
class FileStore(Protocol):
    """Where order files, photos, receipts and documents live (local folders or Yandex Disk)."""

    def save(
        self, folder: str, name: str, data: bytes, content_type: str | None = None
    ) -> StoredFile:
        """Store bytes under folder/name (name made safe and unique); return the stored key."""

    def read(self, key: str) -> bytes:
        """Return the bytes of a stored file; raise FileNotFoundError if it is gone."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def share_link(self, key: str) -> str | None:
        """Publish a file or folder: a link anyone can open, or None when the backend cannot
        share. A network call: only when a person asks for it, never to show a page."""

    def unshare_link(self, key: str) -> None:
        """Close a published link (nothing to do when it was never published)."""

    def order_folder(
        self, client_name: str, order_date: date, number: int, description: str
    ) -> str:
        """The folder an order's files go to (the store knows which names are safe where)."""


class DeliveryError(Exception):
    """A channel could not deliver. permanent=True: do not retry this channel for this
    recipient. outage: the channel itself is down for everyone, and why ("dns", "refused",
    "timeout", "auth", "tls", "server", "network", "money"): core.channels.health counts it."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        outage: str | None = None,
    ):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.outage = outage


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to one address on one channel, as the outbox hands it to a transport."""

    address: str  # chat id, Viber user id, phone in E.164, e-mail
    text: str
    subject: str | None = None
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)  # rows of (label, payload)
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)  # (name, data, mime)
    headers: dict[str, str] = field(default_factory=dict)
    idempotency_key: str | None = None


class Sender(Protocol):
    """A transport for one channel. Raises DeliveryError; returns the platform's message id."""

    channel: str

    def send(self, message: OutgoingMessage) -> str | None: ...


class GatewayError(Exception):
    """The payment provider could not be reached or refused the request."""


@dataclass(frozen=True)
class GatewayPayment:
    """A payment as the provider's API reports it (never as a notification body claims)."""

    id: str
    status: str  # pending | waiting_for_capture | succeeded | canceled
    paid: bool
    amount: int  # kopecks
    currency: str
    metadata: dict[str, str] = field(default_factory=dict)
    confirmation_url: str = ""


class PaymentGateway(Protocol):
    """An online payment provider (YooKassa). Raises GatewayError."""

    def create(
        self,
        amount: int,
        description: str,
        idempotence_key: str,
        return_url: str,
        metadata: dict[str, str],
        receipt: dict | None = None,
    ) -> GatewayPayment: ...

    def fetch(self, payment_id: str) -> GatewayPayment: ...

    def refund(self, payment_id: str, amount: int, idempotence_key: str) -> str:
        """Return the refund's status ("succeeded", "pending" or "canceled")."""

    def trusted_source(self, ip: str) -> bool:
        """Whether a notification from this address may be from the provider."""


class RegisterError(Exception):
    """A cloud cash register could not take or report a receipt. permanent=True: the same
    request will never pass (bad data, wrong login); otherwise try again later."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class RegisterAnswer:
    """What the register says of one receipt: wait (queued there), done, or fail."""

    uuid: str
    status: str  # wait | done | fail
    fiscal: dict[str, str] = field(default_factory=dict)  # fn, fd, fp, when, total, link
    error: str = ""


class CashRegister(Protocol):
    """A cloud cash register (АТОЛ Онлайн first). `operation`: sell, sell_correction,
    sell_refund_correction; `receipt`: core.money.fiscal_checks' provider-neutral receipt.
    Sending the same external_id twice registers one receipt. Raises RegisterError."""

    name: str

    def send(self, operation: str, external_id: str, receipt: dict) -> RegisterAnswer: ...

    def report(self, uuid: str) -> RegisterAnswer: ...
