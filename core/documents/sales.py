"""Invoice (счёт на оплату), act (акт выполненных работ), waybill (товарная накладная)."""

from __future__ import annotations

from pathlib import Path

from core.documents.checks import check_buyer, check_items, check_seller
from core.documents.data import SaleDocument
from core.documents.pdf import DEFAULT_FONT_DIR, Sheet, long_date, money, short_date
from core.documents.texts import Texts, load_texts
from core.documents.words import amount_in_words

__all__ = ["render_act", "render_invoice", "render_waybill"]


def _check(kind: str, doc: SaleDocument) -> None:
    check_seller(kind, doc.seller)
    check_buyer(kind, doc.buyer)
    check_items(kind, doc.items)


def _bank_block(s: Sheet, doc: SaleDocument) -> None:
    """The boxed payee requisites that open every Russian invoice."""
    t, c = s.t["invoice"], doc.seller
    pdf = s.pdf
    x0, y0 = pdf.l_margin, pdf.get_y()
    w_left, w_mid = 100.0, 16.0
    w_right = s.width - w_left - w_mid
    h = 5.0
    s.font(8.5)
    # rows 1-2: bank | БИК / Сч. № | values
    pdf.rect(x0, y0, w_left, 2 * h + 2)
    pdf.set_xy(x0 + 0.5, y0 + 0.5)
    pdf.multi_cell(w_left - 1, 3.8, c.bank, new_x="LMARGIN", new_y="NEXT")
    s.font(6.5)
    pdf.set_xy(x0 + 0.5, y0 + 2 * h - 2)
    pdf.cell(w_left - 1, 3.5, t["bank_of_payee"])
    s.font(8.5)
    for i, (label, value) in enumerate(
        ((s.t["common"]["bik"], c.bik), (t["account_no"], c.corr_account))
    ):
        y = y0 + i * (h + 1)
        pdf.rect(x0 + w_left, y, w_mid, h + 1)
        pdf.rect(x0 + w_left + w_mid, y, w_right, h + 1)
        pdf.set_xy(x0 + w_left + 0.8, y + 0.5)
        pdf.cell(w_mid - 1, h, label)
        pdf.set_xy(x0 + w_left + w_mid + 0.8, y + 0.5)
        pdf.cell(w_right - 1, h, value)
    # rows 3-4: ИНН | КПП | Сч. № | account, payee name under them
    y1 = y0 + 2 * h + 2
    half = w_left / 2
    pdf.rect(x0, y1, half, h)
    pdf.rect(x0 + half, y1, half, h)
    pdf.set_xy(x0 + 0.8, y1)
    pdf.cell(half - 1, h, f"{s.t['common']['inn']} {c.inn}")
    pdf.set_xy(x0 + half + 0.8, y1)
    pdf.cell(half - 1, h, f"{s.t['common']['kpp']} {c.kpp}" if c.kpp else s.t["common"]["kpp"])
    pdf.rect(x0, y1 + h, w_left, 2 * h)
    pdf.set_xy(x0 + 0.5, y1 + h + 0.5)
    pdf.multi_cell(w_left - 1, 3.8, c.name)
    s.font(6.5)
    pdf.set_xy(x0 + 0.5, y1 + 3 * h - 3.5)
    pdf.cell(w_left - 1, 3.5, t["payee"])
    s.font(8.5)
    pdf.rect(x0 + w_left, y1, w_mid, 3 * h)
    pdf.rect(x0 + w_left + w_mid, y1, w_right, 3 * h)
    pdf.set_xy(x0 + w_left + 0.8, y1)
    pdf.cell(w_mid - 1, h, t["account_no"])
    pdf.set_xy(x0 + w_left + w_mid + 0.8, y1)
    pdf.cell(w_right - 1, h, c.account)
    pdf.set_xy(x0, y1 + 3 * h + 6)
    s.font()


def _body(s: Sheet, doc: SaleDocument, kind: str) -> None:
    t = s.t[kind]
    s.labelled(t["seller"], s.company_line(doc.seller, with_bank=kind != "invoice"))
    s.labelled(t["buyer"], s.party_line(doc.buyer))
    if doc.basis:
        s.labelled(t["basis"], doc.basis)
    s.gap(1)
    s.items_table(doc.items, t["col_name"])
    common = s.t["common"]
    vat = doc.vat
    vat_row = (
        (common["no_vat"], "—")
        if vat is None
        else (common["vat"].format(rate=doc.seller.vat_rate), money(vat))
    )
    rows = [(common["total"], money(doc.total)), vat_row]
    if kind == "invoice":
        rows.append((common["to_pay"], money(doc.total)))
    s.totals(rows)
    s.gap(2)
    s.para(t["count_line"].format(count=len(doc.items), total=money(doc.total)))
    s.para(amount_in_words(doc.total, capitalize=True), bold=True)
    s.rule(0.6)
    s.gap(2)


def render_invoice(
    doc: SaleDocument, texts: Texts | None = None, font_dir: str | Path = DEFAULT_FONT_DIR
) -> bytes:
    _check("invoice", doc)
    texts = texts or load_texts()
    t = texts["invoice"]
    title = t["title"].format(number=doc.number, date=long_date(doc.date))
    s = Sheet(texts, font_dir, title=title)
    s.para(t["note"], size=7, align="C")
    s.gap(2)
    _bank_block(s, doc)
    s.title(title, size=13)
    _body(s, doc, "invoice")
    if doc.pay_until:
        s.para(t["pay_until"].format(date=short_date(doc.pay_until)))
        s.gap(2)
    s.gap(4)
    c = doc.seller
    s.signatures_pair((t["director"], c.director), (t["accountant"], c.accountant or c.director))
    s.stamps(both=False)
    return s.output()


def render_act(
    doc: SaleDocument, texts: Texts | None = None, font_dir: str | Path = DEFAULT_FONT_DIR
) -> bytes:
    _check("act", doc)
    texts = texts or load_texts()
    t = texts["act"]
    title = t["title"].format(number=doc.number, date=long_date(doc.date))
    s = Sheet(texts, font_dir, title=title)
    s.title(f"{title}\n{t['subtitle']}", size=13)
    _body(s, doc, "act")
    s.para(t["accepted"])
    s.gap(8)
    s.signatures_pair((t["seller_sign"], doc.seller.director), (t["buyer_sign"], ""))
    s.stamps()
    return s.output()


def render_waybill(
    doc: SaleDocument, texts: Texts | None = None, font_dir: str | Path = DEFAULT_FONT_DIR
) -> bytes:
    _check("waybill", doc)
    texts = texts or load_texts()
    t = texts["waybill"]
    title = t["title"].format(number=doc.number, date=long_date(doc.date))
    s = Sheet(texts, font_dir, title=title)
    s.title(title, size=13)
    _body(s, doc, "waybill")
    s.gap(4)
    s.signatures_pair((t["released"], doc.seller.director), (t["received"], ""))
    s.signatures_pair((t["shipped"], ""), (t["received_by"], ""))
    s.para(t["received_note"], size=8)
    s.para(f"{t['received_date']} {s.t['common']['date_blank']}", size=8, align="L")
    s.gap(2)
    s.stamps()
    return s.output()
