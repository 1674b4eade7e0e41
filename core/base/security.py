"""Password hashing with the standard library's scrypt, who is asking (the client's address
behind trusted proxies) — no web framework in core/ — and the sealing of tokens kept in the
database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "check_password", "client_address", "generate_password", "hash_password", "seal", "unseal",
    "validate_password",
]  # fmt: skip

_N, _R, _P = 2**14, 8, 1
_COMMON = {"12345678", "123456789", "password", "qwertyui", "11111111", "1234567890", "йцукенгш"}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def check_password(password: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, n, r, p, salt, digest = stored.split("$")
    got = hashlib.scrypt(
        password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(got, base64.b64decode(digest))


def validate_password(password: str) -> str | None:
    """A Russian complaint about a weak password, or None when it will do."""
    if len(password) < 8:
        return "Пароль должен быть не короче 8 символов."
    if password.lower() in _COMMON:
        return "Этот пароль слишком распространён, придумайте другой."
    return None


def generate_password() -> str:
    return secrets.token_urlsafe(9)


def _networks(trusted: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry, strict=False) for entry in trusted]


def _is_trusted(address: str, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(environ: Mapping[str, Any], trusted: Iterable[str]) -> str:
    """Who is asking, for every door that counts or checks addresses (the widget, the portal,
    staff sign-in, YooKassa's notifications): the TCP peer (WSGI REMOTE_ADDR), unless that
    peer is one of `trusted` (config [web] trusted_proxies: addresses or networks) — then the
    nearest X-Forwarded-For hop that is not itself a trusted proxy. Anyone else's header is
    ignored, so a visitor cannot pick the address their tries are counted under."""
    peer = str(environ.get("REMOTE_ADDR") or "")
    networks = _networks(trusted)
    if not networks or not _is_trusted(peer, networks):
        return peer or "?"
    forwarded = str(environ.get("HTTP_X_FORWARDED_FOR") or "")
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop[:64]
    return peer


def _fernet(secret_key: str):
    from cryptography.fernet import Fernet

    key = hashlib.sha256(b"brigadir-settings:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str, secret_key: str) -> str:
    """A token or password encrypted with the install's secret key ([app] secret_key, which
    stays in config.toml): a backup without config.toml carries nothing usable."""
    return _fernet(secret_key).encrypt(text.encode()).decode()


def unseal(sealed: str, secret_key: str) -> str | None:
    """The text, or None when another install's key sealed it (a copy restored elsewhere)."""
    from cryptography.fernet import InvalidToken

    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None
