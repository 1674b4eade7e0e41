"""The one validator of platform payloads: every webhook and chat endpoint reads its body here
(tests/test_choke_validators.py fails on one that reads `request` by itself).

A body that is too big, not UTF-8 JSON, not an object, nested absurdly deep, or missing the
shape the adapter relies on is refused — 400 with a Russian sentence — before anything is
read further, downloaded or written."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

__all__ = ["MAX_BODY", "Refused", "json_body", "raw_body", "refusal", "require"]

MAX_BODY = 1_000_000  # a platform's update is a few kilobytes; files come by URL
MAX_DEPTH = 32


class Refused(Exception):
    """An invalid payload; str() is the Russian sentence the sender gets."""


def refusal(exc: Refused) -> Response:
    return Response(str(exc), status=400, mimetype="text/plain; charset=utf-8")


def raw_body() -> bytes:
    """The request's bytes as sent (a signature is computed over them), size-capped."""
    if (request.content_length or 0) > MAX_BODY:
        raise Refused("Неверный запрос: тело слишком большое.")
    data = request.get_data(cache=True)
    if len(data) > MAX_BODY:
        raise Refused("Неверный запрос: тело слишком большое.")
    return data


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max([_depth(v, level + 1) for v in value.values()] or [level])
    if isinstance(value, list):
        return max([_depth(v, level + 1) for v in value] or [level])
    return level


def json_body(data: bytes | None = None) -> dict[str, Any]:
    """The body as a JSON object (the request's, or `data` already read)."""
    data = raw_body() if data is None else data
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refused("Неверный запрос: ожидался JSON в UTF-8.") from None
    if not isinstance(value, dict):
        raise Refused("Неверный запрос: ожидался объект JSON.")
    if _depth(value) > MAX_DEPTH:
        raise Refused("Неверный запрос: слишком глубокая вложенность.")
    return value


def require(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    """A field of the shape the adapter relies on, or a refusal that names it."""
    if value is None or not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise Refused(f"Неверный запрос: поле «{what}» не того вида.")
    return value


def items(value: Any, what: str) -> list[dict[str, Any]]:
    """A list of objects (attachments and the like); absent is an empty list."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise Refused(f"Неверный запрос: поле «{what}» не того вида.")
    return value
