import dataclasses
import datetime as dt
import io
import shutil
import subprocess

import pytest
from PIL import Image, ImageDraw

from core.documents import CashReceipt, Company, Contract, LineItem, OrderForm, Party, SaleDocument

for tool in ("pdftotext", "pdftoppm"):
    if shutil.which(tool) is None:  # Debian poppler-utils; CI installs it
        pytest.fail(f"{tool} не найден: установите poppler-utils", pytrace=False)


def pdf_text(pdf: bytes) -> str:
    # -raw keeps content-stream order: a label and its wrapped value stay together
    out = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")


def flat(text: str) -> str:
    """Layout text with all runs of whitespace as one space: wrapped phrases match again."""
    return " ".join(text.split())


def pdf_png(pdf: bytes, dpi: int = 150, page: int = 1) -> Image.Image:
    out = subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return Image.open(io.BytesIO(out.stdout))


def page_count(pdf: bytes) -> int:
    out = subprocess.run(
        ["pdfinfo", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return int(next(line for line in out.splitlines() if line.startswith("Pages:")).split()[1])


@pytest.fixture
def printshop():
    return Company(
        name="ООО «Печатный двор»",
        inn="7701234567",
        kpp="770101001",
        ogrn="1027700000001",
        address="125009, г. Москва, ул. Тверская, д. 7, оф. 12",
        phone="+7 495 123-45-67",
        bank="ПАО «Сбербанк России», г. Москва",
        bik="044525225",
        account="40702810938000012345",
        corr_account="30101810400000000225",
        director="Петров П.П.",
        accountant="Сидорова А.А.",
    )


@pytest.fixture
def installer():
    return Company(
        name="ООО «Электромонтаж»",
        inn="5047123456",
        kpp="504701001",
        address="Московская обл., г. Химки, ул. Ленина, д. 10",
        phone="+7 495 765-43-21",
        bank="ПАО «Сбербанк»",
        bik="044525225",
        account="40702810938000054321",
        corr_account="30101810400000000225",
        director="Сергеев Сергей Сергеевич",
    )


@pytest.fixture
def company_client():
    return Party(
        name="ООО «Ромашка»",
        kind="company",
        inn="7712345678",
        kpp="771201001",
        address="г. Москва, ул. Ленина, д. 1",
        phone="+7 916 000-00-00",
    )


@pytest.fixture
def person():
    return Party(
        name="Иванов Иван Иванович",
        phone="+7 916 123-45-67",
        address="Московская обл., г. Химки, ул. Садовая, д. 5",
        passport="4510 123456, выдан ОВД Химки 01.02.2010",
    )


@pytest.fixture
def items():
    return (
        LineItem("Баннер 3×2 м, печать 720 dpi, люверсы", "6", "м²", 150000, subject="goods"),
        LineItem("Визитки 90×50 мм, 4+4, 1000 шт.", 1, "шт.", 250000, subject="goods"),
        LineItem("Дизайн макета", 1, "усл.", 100000),
    )


@pytest.fixture
def sale(printshop, company_client, items):
    return SaleDocument(
        number=12,
        date=dt.date(2026, 11, 23),
        seller=printshop,
        buyer=company_client,
        items=items,
        basis="Заказ № 123 от 23.11.2026",
        pay_until=dt.date(2026, 11, 30),
    )


@pytest.fixture
def goods_sale(sale):
    """The sale's goods alone: what a ТОРГ-12 carries (the design is a service)."""
    return goods_of(sale)


def goods_of(doc: SaleDocument) -> SaleDocument:
    return dataclasses.replace(doc, items=tuple(i for i in doc.items if i.subject == "goods"))


@pytest.fixture
def layout_jpeg():
    img = Image.new("RGB", (1200, 600), (30, 90, 200))
    ImageDraw.Draw(img).rectangle((100, 100, 1100, 500), fill=(255, 220, 0))
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def order_form(printshop, person, items, layout_jpeg):
    return OrderForm(
        number=123,
        date=dt.date(2026, 11, 23),
        company=printshop,
        client=person,
        description="Баннер 3×2 м на люверсах, визитки, дизайн",
        total=1250000,
        advance=500000,
        due_date=dt.date(2026, 11, 25),
        items=items,
        manager="Мария Менеджерова",
        preview_jpeg=layout_jpeg,
        track_url="https://t.me/brigadir_bot?start=o123-3f9a1c",
    )


@pytest.fixture
def contract(installer, person):
    return Contract(
        number=45,
        date=dt.date(2026, 11, 23),
        company=installer,
        client=person,
        object_address="Московская обл., Солнечногорский р-н, СНТ «Берёзка», уч. 17",
        object_type="Дача / садовый участок",
        work="подача заявки на технологическое присоединение (15 кВт) и монтаж узла учёта",
        total=4500000,
        advance=1500000,
        city="г. Химки",
    )


@pytest.fixture
def receipt(installer):
    return CashReceipt(
        number=7,
        date=dt.date(2026, 11, 23),
        company=installer,
        payer="Иванов Иван Иванович",
        amount=1500000,
        purpose="Аванс по договору-расписке № 45 от 23.11.2026",
        cashier="Сергеев Сергей Сергеевич",
        cashier_post="Директор",
    )
