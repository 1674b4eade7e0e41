"""Is this really a picture? storage.images decides; flows speak in ValidationErrors."""

from __future__ import annotations

from core.base.errors import ValidationError
from storage.images import ImageError, inspect

__all__ = ["check_image"]


def check_image(data: bytes) -> str:
    """Return the image's mime type; a file that is not a sound picture of a sane size
    is refused with storage.images' Russian message."""
    try:
        return inspect(data).mime
    except ImageError as exc:
        raise ValidationError(str(exc)) from exc
