"""Editing an order's positions (the card): every row checked before anything is written, then
the rows replaced and the order's cost set to their total in one transaction (through
update_order, so the debt and the client's sums follow); from then on the cost is the
positions' sum (update_order refuses a hand-typed cost that disagrees)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from core.access import Actor, require_order, require_role
from core.base.db import database
from core.base.errors import ValidationError
from core.base.money import MAX_SUM, format_money, parse_money
from core.money import taxes
from core.orders import orders
from core.orders.lines import SUBJECTS, Line, totals
from core.orders.models import Order, OrderLine
from core.orders.units import unit_code

__all__ = ["MAX_LINES", "check_lines", "parse_quantity", "set_lines"]

MAX_LINES = 100
_QTY = re.compile(r"^\d{1,9}(?:[.,]\d{1,3})?$")


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
