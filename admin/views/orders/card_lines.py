"""The order's positions on its card: name, quantity, unit (ОКЕИ), price, VAT, what is sold
(saved through core.orders.positions, which sets the order's cost to their total); and each
payment's fiscal receipt beside it."""

from __future__ import annotations

from flask import flash, request
from flask_admin import expose

from admin.auth import current_actor
from admin.base import fail, sees
from core.base.errors import BrigadirError
from core.base.money import format_money
from core.money import fiscal_checks, taxes
from core.money.models import FiscalCheck
from core.orders import lines, positions
from core.orders.models import Order
from core.orders.units import UNITS

FIELDS = ("name", "quantity", "unit", "okei", "price", "vat", "subject")


def fiscal_context(order: Order) -> dict:
    """Each payment's fiscal receipt (its sell receipt), for the card's payments block."""
    checks = FiscalCheck.select().where(
        (FiscalCheck.order == order.id) & (FiscalCheck.operation == "sell")
    )
    return {"fiscal": {c.payment_id: c for c in checks}, "fiscal_statuses": fiscal_checks.STATUSES}


def lines_context(order: Order) -> dict:
    """What the card's «Позиции» block needs; nothing when the person may not see prices."""
    if not sees("cost"):
        return {"lines": None}
    regime = taxes.regime()
    current = lines.lines_of(order)
    total, vat = lines.totals(current)
    return {
        "lines": current, "lines_stored": order.lines.exists(), "lines_total": total,
        "lines_vat": vat, "vat_choices": [(taxes.rate_code(r), taxes.rate_label(r)) for r in regime.rates],
        "units": list(UNITS), "subjects": lines.SUBJECTS, "rate_code": taxes.rate_code,
    }  # fmt: skip


def _posted_rows() -> list[dict]:
    columns = {f: request.form.getlist(f"line_{f}") for f in FIELDS}
    rows = []
    for values in zip(*columns.values(), strict=False):
        row = dict(zip(FIELDS, values, strict=False))
        if any((row.get(f) or "").strip() for f in ("name", "price")):
            rows.append(row)  # a row left blank is no position
    return rows


class OrderLinesMixin:
    @expose("/lines/", methods=["POST"])
    def lines_view(self):
        order = self._order_or_404(request.form.get("id"))
        try:
            version = int(request.form.get("version", "")) if request.form.get("version") else None
            fresh = positions.set_lines(current_actor(), order.id, _posted_rows(), version)
            flash(f"Позиции сохранены. Стоимость заказа: {format_money(fresh.cost)}.", "success")
        except BrigadirError as exc:
            fail(exc)
        return self._back(order.id)
