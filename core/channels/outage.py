"""What went wrong on the way to a platform, in the director's words (every adapter: bots/,
checkout/, storage/ — one classifier, so each channel's failure is counted alike).

Each adapter catches its library's errors; this module walks an exception's chain (requests
wraps urllib3, which wraps the socket error; aiohttp and smtplib do their own wrapping) and
names the cause: the address not found, the connection refused, no answer in time, a TLS
problem, a dropped connection. The kind decides how core.channels.health counts it."""

from __future__ import annotations

import asyncio
import socket
import ssl

from core.base.interfaces import DeliveryError

__all__ = ["KINDS", "auth_error", "classify", "outage", "server_error"]

KINDS = {
    "dns": "адрес сервера не найден (DNS) — нет интернета или адрес заблокирован",
    "refused": "сервер не принимает соединения",
    "timeout": "сервер не ответил вовремя",
    "tls": "не удалось установить защищённое соединение",
    "network": "соединение с сервером оборвалось",
}
_WORDS = (
    ("dns", ("name or service not known", "temporary failure in name resolution",
             "nodename nor servname", "getaddrinfo failed", "no address associated",
             "cannot connect to host", "name resolution")),
    ("refused", ("connection refused", "errno 111", "actively refused")),
    ("timeout", ("timed out", "timeout")),
    ("tls", ("ssl", "certificate")),
)  # fmt: skip


def _chain(exc: BaseException, depth: int = 0) -> list[BaseException]:
    """The exception, its causes and the exceptions in its args (requests keeps urllib3's
    reason there), at most a few levels deep."""
    if depth > 6:
        return []
    found = [exc]
    for inner in (exc.__cause__, exc.__context__, *getattr(exc, "args", ())):
        if isinstance(inner, BaseException) and inner is not exc:
            found += _chain(inner, depth + 1)
    reason = getattr(exc, "reason", None) or getattr(exc, "os_error", None)
    if isinstance(reason, BaseException):
        found += _chain(reason, depth + 1)
    return found


def classify(exc: BaseException) -> str:
    """dns | refused | timeout | tls | network."""
    chain = _chain(exc)
    for item in chain:
        if isinstance(item, socket.gaierror):
            return "dns"
        if isinstance(item, ConnectionRefusedError):
            return "refused"
        if isinstance(item, TimeoutError | socket.timeout | asyncio.TimeoutError):
            return "timeout"
        if isinstance(item, ssl.SSLError):
            return "tls"
    text = " ".join(f"{type(e).__name__} {e}" for e in chain).lower()
    for kind, words in _WORDS:
        if any(w in text for w in words):
            return kind
    return "network"


def outage(name: str, exc: BaseException) -> DeliveryError:
    """The DeliveryError of a platform that could not be reached at all."""
    kind = classify(exc)
    return DeliveryError(f"{name}: {KINDS[kind]}", outage=kind)


def server_error(name: str, status: int | str) -> DeliveryError:
    """The platform answered, with a failure of its own (HTTP 5xx or the like)."""
    return DeliveryError(f"{name}: сервер ответил ошибкой {status}", outage="server")


def auth_error(name: str, detail: str = "") -> DeliveryError:
    """The platform refuses the firm's token, key or password."""
    more = f" ({detail[:200]})" if detail else ""
    return DeliveryError(
        f"{name}: неверный токен или ключ доступа{more} — проверьте его в настройках",
        outage="auth",
    )
