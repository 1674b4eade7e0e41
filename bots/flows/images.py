"""Is this really a picture? A minimal Pillow check before anything is stored.

Lead: switch to storage.images.inspect() once branch `files` is merged (same contract:
bytes in, a Russian refusal out)."""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

from core.errors import ValidationError

__all__ = ["check_image"]

MAX_BYTES = 20 * 1024 * 1024
REFUSE_PIXELS = 120_000_000
MIMES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif",
         "BMP": "image/bmp", "TIFF": "image/tiff", "MPO": "image/jpeg"}  # fmt: skip

NOT_AN_IMAGE = "Это не похоже на фотографию. Пришлите снимок ещё раз (как фото, а не файлом)."


def check_image(data: bytes) -> str:
    """Return the image's mime type; raise ValidationError for anything that is not a
    sound picture of a sane size."""
    if len(data) > MAX_BYTES:
        raise ValidationError("Файл больше 20 МБ — такой не принимаем.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.width * img.height > REFUSE_PIXELS:
                    raise ValidationError("Снимок слишком большой по размеру в пикселях.")
                fmt = img.format or ""
                img.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:  # fmt: skip
        raise ValidationError(NOT_AN_IMAGE) from exc
    if fmt not in MIMES:
        raise ValidationError(NOT_AN_IMAGE)
    return MIMES[fmt]
