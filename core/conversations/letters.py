"""A letter's HTML made safe to show, and its plain text when it has only HTML.

nh3 (Ammonia) keeps a safelist of tags and attributes: scripts, event handlers, styles
(CSS expressions, url() beacons), forms, frames and javascript: links are gone. Remote
images (tracking pixels among them) are removed until the reader asks for them; even
then only http(s) pictures load. Links open in a new tab without a referrer."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass

import nh3

__all__ = ["SafeLetter", "html_to_text", "safe_html"]

MAX_SHOWN = 300_000  # characters of HTML shown; the rest is cut with a note
_BLOCK = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h\d|/table)\b[^>]*>", re.IGNORECASE)
_REMOTE = ("http://", "https://", "//")


@dataclass(frozen=True)
class SafeLetter:
    html: str
    blocked_images: int  # remote pictures left out (0 when the reader allowed them)
    truncated: bool


def safe_html(raw: str, *, remote_images: bool = False) -> SafeLetter:
    blocked = 0
    truncated = len(raw or "") > MAX_SHOWN
    source = (raw or "")[:MAX_SHOWN]

    def keep(tag: str, attribute: str, value: str) -> str | None:
        nonlocal blocked
        if tag == "img" and attribute == "src":
            url = value.strip().lower()
            if url.startswith(_REMOTE):
                if remote_images:
                    return value
                blocked += 1
                return None
            return value if url.startswith("data:image/") else None
        if attribute == "href" and value.strip().lower().startswith("data:"):
            return None
        return value

    cleaned = nh3.clean(
        source,
        attributes={**nh3.ALLOWED_ATTRIBUTES, "a": {"href", "title"}, "*": {"title"}},
        attribute_filter=keep,
        url_schemes={"http", "https", "mailto", "tel", "data"},
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )
    return SafeLetter(cleaned, blocked, truncated)


def html_to_text(raw: str) -> str:
    """The readable text of an HTML body (for lists, search, and letters with no text part)."""
    if not raw:
        return ""
    marked = _BLOCK.sub("\n", raw)
    text = htmllib.unescape(nh3.clean(marked, tags=set()))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
