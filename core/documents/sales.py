"""Invoice (счёт на оплату) with its payment QR, act (акт выполненных работ). The transfer
papers (УПД, ТОРГ-12) are in core.documents.transfer."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from core.documents.checks import DocumentError, check_buyer, check_items, check_seller
from core.documents.data import Company, SaleDocument, initials
from core.documents.pdf import DEFAULT_FONT_DIR, Sheet, long_date, money, short_date
from core.documents.texts import Texts, load_texts
from core.documents.words import amount_in_words
from core.money.taxes import amount_of, vat_in

__all__ = ["payment_qr_text", "render_act", "render_invoice", "vat_rows"]


def _qr_value(value: str) -> str:
    # «|» separates the fields and a line break ends the text: neither may sit in a value.
    return " ".join(str(value).replace("|", "/").split())


def payment_qr_text(seller: Company, amount: int, purpose: str) -> str:
    """The payment QR of ГОСТ Р 56042-2014: «ST00012» (format 0001, UTF-8) and «|»-separated
    key=value pairs; the five payee fields are mandatory, Sum is in kopecks."""
    fields = [
        ("Name", seller.name), ("PersonalAcc", seller.account), ("BankName", seller.bank),
        ("BIC", seller.bik), ("CorrespAcc", seller.corr_account), ("Sum", str(amount)),
        ("Purpose", purpose[:210]), ("PayeeINN", seller.inn), ("KPP", seller.kpp),
    ]  # fmt: skip
    return "ST00012|" + "|".join(f"{k}={_qr_value(v)}" for k, v in fields if v)


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


def vat_rows(s: Sheet, doc: SaleDocument) -> list[tuple[str, str]]:
    """«В том числе НДС 22%: …» per rate, or the firm's words for без НДС."""
    common = s.t["common"]
    rates = sorted({i.vat_rate for i in doc.items if i.vat_rate is not None}, reverse=True)
    rows = [
        (common["vat_rate"].format(rate=r), money(sum(i.vat or 0 for i in doc.items if i.vat_rate == r)))
        for r in rates
    ]  # fmt: skip
    if not rates or any(i.vat_rate is None for i in doc.items):
        rows.append((doc.seller.no_vat_reason or common["no_vat"], "—"))
    return rows


def _body(s: Sheet, doc: SaleDocument, kind: str) -> None:
    t = s.t[kind]
    s.labelled(t["seller"], s.company_line(doc.seller, with_bank=kind != "invoice"))
    s.labelled(t["buyer"], s.party_line(doc.buyer))
    if doc.basis:
        s.labelled(t["basis"], doc.basis)
    s.gap(1)
    s.items_table(doc.items, t["col_name"])
    common = s.t["common"]
    rows = [(common["total"], money(doc.total)), *vat_rows(s, doc)]
    due = doc.total
    if kind == "invoice":
        if doc.paid:
            rows.append((common["paid"], money(doc.paid)))
        rows.append((common["to_pay"], money(doc.to_pay)))
        due = doc.to_pay
    s.totals(rows)
    s.gap(2)
    s.para(t["count_line"].format(count=len(doc.items), total=money(doc.total)))
    if kind == "invoice" and doc.paid:  # the words are the rest, not the sum above them
        s.para(f"{common['to_pay']}: {amount_in_words(due)}", bold=True)
    else:
        s.para(amount_in_words(due, capitalize=True), bold=True)
    s.rule(0.6)
    s.gap(2)


def vat_of_payment(doc: SaleDocument, amount: int) -> int | None:
    """The VAT inside a payment of part of the paper (what is left after an advance): the
    payment shared over the rates as the lines are, each share's VAT by the one rule. A payment
    order states the VAT of its own sum, not of the whole paper."""
    if doc.vat is None:
        return None
    if amount == doc.total:
        return doc.vat
    groups: dict[int | None, int] = {}
    for item in doc.items:
        groups[item.vat_rate] = groups.get(item.vat_rate, 0) + item.amount
    vat, left = 0, amount
    for n, (rate, part) in enumerate(sorted(groups.items(), key=lambda g: -g[1])):
        share = left if n == len(groups) - 1 else amount_of(Decimal(amount) * part / doc.total, 1)
        left -= share
        vat += vat_in(share, rate) or 0
    return vat


def _pay_qr(s: Sheet, doc: SaleDocument) -> None:
    """The QR a banking app reads, right of the due date and the signatures."""
    t, pdf = s.t["invoice"], s.pdf
    purpose = t["qr_purpose"].format(number=doc.number, date=short_date(doc.date))
    vat = vat_of_payment(doc, doc.to_pay)
    purpose += t["qr_vat"].format(vat=money(vat)) if vat is not None else t["qr_no_vat"]
    size, y = 30.0, pdf.get_y()
    x = pdf.l_margin + s.width - size
    s.qr(payment_qr_text(doc.seller, doc.to_pay, purpose).encode(), x, y, size)
    s.font(7)
    pdf.set_xy(x - 42, y + 6)
    pdf.multi_cell(40, 3.2, t["qr"], align="R")
    pdf.set_y(y)
    s.font()


def render_invoice(
    doc: SaleDocument, texts: Texts | None = None, font_dir: str | Path = DEFAULT_FONT_DIR
) -> bytes:
    _check("invoice", doc)
    if doc.to_pay <= 0:
        raise DocumentError("Нельзя оформить счёт: заказ уже оплачен полностью.", ["к оплате"])
    texts = texts or load_texts()
    t = texts["invoice"]
    title = t["title"].format(number=doc.number, date=long_date(doc.date))
    s = Sheet(texts, font_dir, title=title)
    s.para(t["note"], size=7, align="C")
    s.gap(2)
    _bank_block(s, doc)
    s.title(title, size=13)
    _body(s, doc, "invoice")
    _pay_qr(s, doc)
    if doc.pay_until:
        s.para(t["pay_until"].format(date=short_date(doc.pay_until)), bold=True, align="L")
    s.pdf.set_y(s.pdf.get_y() + 30)
    c = doc.seller
    half = s.width - 50
    s.signer("", c.director_post, initials(c.director), w=half)
    if c.accountant:  # no accountant: no line (the director's name is never printed twice)
        s.signer("", t["accountant"], initials(c.accountant), w=half)
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
    s.gap(6)
    c, b = doc.seller, doc.buyer
    buyer_post = "" if b.is_person else b.signer_post
    buyer_name = initials(b.name) if b.is_person else initials(b.signer_name)
    s.signers_pair(
        (t["seller_sign"], c.director_post, initials(c.director)),
        (t["buyer_sign"], buyer_post, buyer_name),
    )
    s.stamps(both=not b.is_person)  # a private person has no seal
    return s.output()
