"""An order's positions: name, quantity, unit with its ОКЕИ code, price, VAT rate.

The counter writes no rows: an order without them has one line, its description for one
«усл. ед» at its cost, at the firm's default VAT rate. Editing the positions on the card stores
rows and sets the order's cost to their total in the same transaction (through update_order,
so the debt and the client's sums follow); from then on the cost is the positions' sum."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.access import Actor, require_order, require_role
from core.base.db import database
from core.base.errors import ValidationError
from core.base.money import MAX_SUM, format_money, parse_money
from core.money import taxes
from core.orders import orders
from core.orders.models import Order, OrderLine
from core.orders.units import DEFAULT_SERVICE_UNIT, UNITS, unit_code

__all__ = [
    "MAX_LINES",
    "SUBJECTS",
    "Line",
    "lines_of",
    "parse_quantity",
    "set_lines",
    "totals",
]

MAX_LINES = 100
SUBJECTS = {"goods": "Товар", "work": "Работа", "service": "Услуга"}
_QTY = re.compile(r"^\d{1,9}(?:[.,]\d{1,3})?$")


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


def parse_quantity(text: Any, n: int = 0) -> Decimal:
    where = f"Позиция {n}: " if n else ""
    raw = str(text if text is not None else "").replace(" ", "").replace("\u00a0", "")
    if not _QTY.match(raw):
        raise ValidationError(
            f"{where}количество «{text}» — число больше нуля, до трёх знаков после запятой."
        )
    quantity = Decimal(raw.replace(",", "."))
    if quantity <= 0:
        raise ValidationError(f"{where}количество должно быть больше нуля.")
    return quantity


def _check_row(n: int, raw: dict[str, Any], regime: taxes.VatRegime) -> Line:
    name = " ".join(str(raw.get("name") or "").split())
    if not name:
        raise ValidationError(f"Позиция {n}: впишите наименование.")
    if len(name) > 1000:
        raise ValidationError(f"Позиция {n}: наименование длиннее 1000 знаков.")
    quantity = parse_quantity(raw.get("quantity", "1"), n)
    try:
        unit, okei = unit_code(str(raw.get("unit") or ""), str(raw.get("okei") or ""))
        price = raw["price"] if isinstance(raw.get("price"), int) else parse_money(
            str(raw.get("price") or "0"), allow_zero=True
        )  # fmt: skip
        rate = regime.check(taxes.parse_rate(raw.get("vat", taxes.rate_code(regime.default))))
    except ValidationError as exc:
        raise ValidationError(f"Позиция {n}: {exc}") from None
    subject = str(raw.get("subject") or "service")
    if subject not in SUBJECTS:
        raise ValidationError(f"Позиция {n}: признак «{subject}» — товар, работа или услуга.")
    return Line(name, quantity, unit, okei, price, rate, subject)


def check_lines(rows: list[dict[str, Any]]) -> list[Line]:
    """Every row checked before anything is written; the first problem is named in Russian."""
    if len(rows) > MAX_LINES:
        raise ValidationError(f"Позиций может быть не больше {MAX_LINES}.")
    regime = taxes.regime()
    lines = [_check_row(n, raw, regime) for n, raw in enumerate(rows, 1)]
    total, _vat = totals(lines)
    if total > MAX_SUM:
        raise ValidationError(f"Сумма позиций слишком большая: {format_money(total)}.")
    return lines


def set_lines(
    actor: Actor, order_id: int, rows: list[dict[str, Any]], expected_version: int | None = None
) -> Order:
    """Replace the order's positions; the cost becomes their total. No rows: back to the one
    line from the description, the cost stays."""
    require_role(actor, "manager")
    order = require_order(actor, order_id)
    lines = check_lines(rows)
    with database.atomic():
        OrderLine.delete().where(OrderLine.order == order.id).execute()
        OrderLine.insert_many(
            [
                {
                    "order": order.id,
                    "position": n,
                    "name": line.name,
                    "qty_milli": int(line.quantity * 1000),
                    "unit": line.unit,
                    "okei": line.okei,
                    "price": line.price,
                    "vat": taxes.rate_code(line.vat_rate),
                    "subject": line.subject,
                }
                for n, line in enumerate(lines, 1)
            ]  # fmt: skip
        ).execute() if lines else None
        cost = totals(lines)[0] if lines else order.cost
        return orders.update_order(actor, order.id, expected_version, cost=cost)
