"""Photos and layouts through Pillow: check, orient, clean, shrink.

Limits (decided here, documented for the director):
- a file over MAX_BYTES (20 MB) is refused before decoding;
- the pixel count is read from the header before decoding: over REFUSE_PIXELS (120 Mpx)
  is refused as a possible decompression bomb (a tiny PNG can claim 50 000 × 50 000);
- between MAX_PIXELS (40 Mpx) and REFUSE_PIXELS a photo is accepted: the original bytes are
  stored untouched (nothing lost) and every copy made here is downscaled to MAX_PIXELS,
  with a Russian notice the caller can show. Phones shoot 48–108 Mpx, so refusing them
  would make crews' photos bounce.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = [
    "MAX_BYTES",
    "MAX_PIXELS",
    "REFUSE_PIXELS",
    "CleanImage",
    "ImageError",
    "ImageInfo",
    "clean_copy",
    "inspect",
    "preview",
    "thumbnail",
]

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
REFUSE_PIXELS = 120_000_000
FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}


class ImageError(Exception):
    """An image cannot be accepted; the message is Russian and meant for the sender."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImageInfo:
    format: str
    mime: str
    width: int
    height: int

    @property
    def megapixels(self) -> float:
        return self.width * self.height / 1_000_000


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    mime: str
    width: int
    height: int
    notice: str | None = None  # e.g. "уменьшено до 40 Мп", for the person who sent it


def _mp(pixels: float) -> str:
    mp = pixels / 1_000_000
    return (f"{mp:.1f}" if mp < 10 else f"{mp:.0f}").replace(".", ",")


def _open(data: bytes) -> Image.Image:
    """Open lazily and check limits from the header, before any pixels are decoded."""
    if len(data) > MAX_BYTES:
        raise ImageError(
            f"Файл слишком большой: {len(data) / 1048576:.1f} МБ, допустимо до {MAX_BYTES // 1048576} МБ.".replace(
                ".", ",", 1
            )
        )
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 Mpx; our own limit below decides, with a Russian message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageError(
            f"Изображение слишком большое по числу точек — допустимо до {_mp(REFUSE_PIXELS)} Мп."
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageError(
            "Файл не является изображением или повреждён — пришлите фото в формате JPEG или PNG."
        ) from exc
    if img.format not in FORMATS:
        raise ImageError(f"Формат {img.format} не поддерживается — пришлите JPEG, PNG или WEBP.")
    pixels = img.width * img.height
    if pixels > REFUSE_PIXELS:
        raise ImageError(
            f"Изображение слишком большое: {img.width}×{img.height} ({_mp(pixels)} Мп), допустимо до {_mp(REFUSE_PIXELS)} Мп."
        )
    return img


def _load(data: bytes, target_pixels: int) -> Image.Image:
    """Decode, oriented upright. JPEG draft mode decodes at 1/2..1/8 scale when that is
    still larger than needed: a 12 Mpx thumbnail then costs a fraction of a full decode."""
    img = _open(data)
    if img.format == "JPEG" and img.width * img.height > target_pixels:
        scale = math.sqrt(target_pixels / (img.width * img.height))
        img.draft("RGB", (max(1, int(img.width * scale)), max(1, int(img.height * scale))))
    try:
        img.load()
        img = ImageOps.exif_transpose(img)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImageError("Изображение повреждено и не читается — пришлите файл ещё раз.") from exc
    return img


def inspect(data: bytes) -> ImageInfo:
    """Check that bytes are a real, complete image within the limits; nothing is changed."""
    img = _open(data)
    info = ImageInfo(
        format=img.format, mime=FORMATS[img.format], width=img.width, height=img.height
    )
    try:
        Image.open(io.BytesIO(data)).load()  # a truncated file fails only when decoded
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageError("Изображение повреждено и не читается — пришлите файл ещё раз.") from exc
    return info


def _flatten(img: Image.Image) -> Image.Image:
    """RGB on white: JPEG has no alpha, and a transparent layout must not turn black."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        bg = Image.new("RGB", img.size, "white")
        bg.paste(img, mask=img.getchannel("A"))
        return bg
    return img.convert("RGB") if img.mode != "RGB" else img


def _fit_pixels(img: Image.Image, max_pixels: int) -> Image.Image:
    pixels = img.width * img.height
    if pixels <= max_pixels:
        return img
    scale = math.sqrt(max_pixels / pixels)
    return img.resize((int(img.width * scale), int(img.height * scale)), Image.Resampling.LANCZOS)


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    # no exif=, no icc_profile=, no comment: nothing of the original metadata is carried over
    _flatten(img).save(buf, "JPEG", quality=quality, optimize=False, progressive=False)
    return buf.getvalue()


def clean_copy(data: bytes, max_pixels: int = MAX_PIXELS, quality: int = 88) -> CleanImage:
    """A copy to send outside: upright, no EXIF/GPS/ICC/comments, at most max_pixels."""
    original = _open(data)
    ow, oh = original.width, original.height
    img = _fit_pixels(_load(data, max_pixels), max_pixels)
    notice = None
    if ow * oh > max_pixels:
        notice = (
            f"Фото {ow}×{oh} ({_mp(ow * oh)} Мп) уменьшено до {img.width}×{img.height} "
            f"для просмотра и отправки; оригинал сохранён без изменений."
        )
    return CleanImage(
        data=_jpeg(img, quality),
        mime="image/jpeg",
        width=img.width,
        height=img.height,
        notice=notice,
    )


def thumbnail(data: bytes, size: int = 320, quality: int = 80) -> bytes:
    """A small JPEG for lists in the admin (longest side = size)."""
    img = _load(data, size * size * 4)
    img.thumbnail((size, size), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return _jpeg(img, quality)


def preview(data: bytes, max_side: int = 1200, quality: int = 85) -> bytes:
    """The picture for the order form: upright, on white, sharp enough for 300 dpi at ~10 cm."""
    img = _load(data, max_side * max_side * 4)
    img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return _jpeg(img, quality)
