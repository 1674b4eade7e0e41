"""Transfer papers on A4 landscape: the УПД (universal transfer document, the form ФНС
recommends: status 1 is a счёт-фактура and a transfer act, status 2 only the act) and the
unified ТОРГ-12 waybill (Госкомстат, постановление от 25.12.1998 № 132) for firms that keep it.
Column numbers are printed as the forms number them, so an accountant finds each figure."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf.fonts import FontFace
from num2words import num2words

from core.documents.checks import DocumentError, check_buyer, check_items, check_seller
from core.documents.data import LineItem, SaleDocument, initials
from core.documents.pdf import DEFAULT_FONT_DIR, Sheet, long_date, money, qty, short_date
from core.documents.texts import Texts, load_texts
from core.documents.words import amount_in_words

__all__ = ["render_upd", "render_waybill"]

DASH = "—"


def _check(kind: str, doc: SaleDocument) -> None:
    check_seller(kind, doc.seller)
    check_buyer(kind, doc.buyer)
    check_items(kind, doc.items)


def _goods_only(doc: SaleDocument) -> None:
    """ТОРГ-12 is a waybill for goods: work and services go to the act or the УПД."""
    others = [i.name for i in doc.items if i.subject != "goods"]
    if not others:
        return
    if len(others) == len(doc.items):
        raise DocumentError(
            "Нельзя оформить накладную ТОРГ-12: в заказе нет товаров. Отметьте товары в "
            "позициях заказа (признак «Товар») или выпишите акт или УПД."
        )
    raise DocumentError(
        f"Нельзя оформить накладную ТОРГ-12: «{others[0]}» — работа или услуга, а в ТОРГ-12 "
        "входят только товары (работы и услуги — в акте или УПД)."
    )


def _price_without_vat(item: LineItem) -> int:
    return round(item.without_vat / item.quantity) if item.quantity else 0


def _rate(item: LineItem, no_vat: str) -> str:
    return no_vat if item.vat_rate is None else f"{item.vat_rate}%"


def _grid(
    s: Sheet,
    widths: Sequence[float],
    heads: Sequence[str],
    numbers: Sequence[str],
    rows: Sequence[Sequence[str]],
    aligns: Sequence[str],
    size: float = 6.5,
    head_size: float = 5,
) -> None:
    """The form's table: captions, a row of column numbers, the lines."""
    s.font(size)
    with s.pdf.table(
        col_widths=tuple(widths), text_align=tuple(aligns), line_height=size * 0.46,
        headings_style=FontFace(emphasis="", size_pt=head_size, fill_color=(240, 240, 240)),
        padding=(0.5, 0.6), borders_layout="ALL", first_row_as_headings=True,
    ) as table:  # fmt: skip
        head = table.row()
        for cell in heads:
            head.cell(cell, align="CENTER")
        numbered = table.row()
        for cell in numbers:
            numbered.cell(cell, align="CENTER")
        for row in rows:
            table.row(row)
    s.font()


def _field(s: Sheet, label: str, value: str, code: str, w: float, size: float = 7.0) -> None:
    """«Продавец: ООО … (2)»: the label, the value on a rule (smaller type when it is long),
    the form's line code."""
    pdf = s.pdf
    x, y, h = pdf.get_x(), pdf.get_y(), 3.7
    s.font(size)
    label_w = pdf.get_string_width(label) + 2
    pdf.cell(label_w, h, label)
    code_w = 8 if code else 0
    room = w - label_w - code_w - 1
    fit = size
    s.font(fit, bold=True)
    while fit > 6 and pdf.get_string_width(value) > room:
        fit -= 0.25
        s.font(fit, bold=True)
    if pdf.get_string_width(value) > room:  # still too long: it wraps under itself
        pdf.multi_cell(room, 2.8, value, new_x="RIGHT", new_y="LAST")
        h = pdf.get_y() - y + 2.8
        pdf.set_y(y)
        pdf.set_x(x + label_w + room)
    else:
        pdf.cell(room, h, value)
    pdf.line(x + label_w, y + h, x + label_w + room, y + h)
    if code:
        s.font(size)
        pdf.cell(code_w, h, f"({code})", align="R")
    pdf.set_xy(x, y + h + 0.3)
    s.font()


def _req(inn: str, kpp: str) -> str:
    return "/".join(x for x in (inn, kpp) if x) or DASH


def _upd_header(s: Sheet, doc: SaleDocument) -> None:
    t, c, b, pdf = s.t["upd"], doc.seller, doc.buyer, s.pdf
    top, left_w = pdf.get_y(), 40.0
    s.font(8, bold=True)
    pdf.multi_cell(left_w - 3, 4, t["name"], border=1, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.get_y() + 2)
    s.font(8)
    pdf.cell(14, 5, t["status"])
    s.font(10, bold=True)
    pdf.cell(8, 5, str(doc.status), border=1, align="C", new_x="LMARGIN", new_y="NEXT")
    s.font(6)
    pdf.set_y(pdf.get_y() + 1)
    pdf.multi_cell(left_w - 3, 2.8, t["status_note"], align="L", new_x="LMARGIN", new_y="NEXT")
    x, w = pdf.l_margin + left_w, s.width - left_w
    s.font(6)
    pdf.set_xy(x, top)
    pdf.multi_cell(w, 2.6, t["form_note"], align="R", new_x="LEFT", new_y="NEXT")
    goods = any(i.subject == "goods" for i in doc.items)
    shipper = t["same"] if goods else DASH
    consignee = ", ".join(v for v in (b.name, b.address) if v) if goods else DASH
    fields = [
        (t["number"].format(number=doc.number), short_date(doc.date), "1"),
        (t["correction"], DASH, "1а"), (t["seller"], c.name, "2"), (t["address"], c.address, "2а"),
        (t["seller_req"], _req(c.inn, c.kpp), "2б"), (t["shipper"], shipper, "3"),
        (t["consignee"], consignee, "4"), (t["payment_doc"], DASH, "5"),
        (t["shipping_doc"], t["shipping_doc_value"].format(
            last=len(doc.items), number=doc.number, date=short_date(doc.date)), "5а"),
        (t["buyer"], b.name, "6"), (t["address"], b.address or DASH, "6а"),
        (t["buyer_req"], _req(b.inn, b.kpp), "6б"), (t["currency"], t["rouble"], "7"),
        (t["contract_id"], DASH, "8"),
    ]  # fmt: skip
    for label, value, code in fields:
        pdf.set_x(x)
        _field(s, label, value, code, w)
    pdf.set_y(pdf.get_y() + 1.5)


_UPD_WIDTHS = (6, 11, 49, 9, 9, 12, 13, 16, 18, 12, 11, 16, 18, 9, 12, 16, 9, 10, 11, 12)
_UPD_NUMBERS = ("№", "А", "1а", "1б", "2", "2а", "3", "4", "5", "6", "7", "8", "9", "10", "10а",
                "11", "12", "12а", "13", "14")  # fmt: skip


def _upd_table(s: Sheet, doc: SaleDocument) -> None:
    t = s.t["upd"]
    no_vat = t["no_vat"]
    rows = [
        (str(n), DASH, i.name, DASH, i.okei or DASH, i.unit, qty(i.quantity),
         money(_price_without_vat(i)), money(i.without_vat), t["no_excise"], _rate(i, no_vat),
         DASH if i.vat is None else money(i.vat), money(i.amount), DASH, DASH, DASH, DASH, DASH,
         DASH, DASH)
        for n, i in enumerate(doc.items, 1)
    ]  # fmt: skip
    vat = doc.vat
    total = [""] * 20
    total[2] = t["total_to_pay"]
    total[8], total[9], total[10] = money(doc.total - (vat or 0)), "X", ""
    total[11], total[12] = (DASH if vat is None else money(vat)), money(doc.total)
    aligns = ["CENTER", "CENTER", "LEFT"] + ["CENTER"] * 4 + ["RIGHT", "RIGHT", "CENTER",
              "CENTER", "RIGHT", "RIGHT"] + ["CENTER"] * 7  # fmt: skip
    _grid(s, _UPD_WIDTHS, t["columns"], _UPD_NUMBERS, [*rows, total], aligns)
    s.gap(1)


def _upd_invoice_signatures(s: Sheet, doc: SaleDocument) -> None:
    t, c = s.t["upd"], doc.seller
    half = s.width / 2 - 4
    y = s.pdf.get_y()
    if c.is_entrepreneur:
        s.signer(t["entrepreneur"], "", initials(c.director or c.name), w=half, size=7)
        s.pdf.set_xy(s.pdf.l_margin + half + 8, y)
        s.font(7)
        s.pdf.multi_cell(half, 3.5, t["entrepreneur_cert"].format(ogrn=c.ogrn or "_" * 15))
    else:
        s.signer(t["head"], c.director_post, initials(c.director), w=half, size=7)
        s.pdf.set_y(y)
        # no accountant: the line stays blank, never the director's name again
        s.signer(t["accountant"], "", initials(c.accountant), x=s.pdf.l_margin + half + 8,
                 w=half, size=7)  # fmt: skip
    s.pdf.set_y(max(s.pdf.get_y(), y + 14))
    s.rule(0.4)


def _upd_side(
    s: Sheet, x: float, w: float, rows: list[tuple[str, str]], signer: tuple, stamp: bool = True
) -> None:
    """One side of the transfer part: «[8] label — value» lines, signer lines, М.П. (none for
    a private person: a citizen has no seal)."""
    pdf = s.pdf
    for label, value in rows:
        pdf.set_x(x)
        s.font(6)
        pdf.multi_cell(w, 2.6, label, new_x="LEFT", new_y="NEXT")
        if value == "<signer>":
            pdf.set_y(pdf.get_y() - 1)
            s.signer("", *signer, x=x, w=w, size=6.5)
            pdf.set_y(pdf.get_y() - 1.5)
            continue
        s.font(7, bold=True)
        pdf.set_x(x)
        pdf.multi_cell(w, 3.2, value, new_x="LEFT", new_y="NEXT")
        pdf.set_y(pdf.get_y() + 0.4)
    if stamp:
        s.font(7.5)
        pdf.set_x(x)
        pdf.cell(20, 4, s.t["common"]["stamp"], new_x="LEFT", new_y="NEXT")
    s.font()


def _upd_transfer(s: Sheet, doc: SaleDocument) -> None:
    t, c, b, pdf = s.t["upd"], doc.seller, doc.buyer, s.pdf
    half = s.width / 2 - 4
    if pdf.get_y() > pdf.h - pdf.b_margin - 56:  # both sides go on one page, side by side
        pdf.add_page()
    y = pdf.get_y()
    ours = [
        (t["l8"], doc.basis or DASH), (t["l9"], DASH), (t["l10"], "<signer>"),
        (t["l11"], long_date(doc.date)), (t["l12"], DASH), (t["l13"], "<signer>"),
        (t["l14"], ", ".join(v for v in (c.name, f"ИНН/КПП {_req(c.inn, c.kpp)}") if v)),
    ]  # fmt: skip
    _upd_side(s, pdf.l_margin, half, ours, (c.director_post, initials(c.director)))
    bottom = pdf.get_y()
    pdf.set_y(y)
    buyer_signer = (
        ("", initials(b.name)) if b.is_person else (b.signer_post, initials(b.signer_name))
    )
    theirs = [
        (t["l15"], "<signer>"), (t["l16"], s.t["common"]["date_blank"]), (t["l17"], DASH),
        (t["l18"], "<signer>"),
        (t["l19"], ", ".join(v for v in (b.name, b.inn and f"ИНН/КПП {_req(b.inn, b.kpp)}") if v)),
    ]  # fmt: skip
    _upd_side(s, pdf.l_margin + half + 8, half, theirs, buyer_signer, stamp=not b.is_person)
    pdf.set_y(max(bottom, pdf.get_y()))


def render_upd(
    doc: SaleDocument, texts: Texts | None = None, font_dir: str | Path = DEFAULT_FONT_DIR
) -> bytes:
    _check("upd", doc)
    texts = texts or load_texts()
    title = texts["upd"]["title"].format(number=doc.number, date=short_date(doc.date))
    s = Sheet(texts, font_dir, title=title, landscape=True)
    _upd_header(s, doc)
    _upd_table(s, doc)
    _upd_invoice_signatures(s, doc)
    _upd_transfer(s, doc)
    return s.output()


_TORG_WIDTHS = (8, 70, 14, 14, 12, 14, 14, 14, 14, 16, 18, 20, 12, 18, 21)


def _torg_header(s: Sheet, doc: SaleDocument) -> None:
    t, c, b, pdf = s.t["waybill"], doc.seller, doc.buyer, s.pdf
    s.font(6)
    pdf.multi_cell(0, 2.6, t["form_note"], align="R", new_x="LMARGIN", new_y="NEXT")
    w = s.width - 50
    top = pdf.get_y()
    for label, value in (
        (t["shipper"], s.company_line(c, with_bank=True)),
        (t["unit"], DASH), (t["consignee"], s.party_line(b)),
        (t["supplier"], s.company_line(c, with_bank=True)), (t["payer"], s.party_line(b)),
        (t["basis"], doc.basis or DASH),
    ):  # fmt: skip
        _field(s, label, value, "", w, size=7)
    codes = [("Форма по ОКУД", "0330212"), ("по ОКПО", ""), ("Вид деятельности по ОКДП", ""),
             ("по ОКПО", ""), ("по ОКПО", ""), ("по ОКПО", ""), ("номер", ""), ("дата", "")]  # fmt: skip
    s.font(6.5)
    for n, (label, value) in enumerate(codes):
        pdf.set_xy(pdf.l_margin + w + 2, top + n * 3.6)
        pdf.cell(30, 3.6, label, align="R")
        pdf.cell(18, 3.6, value, border=1, align="C")
    pdf.set_y(max(pdf.get_y(), top + len(codes) * 3.6) + 3)
    x = pdf.l_margin + 80
    s.font(7)
    pdf.set_x(x + 60)
    pdf.cell(30, 4, t["doc_number"], border=1, align="C")
    pdf.cell(30, 4, t["doc_date"], border=1, align="C", new_x="LMARGIN", new_y="NEXT")
    s.font(10, bold=True)
    pdf.set_x(x)
    pdf.cell(60, 5, t["heading"], align="R")
    pdf.cell(30, 5, str(doc.number), border=1, align="C")
    pdf.cell(30, 5, short_date(doc.date), border=1, align="C", new_x="LMARGIN", new_y="NEXT")
    s.gap(2)
    s.font()


def _torg_table(s: Sheet, doc: SaleDocument) -> None:
    t = s.t["waybill"]
    rows = [
        (str(n), i.name, DASH, i.unit, i.okei or DASH, DASH, DASH, DASH, DASH, qty(i.quantity),
         money(_price_without_vat(i)), money(i.without_vat), _rate(i, t["no_vat"]),
         DASH if i.vat is None else money(i.vat), money(i.amount))
        for n, i in enumerate(doc.items, 1)
    ]  # fmt: skip
    vat = doc.vat
    quantity = qty(sum((i.quantity for i in doc.items), start=type(doc.items[0].quantity)()))
    for label in (t["subtotal"], t["grand_total"]):
        rows.append(("", label, "", "", "", "", "", "", "", quantity, "X",
                     money(doc.total - (vat or 0)), "X", DASH if vat is None else money(vat),
                     money(doc.total)))  # fmt: skip
    aligns = ["CENTER", "LEFT"] + ["CENTER"] * 7 + ["RIGHT"] * 3 + ["CENTER", "RIGHT", "RIGHT"]
    numbers = tuple(str(n) for n in range(1, 16))
    _grid(s, _TORG_WIDTHS, t["columns"], numbers, rows, aligns, size=7, head_size=5.5)
    s.gap(1)


def _torg_footer(s: Sheet, doc: SaleDocument) -> None:
    t, c, b, pdf = s.t["waybill"], doc.seller, doc.buyer, s.pdf
    s.para(t["records"].format(count=num2words(len(doc.items), lang="ru")), size=7.5, align="L")
    s.para(f"{t['released_sum']} {amount_in_words(doc.total)}", size=7.5, bold=True, align="L")
    half = s.width / 2 - 4
    y = pdf.get_y() + 1
    pdf.set_y(y)
    s.signer(t["released"], c.director_post, initials(c.director), w=half, size=7)
    s.signer(t["accountant"], "", initials(c.accountant), w=half, size=7)
    s.signer(t["shipped"], "", "", w=half, size=7)
    s.para(f"{s.t['common']['stamp']}   {s.t['common']['date_blank']}", size=7.5, align="L")
    bottom = pdf.get_y()
    x = pdf.l_margin + half + 8
    pdf.set_xy(x, y)
    s.font(7)
    pdf.multi_cell(half, 3.6, t["proxy"], new_x="LEFT", new_y="NEXT")
    buyer = ("", initials(b.name)) if b.is_person else (b.signer_post, initials(b.signer_name))
    s.signer(t["received"], buyer[0], buyer[1], x=x, w=half, size=7)
    s.signer(t["received_by"], "", "", x=x, w=half, size=7)
    pdf.set_x(x)
    s.font(7.5)
    stamp = "" if b.is_person else f"{s.t['common']['stamp']}   "  # a citizen has no seal
    pdf.cell(half, 4, f"{stamp}{s.t['common']['date_blank']}")
    pdf.set_y(max(bottom, pdf.get_y() + 5))
    s.font()


def render_waybill(
    doc: SaleDocument, texts: Texts | None = None, font_dir: str | Path = DEFAULT_FONT_DIR
) -> bytes:
    """ТОРГ-12, for a firm that keeps it beside (or instead of) the УПД: goods only."""
    _check("waybill", doc)
    _goods_only(doc)
    texts = texts or load_texts()
    title = texts["waybill"]["title"].format(number=doc.number, date=short_date(doc.date))
    s = Sheet(texts, font_dir, title=title, landscape=True)
    _torg_header(s, doc)
    _torg_table(s, doc)
    _torg_footer(s, doc)
    return s.output()
