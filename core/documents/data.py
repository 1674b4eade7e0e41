"""Plain, frozen data a document is printed from. No database, no files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from core.money.taxes import amount_of, vat_in

__all__ = [
    "CashReceipt",
    "Company",
    "Contract",
    "LineItem",
    "OrderForm",
    "Party",
    "SaleDocument",
    "initials",
]


def initials(full_name: str) -> str:
    """ "Сергеев Сергей Сергеевич" → "Сергеев С.С." (a name already short stays as it is)."""
    parts = full_name.split()
    if len(parts) < 2 or any(p.endswith(".") for p in parts[1:]):
        return full_name.strip()
    rest = [p for p in parts[1:3] if p[:1].isalpha()]
    return f"{parts[0]} " + "".join(f"{p[0].upper()}." for p in rest)


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
    director: str = ""  # the head's full name, "Петров Пётр Петрович" (initials printed by lines)
    director_post: str = "Директор"
    director_basis: str = "Устав"  # what the head acts on: «действующего на основании Устава»
    accountant: str = ""  # chief accountant's name; empty: no accountant's line at all
    no_vat_reason: str = ""  # printed instead of the VAT sum when no line carries VAT

    @property
    def is_entrepreneur(self) -> bool:
        """An ИП: a 12-digit ИНН or a name that says so."""
        name = self.name.strip().lower()
        return len(self.inn) == 12 or name.startswith(("ип ", "индивидуальный предприниматель"))


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
    signer_post: str = ""  # who signs for a company client: "Генеральный директор"
    signer_name: str = ""

    @property
    def is_person(self) -> bool:
        return self.kind != "company"


@dataclass(frozen=True)
class LineItem:
    name: str
    qty: Decimal | int | str = 1
    unit: str = "шт"
    price: int = 0  # kopecks per unit, VAT included
    vat_rate: int | None = None  # percent; None: без НДС
    okei: str = ""  # the unit's ОКЕИ code (796 for шт)
    subject: str = "service"  # goods | work | service

    @property
    def quantity(self) -> Decimal:
        return Decimal(str(self.qty))

    @property
    def amount(self) -> int:
        """Kopecks, rounded half up as accountants do (2,5 м² × 333,33)."""
        return amount_of(self.quantity, self.price)

    @property
    def vat(self) -> int | None:
        """This line's VAT in kopecks (the one rounding rule: per line, half up)."""
        return vat_in(self.amount, self.vat_rate)

    @property
    def without_vat(self) -> int:
        return self.amount - (self.vat or 0)


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
    paid: int = 0  # advances already received: an invoice asks for the rest
    upd_status: int = 0  # УПД: 1 счёт-фактура и передаточный документ, 2 передаточный; 0 by VAT

    @property
    def total(self) -> int:
        return sum(i.amount for i in self.items)

    @property
    def vat(self) -> int | None:
        """The sum of the lines' VAT; None when no line carries VAT (без НДС)."""
        vats = [i.vat for i in self.items if i.vat is not None]
        return sum(vats) if vats else None

    @property
    def to_pay(self) -> int:
        return max(self.total - self.paid, 0)

    @property
    def status(self) -> int:
        """УПД status: 1 when the seller charges VAT (it is a счёт-фактура too), else 2."""
        return self.upd_status or (1 if self.vat is not None else 2)


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
    cashier: str = ""  # who took the money: the person's name
    cashier_post: str = ""  # and their post (402-ФЗ ст. 9)
    payer_is_company: bool = False  # a firm's money: named as it is, its bearer signs by hand
