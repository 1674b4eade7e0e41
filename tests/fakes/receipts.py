"""Phone photos of Russian cash receipts, made on the fly (never committed as binaries):
a paper strip with printed lines and the fiscal QR (54-ФЗ text, drawn with segno) on a
table, then what a phone does to it — rotation, a slanted view, blur, dim light, noise."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

__all__ = ["Shot", "fiscal_text", "receipt_photo", "photo_set"]


def fiscal_text(rng: random.Random, amount_kopecks: int | None = None) -> str:
    when = datetime(2026, 11, 1) + timedelta(minutes=rng.randrange(60 * 24 * 26))
    kop = amount_kopecks if amount_kopecks is not None else rng.randrange(5_000, 5_000_000)
    return (
        f"t={when:%Y%m%dT%H%M}&s={kop // 100}.{kop % 100:02d}"
        f"&fn={rng.randrange(10**15, 10**16)}&i={rng.randrange(1, 99_999)}"
        f"&fp={rng.randrange(10**9, 10**10)}&n=1"
    )


@dataclass(frozen=True)
class Shot:
    """How the phone took the picture."""

    size: tuple[int, int] = (4000, 3000)  # 12 Mpx
    angle: float = 0.0  # degrees the receipt lies turned on the table
    slant: float = 0.0  # 0..0.25: how far from straight above the phone was held
    blur: float = 0.0  # Gaussian radius at 12 Mpx
    light: float = 1.0  # 0.4 dim .. 1.0 daylight
    noise: int = 0  # sensor noise amplitude, 0..40
    qr: bool = True  # a receipt without a QR (old or torn)
    coverage: float = 0.55  # the receipt's height as a share of the photo's
    shop: str | None = None  # a shop's own QR (a link, a loyalty card) printed above the fiscal one


def _code(text: str) -> Image.Image:
    qr = segno.make(text, error="m", micro=False)
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=7, border=2)
    return Image.open(buf).convert("L")


def _paper(text: str | None, rng: random.Random, shop: str | None = None) -> Image.Image:
    """The receipt itself at print resolution: lines of "text" and the QR at the bottom (a
    shop's own code, when there is one, at the top)."""
    width, height = 580, 1500
    paper = Image.new("L", (width, height), 246)
    draw = ImageDraw.Draw(paper)
    y = 40
    if shop is not None:
        code = _code(shop)
        paper.paste(code, ((width - code.width) // 2, y))
        y += code.height + 30
    while y < height - 420:
        line = rng.randrange(180, width - 80)
        draw.rectangle((40, y, 40 + line, y + 12), fill=rng.randrange(40, 90))
        y += rng.choice((24, 24, 30, 44))
    if text is not None:
        code = _code(text)
        paper.paste(code, ((width - code.width) // 2, height - code.height - 40))
    return paper


def _slant(img: Image.Image, amount: float, rng: random.Random) -> Image.Image:
    """A perspective view: one edge of the picture farther from the lens than the other."""
    w, h = img.size
    dx, dy = w * amount * rng.uniform(0.5, 1), h * amount * rng.uniform(0.2, 0.6)
    # where the corners of the output come from in the input (PIL's PERSPECTIVE wants coeffs)
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    dst = [(dx, dy), (w - dx, 0), (w, h), (0, h - dy)]
    coeffs = _perspective_coeffs(dst, src)
    return img.transform((w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR)


def _perspective_coeffs(dst: list, src: list) -> list[float]:
    """Solve the 8 equations of a projective map (Gauss-Jordan; no numpy needed)."""
    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    for col in range(8):
        pivot = max(range(col, 8), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        lead = rows[col][col]
        rows[col] = [c / lead for c in rows[col]]
        for r in range(8):
            if r != col and rows[r][col]:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [row[8] for row in rows]


def receipt_photo(text: str | None, shot: Shot, seed: int = 0) -> bytes:
    """A JPEG as a phone would send it."""
    rng = random.Random(seed)
    paper = _paper(text if shot.qr else None, rng, shot.shop)
    w, h = shot.size
    scale = shot.coverage * h / paper.height
    paper = paper.resize((int(paper.width * scale), int(paper.height * scale)))
    mask = Image.new("L", paper.size, 255)
    if shot.slant:
        paper, mask = (_slant(layer, shot.slant, random.Random(seed)) for layer in (paper, mask))
    paper, mask = (
        layer.rotate(shot.angle, expand=True, resample=Image.Resampling.BICUBIC)
        for layer in (paper, mask)
    )
    photo = Image.new("L", (w, h), rng.randrange(70, 130))
    x = rng.randrange(0, max(1, w - paper.width))
    y = rng.randrange(0, max(1, h - paper.height))
    photo.paste(paper, (x, y), mask)
    if shot.blur:
        photo = photo.filter(ImageFilter.GaussianBlur(shot.blur * w / 4000))
    if shot.light != 1.0:
        photo = ImageEnhance.Brightness(photo).enhance(shot.light)
    if shot.noise:
        noise = Image.effect_noise((w, h), shot.noise)
        photo = Image.blend(photo, noise, 0.12)
    out = io.BytesIO()
    photo.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


SHOP_CODES = ("https://shop.example/app?utm=receipt", "https://club.example/card/0042-1177",
              "Скидка 10% на следующую покупку: SHOP-2026")  # fmt: skip


def photo_set(
    count: int, seed: int = 1, size: tuple[int, int] = (4000, 3000), *, shop: bool = False
):
    """(fiscal text or None, jpeg) pairs: every fifth receipt has no QR; the rest are
    turned, slanted, blurred, dimmed and noisy in varying measure. shop: every receipt
    also carries a shop's own code above the fiscal one (the same pictures otherwise)."""
    rng = random.Random(seed)
    for n in range(count):
        text = fiscal_text(rng)
        shot = Shot(
            size=size,
            angle=rng.uniform(-180, 180),
            slant=rng.choice((0, 0.05, 0.1, 0.15)),
            blur=rng.choice((0, 0.8, 1.5, 2.2)),
            light=rng.uniform(0.45, 1.0),
            noise=rng.choice((0, 15, 30)),
            qr=n % 5 != 4,
            coverage=rng.uniform(0.4, 0.7),
            shop=SHOP_CODES[n % len(SHOP_CODES)] if shop else None,
        )
        yield (text if shot.qr else None), receipt_photo(text, shot, seed=seed * 1000 + n)
