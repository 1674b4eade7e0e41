import io
import zlib

import pytest
from PIL import ExifTags, Image

from storage import images
from storage.images import ImageError, clean_copy, inspect, preview, thumbnail


def phone_photo(width=400, height=300, orientation=6, gps=True) -> bytes:
    """A JPEG as a phone writes it: pixels stored sideways plus an Orientation tag and GPS."""
    img = Image.new("RGB", (width, height), "white")
    img.paste((255, 0, 0), (0, 0, width // 2, height))  # left half red, right half white
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    if gps:
        exif[ExifTags.Base.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (55.0, 45.0, 21.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (37.0, 37.0, 4.0),
        }
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, quality=90)
    return buf.getvalue()


def png_header_claiming(width: int, height: int) -> bytes:
    """A 100-byte PNG whose header claims a huge canvas: the classic decompression bomb."""

    def chunk(kind, data):
        return (
            len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
        )

    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_source_photo_really_has_gps_and_orientation():
    exif = Image.open(io.BytesIO(phone_photo())).getexif()
    assert exif[ExifTags.Base.Orientation] == 6
    assert exif.get_ifd(ExifTags.IFD.GPSInfo)


def test_inspect_accepts_real_photo():
    info = inspect(phone_photo())
    assert (info.format, info.mime, info.width, info.height) == ("JPEG", "image/jpeg", 400, 300)


def test_clean_copy_is_upright_and_has_no_metadata():
    out = clean_copy(phone_photo())
    img = Image.open(io.BytesIO(out.data))
    # orientation 6 = rotate 90° clockwise to view: 400x300 stored becomes 300x400 upright
    assert img.size == (300, 400) == (out.width, out.height)
    # the red half was on the left; after rotating clockwise it is on top
    assert img.getpixel((150, 50))[0] > 200 and img.getpixel((150, 50))[1] < 60
    assert img.getpixel((150, 350)) > (200, 200, 200)
    assert len(img.getexif()) == 0
    assert "exif" not in img.info and "icc_profile" not in img.info
    assert b"PhoneMaker" not in out.data and b"GPS" not in out.data
    assert out.notice is None


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image at all", b"\xff\xd8\xff\xe0" + b"\x00" * 50, b"%PDF-1.4\n%\xe2\xe3"],
)
def test_things_that_are_not_images_are_refused_in_russian(data):
    with pytest.raises(ImageError, match="не является изображением или повреждён"):
        inspect(data)


def test_truncated_jpeg_is_refused():
    data = phone_photo()[:-600]
    with pytest.raises(ImageError, match="повреждено"):
        inspect(data)
    with pytest.raises(ImageError, match="повреждено"):
        thumbnail(data)


def test_decompression_bomb_is_refused_before_decoding():
    bomb = png_header_claiming(50_000, 50_000)
    assert len(bomb) < 200
    for fn in (inspect, thumbnail, clean_copy):
        with pytest.raises(ImageError, match="Изображение слишком большое.*допустимо до 120 Мп"):
            fn(bomb)


def test_file_over_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 1000)
    with pytest.raises(ImageError, match=r"Файл слишком большой: .* допустимо до 0 МБ"):
        inspect(b"x" * 2000)


def test_forty_megapixel_photo_is_kept_and_copies_are_downscaled(monkeypatch):
    # the same rule at a small scale: a limit of 40 000 px stands for 40 Mpx
    monkeypatch.setattr(images, "MAX_PIXELS", 40_000)
    photo = phone_photo(400, 300, orientation=1, gps=False)  # 120 000 px
    assert inspect(photo).width == 400  # accepted as is: the original is stored untouched
    out = clean_copy(photo, max_pixels=images.MAX_PIXELS)
    assert out.width * out.height <= 40_000 and abs(out.width / out.height - 4 / 3) < 0.02
    assert out.notice == (
        "Фото 400×300 (0,1 Мп) уменьшено до 230×173 для просмотра и отправки; оригинал сохранён без изменений."
    )


def test_real_forty_megapixel_jpeg_gets_a_russian_notice():
    img = Image.new("RGB", (8000, 5000), (10, 120, 200))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=50)
    out = clean_copy(buf.getvalue(), max_pixels=24_000_000)
    assert out.notice.startswith("Фото 8000×5000 (40 Мп) уменьшено до 6196×3872")
    assert out.width * out.height <= 24_000_000


def test_thumbnail_and_preview_sizes():
    photo = phone_photo(1600, 1200)
    thumb = Image.open(io.BytesIO(thumbnail(photo)))
    assert thumb.format == "JPEG" and thumb.size == (240, 320)  # upright, longest side 320
    prev = Image.open(io.BytesIO(preview(photo, max_side=800)))
    assert prev.size == (600, 800) and len(prev.getexif()) == 0


def test_transparent_png_preview_is_on_white():
    img = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    prev = Image.open(io.BytesIO(preview(buf.getvalue())))
    assert prev.mode == "RGB" and prev.getpixel((25, 25)) > (250, 250, 250)
