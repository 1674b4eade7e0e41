"""core.base.interfaces.PaymentGateway over the official `yookassa` SDK. The SDK's API URL is
configuration ([yookassa] api_url), so tests drive the real SDK against a fake on 127.0.0.1;
the notification source check is the SDK's SecurityHelper (YooKassa's published networks)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import requests
from yookassa import Configuration, Payment, Refund
from yookassa.client import ApiClient
from yookassa.domain.common.security_helper import SecurityHelper

from core.base.config import YookassaSection
from core.base.interfaces import GatewayError, GatewayPayment

__all__ = ["TIMEOUT", "YooKassaGateway"]

# Seconds to connect to YooKassa and to wait for its answer. The SDK sends its requests with
# no timeout at all: a YooKassa that accepts and never answers held the client's «Оплатить»
# (and a web worker) for good. Its own "timeout" is only the pause between retries.
TIMEOUT = (3.0, 15.0)


class _TimedSession(requests.Session):
    """The SDK's session, every request with TIMEOUT unless it names its own."""

    def request(self, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(*args, **kwargs)


def _timed_session(client: ApiClient) -> requests.Session:
    session = _timed_session.sdk(client)  # type: ignore[attr-defined]
    timed = _TimedSession()
    timed.adapters = session.adapters  # the SDK's retries, as it mounts them
    return timed


_timed_session.sdk = getattr(ApiClient.get_session, "sdk", ApiClient.get_session)  # type: ignore[attr-defined]
ApiClient.get_session = _timed_session  # type: ignore[method-assign]


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
        try:
            return _payment(Payment.create(params, idempotence_key))
        except Exception as exc:  # noqa: BLE001 - any SDK or network failure is "not now"
            raise GatewayError(str(exc)) from exc

    def fetch(self, payment_id):
        try:
            return _payment(Payment.find_one(payment_id))
        except Exception as exc:  # noqa: BLE001
            raise GatewayError(str(exc)) from exc

    def refund(self, payment_id, amount, idempotence_key):
        try:
            made = Refund.create(
                {"payment_id": payment_id, "amount": _value(amount)}, idempotence_key
            )
        except Exception as exc:  # noqa: BLE001
            raise GatewayError(str(exc)) from exc
        return str(made.status)

    def trusted_source(self, ip):
        try:
            return self.helper.is_ip_trusted(ip)
        except Exception:  # noqa: BLE001 - not an address at all
            return False
