"""Checking what people send before anything is stored."""

from __future__ import annotations

from bots.flows.images import check_image
from bots.flows.types import InFile
from core.errors import ValidationError

__all__ = ["as_image", "as_file"]


def as_image(file: InFile) -> tuple[str, bytes, str]:
    """A photo (or an image sent as a file): (name, bytes, mime), validated by Pillow."""
    mime = check_image(file.data)
    name = file.name or "photo.jpg"
    return name, file.data, mime


def as_file(file: InFile) -> tuple[str, bytes, str]:
    """Any file for an order; something sent as a photo must still be a picture."""
    if file.is_photo or file.mime.startswith("image/"):
        return as_image(file)
    if not file.data:
        raise ValidationError("Файл пустой.")
    return file.name or "file", file.data, file.mime or "application/octet-stream"
