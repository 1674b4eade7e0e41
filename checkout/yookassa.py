"""core.base.interfaces.PaymentGateway over the official `yookassa` SDK. The SDK's API URL is
configuration ([yookassa] api_url), so tests drive the real SDK against a fake on 127.0.0.1;
the notification source check is the SDK's SecurityHelper (YooKassa's published networks)."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TypeVar

import requests
from yookassa import Configuration, Payment, Refund, Settings
from yookassa.client import ApiClient
from yookassa.domain.common.security_helper import SecurityHelper
from yookassa.domain.exceptions import (
    ApiError,
    ForbiddenError,
    InternalServerError,
    TooManyRequestsError,
    UnauthorizedError,
)

from core.base.config import YookassaSection
from core.base.interfaces import DeliveryError, GatewayError, GatewayPayment
from core.channels import health
from core.channels.outage import auth_error, outage, server_error

__all__ = ["TIMEOUT", "YooKassaGateway"]

# Seconds to connect to YooKassa and to wait for its answer. The SDK sends its requests with
# no timeout at all: a YooKassa that accepts and never answers held the client's «Оплатить»
# (and a web worker) for good. Its own "timeout" is only the pause between retries.
TIMEOUT = (3.0, 15.0)


class _ServerFailed(requests.RequestException):
    """YooKassa answered with a 5xx: the service's own trouble, whatever its body says (the
    SDK would read a proxy's HTML page as JSON and report only that it could not)."""

    def __init__(self, status: int):
        super().__init__(f"HTTP {status}")
        self.status = status


class _TimedSession(requests.Session):
    """The SDK's session, every request with TIMEOUT unless it names its own."""

    def request(self, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", TIMEOUT)
        response = super().request(*args, **kwargs)
        if response.status_code >= 500:
            raise _ServerFailed(response.status_code)
        return response


def _timed_session(client: ApiClient) -> requests.Session:
    session = _timed_session.sdk(client)  # type: ignore[attr-defined]
    timed = _TimedSession()
    timed.adapters = session.adapters  # the SDK's retries, as it mounts them
    return timed


_timed_session.sdk = getattr(ApiClient.get_session, "sdk", ApiClient.get_session)  # type: ignore[attr-defined]
ApiClient.get_session = _timed_session  # type: ignore[method-assign]


T = TypeVar("T")
NAME = "ЮKassa"


def _failure(exc: BaseException) -> DeliveryError | None:
    """What a failed call says about YooKassa itself (None: it answered, about this payment).
    The SDK wraps a network error in one of its own: the cause is looked for under it."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, _ServerFailed):
            return server_error(NAME, cause.status)
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, UnauthorizedError | ForbiddenError):
        return auth_error(NAME, "магазин не принят: проверьте shopId и секретный ключ")
    if isinstance(exc, InternalServerError | TooManyRequestsError):
        return server_error(NAME, exc.HTTP_CODE)
    if isinstance(exc, ApiError):
        return None  # a refusal about this request (400, 404): the service works
    return outage(NAME, exc)  # no answer at all


def _reported(call: Callable[[], T]) -> T:
    """One call to YooKassa, its outcome on the channel board like every channel's (the
    director sees a shop that stopped answering, and when it answers again)."""
    started = time.monotonic()
    try:
        result = call()
    except Exception as exc:  # noqa: BLE001 - any SDK or network failure is "not now"
        failure = _failure(exc)
        if failure is None:
            health.record_ok("yookassa", time.monotonic() - started)
            raise GatewayError(str(exc)) from exc
        health.record_failure("yookassa", str(failure), failure.outage or "network")
        raise GatewayError(str(failure)) from exc
    health.record_ok("yookassa", time.monotonic() - started)
    return result


def _value(kopecks: int) -> dict[str, str]:
    return {"value": f"{kopecks // 100}.{kopecks % 100:02d}", "currency": "RUB"}


def _kopecks(value: object) -> int:
    try:
        return int((Decimal(str(value)) * 100).to_integral_exact())
    except (InvalidOperation, ValueError):
        raise GatewayError(f"Непонятная сумма от ЮKassa: {value!r}") from None


def _payment(response: object) -> GatewayPayment:
    amount = getattr(response, "amount", None)
    confirmation = getattr(response, "confirmation", None)
    return GatewayPayment(
        id=str(response.id),
        status=str(response.status),
        paid=bool(getattr(response, "paid", False)),
        amount=_kopecks(getattr(amount, "value", "x")),
        currency=str(getattr(amount, "currency", "")),
        metadata={str(k): str(v) for k, v in (getattr(response, "metadata", None) or {}).items()},
        confirmation_url=str(getattr(confirmation, "confirmation_url", "") or ""),
    )


class YooKassaGateway:
    def __init__(self, conf: YookassaSection):
        # The SDK keeps its settings on the class: one shop per process.
        Configuration.configure(conf.shop_id, conf.shop_secret, api_url=conf.api_url.rstrip("/"))
        self.helper = SecurityHelper()

    def create(self, amount, description, idempotence_key, return_url, metadata, receipt=None):
        params = {
            "amount": _value(amount),
            "confirmation": {"type": "redirect", "return_url": return_url},
            "capture": True,
            "description": description[:128],
            "metadata": metadata,
        }
        if receipt:
            params["receipt"] = receipt
        return _payment(_reported(lambda: Payment.create(params, idempotence_key)))

    def fetch(self, payment_id):
        return _payment(_reported(lambda: Payment.find_one(payment_id)))

    def refund(self, payment_id, amount, idempotence_key):
        refund = {"payment_id": payment_id, "amount": _value(amount)}
        return str(_reported(lambda: Refund.create(refund, idempotence_key)).status)

    def check(self) -> None:
        """The light check of the channel board (scheduler.health.report records it): the
        shop's own settings, GET /me. Raises the DeliveryError of a YooKassa that is down."""
        try:
            Settings.get_account_settings()
        except Exception as exc:  # noqa: BLE001 - sorted by what it says about YooKassa
            failure = _failure(exc)
            if failure is not None:
                raise failure from exc

    def trusted_source(self, ip):
        try:
            return self.helper.is_ip_trusted(ip)
        except Exception:  # noqa: BLE001 - not an address at all
            return False
