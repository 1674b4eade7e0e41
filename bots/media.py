"""Fetching a file a platform links to (MAX, VK): never more than the firm's size limit."""

from __future__ import annotations

import requests

__all__ = ["fetch"]


def fetch(url: str, limit: int, timeout: float = 30) -> tuple[bytes, str]:
    """The file's bytes and its type; ValueError when it is over `limit` bytes (at most
    limit + 1 bytes are read, whatever the server claims)."""
    with requests.get(url, stream=True, timeout=timeout) as resp:
        resp.raise_for_status()
        data = resp.raw.read(limit + 1, decode_content=True)
        served = resp.headers.get("Content-Type", "application/octet-stream").split(";")[0]
    if len(data) > limit:
        raise ValueError("too big")
    return data, served
