"""Reading the fiscal QR off a phone photo of a receipt (zxing-cpp through Pillow).

zxing-cpp was chosen over zbar (pyzbar + libzbar0) by `python -m bench receipts` on
generated 12 Mpx phone photos: it found more codes (turned, slanted, blurred, dim) in less
time, and needs no system library. A photo is read at about 2 Mpx first (JPEG's own
reduced decoding makes that cheap); only when that finds nothing are a few cheap retries
made: stretched contrast, a sharper scale, the full picture. A receipt without a readable
QR is simply a photo (None), as before."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import zxingcpp
from PIL import Image, ImageFilter, ImageOps

__all__ = ["read_qr", "read_qr_bare"]

FIRST_SIDE = 2000  # px of the first, cheap attempt: a receipt's QR is still ~150 px there


def _open(data: bytes, side: int | None) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    if side is not None and max(img.size) > side:
        shrink = max(img.size) / side  # JPEG decodes straight at 1/2, 1/4 or 1/8 scale
        img.draft("L", (int(img.width / shrink), int(img.height / shrink)))
    img = img.convert("L")  # no EXIF turn: the decoder reads a code at any angle
    if side is not None and max(img.size) > side:
        img.thumbnail((side, side), Image.Resampling.BILINEAR)
    return img


def _decode(img: Image.Image) -> list[str]:
    """Every QR code on the picture: a receipt may carry a shop's code beside the fiscal one."""
    codes = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    return [code.text for code in codes if code.text]


def _attempts(data: bytes) -> Iterator[Image.Image]:
    """Cheapest first; each later one fixes what an earlier one could not."""
    first = _open(data, FIRST_SIDE)
    yield first
    yield ImageOps.autocontrast(first, cutoff=2)  # dim light, grey paper
    small = first.copy()
    small.thumbnail((FIRST_SIDE // 2, FIRST_SIDE // 2))
    yield small  # heavy blur reads better smaller
    yield first.filter(ImageFilter.UnsharpMask(radius=2, percent=160))  # soft focus
    full = _open(data, None)
    if max(full.size) > max(first.size):
        yield full  # a small or far-away code needs every pixel


def read_qr(data: bytes, accept: Callable[[str], bool] | None = None) -> str | None:
    """The text of a QR code on the photo that `accept` takes (any code by default), or None
    (none, unreadable, not an image). Every code of an attempt is read, and an attempt that
    found only codes `accept` refuses (a shop's link) goes on to the next: the fiscal code
    beside a shop's one reads as well as a fiscal code alone."""
    try:
        for img in _attempts(data):
            for text in _decode(img):
                if accept is None or accept(text):
                    return text
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return None


def read_qr_bare(data: bytes) -> str | None:
    """The baseline for the bench: the library on the whole picture, no help."""
    img = Image.open(io.BytesIO(data)).convert("L")
    return next(iter(_decode(img)), None)
