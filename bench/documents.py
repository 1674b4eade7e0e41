"""Benchmark: invoice PDF render and a 12-Mpx photo thumbnail, each beside a bare-library
baseline measured in the same run. Prints figures; `make bench` or `python -m bench documents`.

Targets (issue 7): invoice render p95 < 150 ms; thumbnail of a 12-Mpx photo < 300 ms.
Issue 25: the invoice carries VAT, the advance taken off, the payment QR and signers' posts;
its p50 was 42 ms before them (goal 25 ms); the УПД is measured beside it.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import time

from fpdf import FPDF
from PIL import Image, ImageDraw

from core.documents import Company, LineItem, Party, SaleDocument, render_invoice, render_upd
from core.documents.pdf import SYSTEM_FONT_DIR
from storage.images import thumbnail


def measure(fn, runs: int) -> dict[str, float]:
    fn()  # warm-up: imports, caches
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
        "max": times[-1],
    }


def bare_pdf() -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", f"{SYSTEM_FONT_DIR}/DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", f"{SYSTEM_FONT_DIR}/DejaVuSans-Bold.ttf")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(0, 8, "Счёт на оплату № 12 от 23 ноября 2026 г.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for n in range(10):
        pdf.cell(0, 5, f"{n + 1}. Позиция — 1 500,00 руб.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def invoice_doc() -> SaleDocument:
    seller = Company(
        name="ООО «Печатный двор»", inn="7701234567", kpp="770101001", address="г. Москва, ул. Тверская, д. 7",
        bank="ПАО «Сбербанк»", bik="044525225", account="40702810938000012345",
        corr_account="30101810400000000225", director="Петров П.П.",
    )  # fmt: skip
    buyer = Party(
        "ООО «Ромашка»", kind="company", inn="7712345678", kpp="771201001", address="г. Москва"
    )
    items = tuple(
        LineItem(f"Позиция {n}: баннер 3×2 м, люверсы", 2, "шт", 150_000, 22, "796")
        for n in range(10)
    )
    # an advance already paid: the invoice asks for the rest and carries the payment QR
    return SaleDocument(
        12, dt.date(2026, 11, 23), seller, buyer, items, basis="Заказ № 123", paid=500_000
    )


def photo_12mp() -> bytes:
    img = Image.new("RGB", (4000, 3000))
    draw = ImageDraw.Draw(img)
    for i in range(0, 4000, 40):  # stripes so the JPEG is not trivially compressible
        draw.rectangle((i, 0, i + 20, 3000), fill=(i % 255, (i * 3) % 255, (i * 7) % 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def bare_thumbnail(data: bytes) -> bytes:
    img = Image.open(io.BytesIO(data))
    img.thumbnail((320, 320))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def main() -> None:
    doc = invoice_doc()
    photo = photo_12mp()
    rows = [
        ("bare fpdf2 one-page PDF, full fonts", measure(bare_pdf, 40), None),
        ("invoice PDF (10 lines), shipped fonts", measure(lambda: render_invoice(doc), 40), 150),
        ("УПД PDF (10 lines), shipped fonts", measure(lambda: render_upd(doc), 40), 150),
        (
            "invoice PDF, full system fonts",
            measure(lambda: render_invoice(doc, font_dir=SYSTEM_FONT_DIR), 40),
            None,
        ),
        ("bare Pillow thumbnail 12 Mpx", measure(lambda: bare_thumbnail(photo), 20), None),
        ("storage.images.thumbnail 12 Mpx", measure(lambda: thumbnail(photo), 20), 300),
    ]
    print(f"{'what':36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target")
    for name, r, target in rows:
        verdict = (
            ""
            if target is None
            else f"p95 < {target} ms: {'OK' if r['p95'] < target else 'MISSED'}"
        )
        print(f"{name:36} {r['p50']:8.1f} {r['p95']:8.1f} {r['max']:8.1f}  {verdict}")


if __name__ == "__main__":
    main()
