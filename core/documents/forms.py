"""Order form (бланк заказа), contract with receipt (договор-расписка), cash receipt (квитанция)."""

from __future__ import annotations

from pathlib import Path

from core.base.money import format_money
from core.documents.checks import DocumentError, require
from core.documents.data import CashReceipt, Contract, OrderForm
from core.documents.pdf import DEFAULT_FONT_DIR, Sheet, long_date, money, short_date
from core.documents.texts import Texts, load_texts
from core.documents.words import amount_in_words

__all__ = ["render_contract", "render_order_form", "render_receipt"]


def _sum(kopecks: int) -> tuple[str, str]:
    return format_money(kopecks), amount_in_words(kopecks)


def _check_sums(kind: str, total: int, advance: int) -> None:
    if total < 0 or advance < 0:
        raise DocumentError("Суммы в документе не могут быть отрицательными.")
    if advance > total:
        raise DocumentError(
            f"Аванс {format_money(advance)} больше стоимости {format_money(total)} — проверьте суммы."
        )


def render_order_form(
    doc: OrderForm, texts: Texts | None = None, font_dir: str | Path = DEFAULT_FONT_DIR
) -> bytes:
    require(
        "order_form",
        "",
        [
            ("название фирмы", doc.company.name),
            ("клиент", doc.client.name),
            ("описание", doc.description),
        ],
    )
    _check_sums("order_form", doc.total, doc.advance)
    texts = texts or load_texts()
    t = texts["order_form"]
    title = t["title"].format(number=doc.number, date=short_date(doc.date))
    s = Sheet(texts, font_dir, title=title)
    pdf = s.pdf
    s.para(s.company_line(doc.company), size=8, align="L")
    s.gap(2)
    s.title(title, size=14)
    s.labelled(t["client"], doc.client.name)
    if doc.client.phone:
        s.labelled(t["phone"], doc.client.phone)
    s.labelled(t["description"], doc.description, bold_value=False)
    if doc.items:
        s.items_table(doc.items, t["col_name"])
    # money and due date on the left, QR on the right
    top = pdf.get_y() + 1
    rows = [
        (t["cost"], money(doc.total)),
        (t["advance"], money(doc.advance)),
        (t["balance"], money(doc.balance)),
    ]
    for label, value in rows:
        s.font(11, bold=True)
        pdf.cell(62, 7, label, border=1)
        pdf.cell(38, 7, f"{value} ₽", border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    if doc.due_date:
        s.font(11, bold=True)
        pdf.cell(62, 7, t["due"], border=1)
        pdf.cell(
            38, 7, short_date(doc.due_date), border=1, align="R", new_x="LMARGIN", new_y="NEXT"
        )
    bottom = pdf.get_y()
    if doc.track_url:
        size = 34
        qx = pdf.l_margin + s.width - size
        s.qr(doc.track_url, qx, top - 2, size)
        s.font(7)
        pdf.set_xy(qx - 46, top + 4)
        pdf.multi_cell(44, 3.3, t["qr"], align="R")
        bottom = max(bottom, top - 2 + size)
    pdf.set_y(bottom + 3)
    s.font()
    if doc.preview_jpeg:
        s.para(t["preview"], size=8, bold=True, align="L")
        box_top = pdf.get_y() + 1
        box_h = min(95.0, pdf.h - pdf.b_margin - box_top - 40)
        pdf.rect(pdf.l_margin, box_top, s.width, box_h)
        s.image(doc.preview_jpeg, pdf.l_margin + 2, box_top + 2, s.width - 4, box_h - 4)
        pdf.set_y(box_top + box_h + 3)
    s.para(t["agree"], size=8.5)
    s.gap(5)
    s.signatures_pair((t["manager"], doc.manager), (t["client_sign"], doc.client.name))
    return s.output()


def render_contract(
    doc: Contract, texts: Texts | None = None, font_dir: str | Path = DEFAULT_FONT_DIR
) -> bytes:
    c, p = doc.company, doc.client
    signer = doc.representative or c.director
    require(
        "contract",
        "",
        [
            ("название фирмы", c.name),
            ("подписант фирмы", signer),
            ("клиент", p.name),
            ("адрес объекта", doc.object_address),
            ("тип объекта", doc.object_type),
            ("работы", doc.work),
        ],
    )
    if doc.total <= 0:
        raise DocumentError("Нельзя оформить договор: не указана стоимость работ.", ["стоимость"])
    _check_sums("contract", doc.total, doc.advance)
    texts = texts or load_texts()
    t, common = texts["contract"], texts["common"]
    s = Sheet(texts, font_dir, title=t["title"].format(number=doc.number))
    s.title(t["title"].format(number=doc.number), size=14, align="C", underline=False)
    s.font(9)
    s.pdf.cell(s.width / 2, 5, t["place_date"].format(city=doc.city))
    s.pdf.cell(s.width / 2, 5, long_date(doc.date), align="R", new_x="LMARGIN", new_y="NEXT")
    s.gap(3)
    total, total_words = _sum(doc.total)
    advance, advance_words = _sum(doc.advance)
    balance, balance_words = _sum(doc.balance)
    passport = (
        f", {common['passport']} {p.passport}"
        if p.passport
        else f", {common['passport']} " + "_" * 44
    )
    s.para(t["preamble"].format(company=c.name, director=signer, client=p.name, passport=passport))
    s.gap(2)
    sums = dict(
        total=total,
        total_words=total_words,
        advance=advance,
        advance_words=advance_words,
        balance=balance,
        balance_words=balance_words,
    )
    s.para(t["subject_heading"], bold=True, align="C")
    s.para(t["subject"].format(work=doc.work))
    s.para(t["object"].format(object_type=doc.object_type, object_address=doc.object_address))
    s.gap(1.5)
    s.para(t["price_heading"], bold=True, align="C")
    for key in ("price", "advance", "balance"):
        s.para(t[key].format(**sums))
    s.gap(1.5)
    s.para(t["other_heading"], bold=True, align="C")
    for term in (*t["terms"], *doc.extra_terms):
        s.para(term)
    s.gap(3)
    s.labelled(f"{t['executor']}:", s.company_line(c, with_bank=True), label_w=28, bold_value=False)
    client_req = ", ".join(
        x for x in (p.name, p.address, p.phone and f"{common['phone']} {p.phone}") if x
    )
    s.labelled(f"{t['customer']}:", client_req, label_w=28, bold_value=False)
    s.gap(3)
    s.signatures_pair((t["executor"], signer), (t["customer"], p.name))
    # the receipt for the advance, on the same sheet
    s.gap(1)
    s.rule(0.4)
    s.para(t["receipt_heading"], bold=True, align="C")
    s.para(t["receipt"].format(**sums))
    s.gap(3)
    s.signature_dated(t["executor"], signer)
    # filled in at the end: balance received, work accepted
    s.rule(0.4)
    s.para(t["final_heading"], bold=True, align="C")
    s.para(t["final_paid"].format(**sums))
    s.gap(3)
    s.signature_dated(t["executor"], "")
    s.para(t["final_accepted"])
    s.gap(3)
    s.signature_dated(t["customer"], p.name)
    return s.output()


def render_receipt(
    doc: CashReceipt, texts: Texts | None = None, font_dir: str | Path = DEFAULT_FONT_DIR
) -> bytes:
    require(
        "receipt",
        "",
        [
            ("название фирмы", doc.company.name),
            ("плательщик", doc.payer),
            ("основание", doc.purpose),
        ],
    )
    if doc.amount <= 0:
        raise DocumentError("Нельзя оформить квитанцию: сумма должна быть больше нуля.", ["сумма"])
    texts = texts or load_texts()
    t = texts["receipt"]
    title = t["title"].format(number=doc.number, date=short_date(doc.date))
    s = Sheet(texts, font_dir, title=title)
    pdf = s.pdf
    s.title(f"{title}\n{t['subtitle']}", size=13)
    s.labelled(t["company"], s.company_line(doc.company), label_w=30)
    s.labelled(t["payer"], doc.payer, label_w=30)
    s.labelled(t["purpose"], doc.purpose, label_w=30)
    amount, words = _sum(doc.amount)
    s.labelled(t["amount"], f"{amount} ({words})", label_w=30)
    s.gap(5)
    s.signatures_pair((t["cashier"], doc.cashier), (t["payer_sign"], doc.payer))
    s.gap(3)
    # the note is boxed and bold: nobody should mistake this for a fiscal cheque
    s.font(12, bold=True)
    pdf.set_line_width(0.6)
    pdf.cell(0, 10, t["not_fiscal"].upper(), border=1, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_line_width(0.2)
    s.gap(1)
    s.para(t["not_fiscal_note"], size=7.5, align="C")
    return s.output()
