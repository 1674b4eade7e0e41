"""Benchmark: reading the fiscal QR off 12 Mpx phone photos of receipts (generated here:
turned, slanted, blurred, dim, noisy; every fifth without a QR), beside a bare decoder call
on the whole picture, and zbar (pyzbar) when it is installed — the figures the choice of
zxing-cpp rests on. `python -m bench receipts`; BENCH_RECEIPTS=N photos (default 40).

Targets (issue 16): ≥ 95 % of readable codes read; p95 < 300 ms per 12 Mpx photo."""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.receipts import read_qr, read_qr_bare  # noqa: E402
from tests.fakes.receipts import photo_set  # noqa: E402


def _zbar() -> Callable[[bytes], str | None] | None:
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError):
        return None

    def read(data: bytes) -> str | None:
        img = Image.open(io.BytesIO(data)).convert("L")
        found = pyzbar.decode(img, symbols=[pyzbar.ZBarSymbol.QRCODE])
        return found[0].data.decode() if found else None

    return read


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main() -> None:
    count = int(os.environ.get("BENCH_RECEIPTS", "40"))
    started = time.perf_counter()
    shots = list(photo_set(count, seed=16))
    readable = sum(1 for text, _ in shots if text)
    print(f"  {count} photos of 4000×3000 ({readable} with a QR) made in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    readers = [("read_qr (ours: 2 Mpx first, retries)", read_qr),
               ("bare zxing-cpp, whole photo", read_qr_bare)]  # fmt: skip
    if (zbar := _zbar()) is not None:
        readers.append(("bare zbar (pyzbar), whole photo", zbar))
    read_qr(shots[0][1])  # warm-up: imports, the library's tables
    for label, reader in readers:
        hits = false = 0
        on_qr: list[float] = []
        on_plain: list[float] = []
        for text, jpg in shots:
            t = time.perf_counter()
            got = reader(jpg)
            ms = (time.perf_counter() - t) * 1000
            (on_qr if text else on_plain).append(ms)
            hits += bool(text) and got == text
            false += text is None and got is not None
        print(
            f"  {label:<38} read {hits}/{readable} ({100 * hits / readable:.0f} %)"
            f"  with QR p50 {_p(on_qr, 0.5):5.0f} ms p95 {_p(on_qr, 0.95):5.0f} ms"
            f"  | without QR p50 {_p(on_plain, 0.5):5.0f} ms p95 {_p(on_plain, 0.95):5.0f} ms"
            f"  | false reads {false}",
            flush=True,
        )
    _far_away()
    print("  targets: ≥ 95 % read, p95 < 300 ms (12 Mpx photo with a QR)")


def _far_away() -> None:
    """Receipts shot from afar (the QR ~1/15 of the photo's height): they need the full
    picture, so they cost more; reported apart, not hidden in the set above."""
    import random

    from tests.fakes.receipts import Shot, fiscal_text, receipt_photo

    rng = random.Random(61)
    hits, times = 0, []
    for n in range(8):
        text = fiscal_text(rng)
        shot = Shot(angle=rng.uniform(-180, 180), slant=0.05, blur=rng.choice((0, 0.8)),
                    light=rng.uniform(0.6, 1), noise=10, coverage=rng.uniform(0.15, 0.25))  # fmt: skip
        jpg = receipt_photo(text, shot, seed=n)
        t = time.perf_counter()
        hits += read_qr(jpg) == text
        times.append((time.perf_counter() - t) * 1000)
    print(f"  far-away receipts (read_qr)             read {hits}/8"
          f"  p50 {_p(times, 0.5):5.0f} ms p95 {_p(times, 0.95):5.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
