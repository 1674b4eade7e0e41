"""File and folder names that are safe on Linux, Windows and Yandex Disk.

Client names come from people ("ООО "Ромашка" / филиал", "Иванов И.И."), so every
path segment is cleaned here, and stored keys are checked so no key can leave the root.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_SEGMENT", "check_key", "join_key", "safe_segment", "split_ext"]

MAX_SEGMENT = 120  # Windows MAX_PATH is 260 for the whole path; keep segments short
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_SPACES = re.compile(r"\s+")
_QUOTED = re.compile(r'"([^"]*)"')
_DOTS = re.compile(r"\.{2,}")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}


def safe_segment(raw: str, fallback: str = "без имени") -> str:
    """One path segment: no separators, no control chars, no reserved Windows names."""
    text = unicodedata.normalize("NFC", raw or "")
    text = _QUOTED.sub(r"«\1»", text)  # ООО "Ромашка" -> ООО «Ромашка»: '"' is forbidden on Windows
    text = _FORBIDDEN.sub(" ", text)
    text = _DOTS.sub(".", text)  # "И..И" and ".." never survive as traversal
    text = _SPACES.sub(" ", text).strip()
    text = text.strip(". ")  # Windows drops trailing dots/spaces; leading dot = hidden file
    stem, ext = split_ext(text)
    if ext and stem.rstrip(". "):
        text = stem.rstrip(". ") + ext  # "отчёт ?.pdf" -> "отчёт.pdf", not "отчёт .pdf"
    if len(text) > MAX_SEGMENT:
        stem, ext = split_ext(text)
        text = stem[: MAX_SEGMENT - len(ext)].rstrip(". ") + ext
    if not text:
        return fallback
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    return text


def split_ext(name: str) -> tuple[str, str]:
    """("макет.final", ".pdf") style split; a leading dot is not an extension."""
    dot = name.rfind(".")
    if dot <= 0 or len(name) - dot > 10:
        return name, ""
    return name[:dot], name[dot:]


def check_key(key: str) -> str:
    """Validate a stored key: relative POSIX path, no '..', no empty or unsafe segments."""
    if not isinstance(key, str) or not key or key.startswith(("/", "\\")) or "\\" in key:
        raise ValueError(f"Недопустимый путь к файлу: {key!r}")
    if re.match(r"^[A-Za-z]:", key):
        raise ValueError(f"Недопустимый путь к файлу: {key!r}")
    for part in key.split("/"):
        if part in ("", ".", "..") or safe_segment(part, fallback="") != part:
            raise ValueError(f"Недопустимый путь к файлу: {key!r}")
    return key


def join_key(folder: str, name: str) -> str:
    """Clean every segment of a folder ("A/B/C") and a file name into one key."""
    # "." / ".." / empty folder parts are dropped, never turned into a folder of their own
    parts = [
        seg
        for p in (folder or "").replace("\\", "/").split("/")
        if (seg := safe_segment(p, fallback=""))
    ]
    parts.append(safe_segment(name, fallback="файл"))
    return "/".join(parts)
