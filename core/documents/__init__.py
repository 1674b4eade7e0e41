"""Russian business papers as PDF, rendered from plain data (no database, no files).

The names below are loaded when first asked for: importing this package (every process does,
through the table registry's core.documents.models) must not load fpdf, its fonts and the
declension dictionaries — only a process that prints a paper pays for them."""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "DocumentError": "checks",
    "CashReceipt": "data",
    "Company": "data",
    "Contract": "data",
    "LineItem": "data",
    "OrderForm": "data",
    "Party": "data",
    "SaleDocument": "data",
    "render_contract": "forms",
    "render_order_form": "forms",
    "render_receipt": "forms",
    "payment_qr_text": "sales",
    "render_act": "sales",
    "render_invoice": "sales",
    "load_texts": "texts",
    "render_upd": "transfer",
    "render_waybill": "transfer",
    "amount_in_words": "words",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
