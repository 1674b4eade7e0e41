"""A letter's bodies as readable text, whatever its charset claims.

Mail from Russian clients still comes as windows-1251 or KOI8-R, sometimes with no
charset, a wrong one or one Python does not know ("x-user-defined", "win-1251"). The
declared charset is tried strictly first, then UTF-8, then charset-normalizer's guess;
only then are undecodable bytes replaced. A letter is never dropped for its encoding."""

from __future__ import annotations

import codecs
import re
from email import message_from_bytes
from email.message import Message as EmailMessage

from charset_normalizer import from_bytes

__all__ = ["bodies", "decode"]

MAX_BODY = 2_000_000  # characters of text or HTML kept per letter: a 20 MB body is a mistake
ALIASES = {"win-1251": "cp1251", "windows1251": "cp1251", "koi8r": "koi8-r", "x-cp1251": "cp1251",
           "cp-1251": "cp1251", "utf8": "utf-8"}  # fmt: skip


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = ALIASES.get(name.strip().lower(), name.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data: bytes, declared: str | None = None) -> str:
    for codec in (_codec(declared), "utf-8"):
        if codec:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                pass
    guess = from_bytes(data[:200_000]).best()
    if guess is not None and guess.encoding:
        return data.decode(guess.encoding, "replace")
    return data.decode("cp1251", "replace")


def _salvage(raw: EmailMessage, depth: int) -> tuple[str, str]:
    """A multipart whose boundary is wrong or missing comes out of the parser as one lump of
    text: read it again with the boundary its own lines use, else show the lump as text."""
    try:
        data = raw.get_payload(decode=True)  # the lump's bytes as sent (8-bit kept)
    except Exception:  # noqa: BLE001 - nothing readable at all
        return "", ""
    if not isinstance(data, bytes) or not data.strip():
        return "", ""
    found = re.search(rb"^--([ -~]{1,200}?)[ \t]*\r?$", data, re.MULTILINE)
    if found and depth < 2:
        head = b'Content-Type: multipart/mixed; boundary="' + found.group(1) + b'"\r\n\r\n'
        again = message_from_bytes(head + data)
        if again.is_multipart():
            text, html = _bodies(again, depth + 1)
            if text or html:
                return text, html
    return decode(data), ""


def bodies(raw: EmailMessage) -> tuple[str, str]:
    """(plain text, HTML) of a parsed letter, attachments skipped, each capped. A broken
    multipart is read best-effort: its words are shown, never only the parse error."""
    return _bodies(raw, 0)


def _bodies(raw: EmailMessage, depth: int) -> tuple[str, str]:
    text: list[str] = []
    html: list[str] = []
    if raw.get_content_maintype() == "multipart" and not raw.is_multipart():
        return _salvage(raw, depth)
    for part in raw.walk():
        if part.is_multipart() or part.get_filename():
            continue
        kind = part.get_content_type()
        if kind not in ("text/plain", "text/html"):
            continue
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:  # noqa: BLE001 - broken transfer encoding: keep the raw text
            payload = str(part.get_payload()).encode("utf-8", "replace")
        charset = part.get_param("charset")
        value = decode(payload, charset if isinstance(charset, str) else None)
        (html if kind == "text/html" else text).append(value)
    return "".join(text)[:MAX_BODY], "".join(html)[:MAX_BODY]
