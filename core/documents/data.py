"""Plain, frozen data a document is printed from. No database, no files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "CashReceipt",
    "Company",
    "Contract",
    "LineItem",
    "OrderForm",
    "Party",
    "SaleDocument",
    "vat_included",
]


@dataclass(frozen=True)
class Company:
    """The firm that issues the papers (our side)."""

    name: str
    inn: str = ""
    kpp: str = ""  # empty for an ИП
    ogrn: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    bank: str = ""
    bik: str = ""
    account: str = ""  # расчётный счёт
    corr_account: str = ""  # корреспондентский счёт
    director: str = ""  # who signs: "Петров П.П."
    director_title: str = "Руководитель"
    accountant: str = ""  # empty: the director signs for the accountant too
    vat_rate: int | None = None  # None: без НДС (УСН); otherwise percent included in prices


@dataclass(frozen=True)
class Party:
    """The client. A person needs a name (and a passport for the contract); a company
    needs INN and address for invoices, acts and waybills."""

    name: str
    kind: str = "person"  # person | company
    phone: str = ""
    address: str = ""
    inn: str = ""
    kpp: str = ""
    ogrn: str = ""
    passport: str = ""  # "серия 4510 № 123456, выдан ... 01.02.2010"
    bank: str = ""  # free text: bank, BIK, accounts, as the client gave them


@dataclass(frozen=True)
class LineItem:
    name: str
    qty: Decimal | int | str = 1
    unit: str = "шт."
    price: int = 0  # kopecks per unit

    @property
    def quantity(self) -> Decimal:
        return Decimal(str(self.qty))

    @property
    def amount(self) -> int:
        """Kopecks, rounded half up as accountants do (2,5 м² × 333,33)."""
        return int((self.quantity * self.price).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vat_included(total: int, rate: int | None) -> int | None:
    """VAT inside a VAT-inclusive total (kopecks), or None when the firm works без НДС."""
    if rate is None:
        return None
    return int((Decimal(total) * rate / (100 + rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class SaleDocument:
    """An invoice, an act or a waybill: the same parts, different wording."""

    number: int | str
    date: dt.date
    seller: Company
    buyer: Party
    items: tuple[LineItem, ...]
    basis: str = ""  # "Заказ № 123 от 23.11.2026"
    pay_until: dt.date | None = None  # invoices only

    @property
    def total(self) -> int:
        return sum(i.amount for i in self.items)

    @property
    def vat(self) -> int | None:
        return vat_included(self.total, self.seller.vat_rate)


@dataclass(frozen=True)
class OrderForm:
    """бланк заказа: printed at the counter, signed by the client."""

    number: int | str
    date: dt.date
    company: Company
    client: Party
    description: str
    total: int
    advance: int = 0
    due_date: dt.date | None = None
    items: tuple[LineItem, ...] = ()
    manager: str = ""
    preview_jpeg: bytes | None = None  # storage.images.preview() output
    track_url: str = ""  # where the client follows the order (Telegram/Viber deep link)

    @property
    def balance(self) -> int:
        return self.total - self.advance


@dataclass(frozen=True)
class Contract:
    """договор-расписка: the installer's contract with a receipt for the advance."""

    number: int | str
    date: dt.date
    company: Company
    client: Party
    object_address: str
    object_type: str
    work: str
    total: int
    advance: int
    city: str = ""
    representative: str = ""  # who takes the advance on site; defaults to the director
    extra_terms: tuple[str, ...] = field(default=())

    @property
    def balance(self) -> int:
        return self.total - self.advance


@dataclass(frozen=True)
class CashReceipt:
    """квитанция: a non-fiscal receipt for cash taken."""

    number: int | str
    date: dt.date
    company: Company
    payer: str
    amount: int
    purpose: str  # "Аванс по заказу № 123"
    cashier: str = ""
