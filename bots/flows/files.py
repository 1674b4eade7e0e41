"""Checking what people send before anything is stored."""

from __future__ import annotations

from bots.flows.images import check_image
from bots.flows.types import InFile
from core.base.errors import ValidationError
from storage.images import FORMATS

__all__ = ["as_file", "as_image", "is_picture"]

PICTURES = frozenset(FORMATS.values())  # what Pillow checks; SVG or HEIC travel as files


def as_image(file: InFile) -> tuple[str, bytes, str]:
    """A photo (or an image sent as a file): (name, bytes, mime), validated by Pillow."""
    mime = check_image(file.data)
    name = file.name or "photo.jpg"
    return name, file.data, mime


def is_picture(file: InFile) -> bool:
    return file.is_photo or file.mime in PICTURES


def as_file(file: InFile) -> tuple[str, bytes, str]:
    """Any file for an order; something sent as a photo must still be a picture."""
    if is_picture(file):
        return as_image(file)
    if not file.data:
        raise ValidationError("Файл пустой.")
    return file.name or "file", file.data, file.mime or "application/octet-stream"
