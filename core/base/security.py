"""Password hashing with the standard library's scrypt (no web framework in core/)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["check_password", "generate_password", "hash_password", "validate_password"]

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
