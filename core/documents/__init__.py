"""Russian business papers as PDF, rendered from plain data (no database, no files)."""

from core.documents.checks import DocumentError
from core.documents.data import (
    CashReceipt,
    Company,
    Contract,
    LineItem,
    OrderForm,
    Party,
    SaleDocument,
)
from core.documents.forms import render_contract, render_order_form, render_receipt
from core.documents.sales import payment_qr_text, render_act, render_invoice
from core.documents.texts import load_texts
from core.documents.transfer import render_upd, render_waybill
from core.documents.words import amount_in_words

__all__ = [
    "CashReceipt",
    "Company",
    "Contract",
    "DocumentError",
    "LineItem",
    "OrderForm",
    "Party",
    "SaleDocument",
    "amount_in_words",
    "payment_qr_text",
    "load_texts",
    "render_act",
    "render_contract",
    "render_invoice",
    "render_order_form",
    "render_receipt",
    "render_upd",
    "render_waybill",
]
