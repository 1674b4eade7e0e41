"""An order's positions as papers, the portal and fiscal receipts read them: name, quantity,
unit with its ОКЕИ code, price, VAT rate. The counter writes no rows: an order without them has
one line, its description for one «усл. ед» at its cost, at the firm's default VAT rate.
Editing them is core.orders.positions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.money import taxes
from core.orders.models import Order, OrderLine
from core.orders.units import DEFAULT_SERVICE_UNIT, UNITS

__all__ = ["SUBJECTS", "Line", "default_line", "lines_of", "totals"]

SUBJECTS = {"goods": "Товар", "work": "Работа", "service": "Услуга"}


@dataclass(frozen=True)
class Line:
    name: str
    quantity: Decimal
    unit: str
    okei: str
    price: int  # kopecks per unit, VAT included
    vat_rate: int | None  # None: без НДС
    subject: str = "service"

    @property
    def amount(self) -> int:
        return taxes.amount_of(self.quantity, self.price)

    @property
    def vat(self) -> int | None:
        return taxes.vat_in(self.amount, self.vat_rate)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "quantity": str(self.quantity), "unit": self.unit,
            "okei": self.okei, "price": self.price, "vat_rate": self.vat_rate,
            "subject": self.subject, "amount": self.amount, "vat": self.vat,
        }  # fmt: skip


def totals(lines: list[Line]) -> tuple[int, int | None]:
    """(total, VAT) in kopecks: sums of the lines' own rounded figures; VAT None when no line
    carries any."""
    total = sum(line.amount for line in lines)
    vats = [line.vat for line in lines if line.vat is not None]
    return total, (sum(vats) if vats else None)


def _from_row(row: OrderLine) -> Line:
    return Line(
        name=row.name, quantity=Decimal(row.qty_milli) / 1000, unit=row.unit, okei=row.okei,
        price=row.price, vat_rate=taxes.parse_rate(row.vat), subject=row.subject,
    )  # fmt: skip


def default_line(order: Order, regime: taxes.VatRegime | None = None) -> Line:
    regime = regime or taxes.regime()
    return Line(
        order.description, Decimal(1), DEFAULT_SERVICE_UNIT, UNITS[DEFAULT_SERVICE_UNIT],
        order.cost, regime.default, "service",
    )  # fmt: skip


def lines_of(order: Order) -> list[Line]:
    """The positions papers and the portal print: stored rows, or the one default line."""
    rows = list(OrderLine.select().where(OrderLine.order == order.id).order_by(OrderLine.position))
    return [_from_row(r) for r in rows] if rows else [default_line(order)]
