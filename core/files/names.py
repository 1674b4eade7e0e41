"""The one validator of file names that come from outside (a client's upload, a letter's
attachment, a messenger's document, a download link): every name is made safe here before it
is stored, shown or served.

Made safe: the name only, never a path ("../../x.sh" is "x.sh", "C:\\tmp\\a.pdf" is "a.pdf");
no bidirectional-text controls or other invisible format characters («Акт сверки\u202efdp.exe»
would show as «…exe.pdf»: it becomes «Акт сверкиfdp.exe», which shows what it is); no control
characters; no leading dots (hidden files); at most 200 characters, the extension kept."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

__all__ = ["MAX_NAME", "clean_file_name", "content_disposition"]

MAX_NAME = 200
_SPACES = re.compile(r"\s+")


def _visible(ch: str) -> bool:
    """Not a control (Cc) nor a format character (Cf: bidi embeddings, overrides and
    isolates, zero-width joiners, the BOM)."""
    return unicodedata.category(ch) not in ("Cc", "Cf")


def clean_file_name(raw: str | None, fallback: str = "файл") -> str:
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", str(raw or "")))
    text = "".join(ch for ch in text if _visible(ch))
    text = re.split(r"[/\\]", text)[-1]  # the last segment of any path: never a directory
    text = _SPACES.sub(" ", text).strip().lstrip(".").strip()
    if len(text) > MAX_NAME:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            text = stem[: MAX_NAME - len(ext) - 1].rstrip() + "." + ext
        else:
            text = text[:MAX_NAME].rstrip()
    return text or fallback


def content_disposition(name: str | None, *, inline: bool = False) -> str:
    """The Content-Disposition value for serving a file under its (cleaned) name: an ASCII
    fallback for old clients and the exact name in RFC 5987 form."""
    clean = clean_file_name(name)
    ascii_name = clean
    if not clean.isascii() or '"' in clean:
        ext = clean.rpartition(".")[2] if "." in clean else ""
        ascii_name = "file" + (f".{ext}" if ext.isascii() and ext.isalnum() else "")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(clean, safe='')}"
