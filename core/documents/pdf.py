"""A thin layer over fpdf2 with the pieces Russian business papers share: requisites
blocks, a line-items table, totals, signature lines, a QR code."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import segno
from fpdf import FPDF

from core.base.money import format_money
from core.documents.data import Company, LineItem, Party
from core.documents.texts import Texts

__all__ = ["DEFAULT_FONT_DIR", "Sheet", "long_date", "money", "qty", "short_date"]

# DejaVu Sans cut to Latin, Cyrillic and the signs the papers use (core/documents/fonts.py made
# them from Debian's fonts-dejavu-core): half the render time of the full fonts, same text.
DEFAULT_FONT_DIR = str(Path(__file__).resolve().parent / "fontfiles")
SYSTEM_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT = "DejaVu"
_MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip


def long_date(d: dt.date) -> str:
    """23 ноября 2026 г. — the form document titles use."""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year} г."


def short_date(d: dt.date) -> str:
    return d.strftime("%d.%m.%Y")


def money(kopecks: int) -> str:
    """12 500,00 — table and totals cells (the column header says руб.)."""
    return format_money(kopecks, currency=False)


def qty(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


class Sheet:
    """One A4 document being drawn. Units are millimetres."""

    def __init__(
        self,
        texts: Texts,
        font_dir: str | Path = DEFAULT_FONT_DIR,
        title: str = "",
        landscape: bool = False,
    ):
        self.t = texts
        pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
        font_dir = Path(font_dir)
        pdf.add_font(FONT, "", str(font_dir / "DejaVuSans.ttf"))
        pdf.add_font(FONT, "B", str(font_dir / "DejaVuSans-Bold.ttf"))
        pdf.set_margins(*((10, 8, 8) if landscape else (15, 12, 12)))
        pdf.set_auto_page_break(True, margin=12)
        pdf.set_title(title)
        pdf.set_creator("Бригадир")
        pdf.add_page()
        pdf.set_font(FONT, "", 9)
        self.pdf = pdf

    @property
    def width(self) -> float:
        return self.pdf.epw

    # text ------------------------------------------------------------------------------
    def font(self, size: float = 9, bold: bool = False) -> None:
        self.pdf.set_font(FONT, "B" if bold else "", size)

    def title(self, text: str, size: float = 13, align: str = "L", underline: bool = True) -> None:
        self.font(size, bold=True)
        self.pdf.multi_cell(0, size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")
        if underline:
            self.rule(1.0)
        self.gap(2)
        self.font()

    def para(
        self,
        text: str,
        size: float = 9,
        bold: bool = False,
        align: str = "J",
        h: float | None = None,
    ) -> None:
        self.font(size, bold)
        pdf = self.pdf
        if "\n" not in text and pdf.get_string_width(text) < pdf.epw - 2 * pdf.c_margin:
            # one line: a plain cell, not the line breaker (a tenth of a paper's time)
            pdf.cell(0, h or size * 0.48, text, align="L" if align == "J" else align,
                     new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        else:
            pdf.multi_cell(0, h or size * 0.48, text, align=align, new_x="LMARGIN", new_y="NEXT")
        self.font()

    def labelled(
        self, label: str, value: str, label_w: float = 38, bold_value: bool = True
    ) -> None:
        """ "Поставщик:  ООО «Печатный двор», ИНН ..." with the value wrapping in its column."""
        pdf = self.pdf
        y = pdf.get_y()
        self.font(9)
        if pdf.get_string_width(label) < label_w - 2 * pdf.c_margin:
            pdf.cell(label_w, 4.5, label)
        else:
            pdf.multi_cell(label_w, 4.5, label, new_x="RIGHT", new_y="TOP")
        self.font(9, bold_value)
        room = pdf.l_margin + pdf.epw - pdf.get_x() - 2 * pdf.c_margin
        if pdf.get_string_width(value) < room:
            pdf.cell(0, 4.5, value, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(0, 4.5, value, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), y + 4.5) + 1.5)
        self.font()

    def gap(self, mm: float) -> None:
        self.pdf.ln(mm)

    def rule(self, width: float = 0.2) -> None:
        pdf = self.pdf
        pdf.set_line_width(width)
        y = pdf.get_y() + 0.5
        pdf.line(pdf.l_margin, y, pdf.l_margin + self.width, y)
        pdf.set_line_width(0.2)
        pdf.set_y(y + 0.5)

    # requisites ------------------------------------------------------------------------
    def company_line(self, c: Company, with_bank: bool = False) -> str:
        t = self.t["common"]
        parts = [c.name]
        parts += [f"{t['inn']} {c.inn}"] if c.inn else []
        parts += [f"{t['kpp']} {c.kpp}"] if c.kpp else []
        parts += [f"{t['ogrn']} {c.ogrn}"] if c.ogrn else []
        parts += [c.address] if c.address else []
        parts += [f"{t['phone']} {c.phone}"] if c.phone else []
        if with_bank and c.account:
            parts += [
                f"{t['account']} {c.account} {t['bank']} {c.bank}",
                f"{t['bik']} {c.bik}",
                f"{t['corr_account']} {c.corr_account}",
            ]
        return ", ".join(parts)

    def party_line(self, p: Party) -> str:
        t = self.t["common"]
        parts = [p.name]
        parts += [f"{t['inn']} {p.inn}"] if p.inn else []
        parts += [f"{t['kpp']} {p.kpp}"] if p.kpp else []
        parts += [f"{t['ogrn']} {p.ogrn}"] if p.ogrn else []
        parts += [p.address] if p.address else []
        parts += [f"{t['phone']} {p.phone}"] if p.phone else []
        parts += [p.bank] if p.bank else []
        return ", ".join(parts)

    # tables ----------------------------------------------------------------------------
    # the lines table: column widths in mm (they fill the portrait page's 183 mm)
    COLUMNS = (8.4, 88.0, 16.7, 14.7, 26.2, 29.0)
    ALIGNS = ("C", "L", "R", "C", "R", "R")

    def wrap(self, text: str, width: float) -> list[str]:
        """Lines of `text` that fit `width` mm in the current font (words kept whole)."""
        pdf = self.pdf
        if pdf.get_string_width(text) <= width:
            return [text]
        lines, line = [], ""
        for word in text.split():
            probe = f"{line} {word}" if line else word
            if not line or pdf.get_string_width(probe) <= width:
                line = probe
            else:
                lines.append(line)
                line = word
        return [*lines, line]

    def _table_row(
        self, cells: Sequence[str], aligns: Sequence[str], bold: bool = False, header: bool = False
    ) -> float:
        """One bordered row; its height is its longest cell's. Returns the height."""
        pdf, pad, line_h = self.pdf, 1.2, 4.0
        self.font(8.5, bold)
        wrapped = [self.wrap(c, w - 2 * pad) for c, w in zip(cells, self.COLUMNS, strict=True)]
        h = max(len(lines) for lines in wrapped) * line_h + 1.6
        x, y = pdf.l_margin, pdf.get_y()
        if header:
            pdf.set_fill_color(235, 235, 235)
        for lines, w, align in zip(wrapped, self.COLUMNS, aligns, strict=True):
            pdf.rect(x, y, w, h, style="DF" if header else "D")
            for n, line in enumerate(lines):
                pdf.set_xy(x + pad, y + 0.8 + n * line_h)
                pdf.cell(w - 2 * pad, line_h, line, align=align)
            x += w
        pdf.set_xy(pdf.l_margin, y + h)
        return h

    def items_table(self, items: Sequence[LineItem], name_heading: str) -> None:
        """№, name, quantity, unit, price, sum — drawn cell by cell (fpdf2's table costs a
        third of an invoice's time); a page break repeats the heading."""
        t, pdf = self.t["common"], self.pdf
        heading = (t["col_no"], name_heading, t["col_qty"], t["col_unit"], t["col_price"],
                   t["col_sum"])  # fmt: skip
        pdf.set_auto_page_break(False)
        self._table_row(heading, ("C",) * 6, bold=True, header=True)
        for n, item in enumerate(items, 1):
            cells = (str(n), item.name, qty(item.quantity), item.unit, money(item.price),
                     money(item.amount))  # fmt: skip
            self.font(8.5)
            lines = len(self.wrap(item.name, self.COLUMNS[1] - 2.4))
            if pdf.get_y() + lines * 4.0 + 1.6 > pdf.h - pdf.b_margin:
                pdf.add_page()
                self._table_row(heading, ("C",) * 6, bold=True, header=True)
            self._table_row(cells, self.ALIGNS)
        pdf.set_auto_page_break(True, margin=pdf.b_margin)
        self.font()
        self.gap(1.5)

    def totals(self, rows: Sequence[tuple[str, str]]) -> None:
        """Right-aligned "Итого: 12 500,00" lines under the table."""
        for label, value in rows:
            self.font(9, bold=True)
            self.pdf.cell(self.width - 30, 5, f"{label}:", align="R")
            self.pdf.cell(30, 5, value, align="R", new_x="LMARGIN", new_y="NEXT")
        self.font()

    # signatures ------------------------------------------------------------------------
    def signature(
        self, role: str, name: str = "", x: float | None = None, w: float | None = None
    ) -> None:
        """role  ________  Петров П.П.  — two lines (signature, printed name) with captions;
        an empty name leaves its line blank for handwriting."""
        pdf = self.pdf
        x = pdf.l_margin if x is None else x
        w = self.width if w is None else w
        y = pdf.get_y()
        self.font(9, bold=True)
        longest_word = max((pdf.get_string_width(word) for word in role.split()), default=0)
        role_w = min(pdf.get_string_width(role) + 3, max(w * 0.34, longest_word + 3))
        pdf.set_xy(x, y)
        pdf.multi_cell(role_w, 4.5, role, align="L", new_x="RIGHT", new_y="TOP")
        bottom = pdf.get_y()
        sign_w = (w - role_w) * 0.42
        name_x, name_w = x + role_w + sign_w + 3, w - role_w - sign_w - 3
        line_y = y + 4.5
        pdf.set_line_width(0.2)
        pdf.line(x + role_w, line_y, x + role_w + sign_w, line_y)
        pdf.line(name_x, line_y, name_x + name_w, line_y)
        size = 9.0
        self.font(size)
        while (
            size > 6 and pdf.get_string_width(name) > name_w
        ):  # long full names still fit the line
            size -= 0.5
            self.font(size)
        pdf.set_xy(name_x, y)
        pdf.cell(name_w, 4.5, name, align="C")
        self.font(6)
        pdf.set_xy(x + role_w, line_y + 0.2)
        pdf.cell(sign_w, 2.5, "подпись", align="C")
        pdf.set_xy(name_x, line_y + 0.2)
        pdf.cell(name_w, 2.5, "расшифровка подписи", align="C")
        pdf.set_xy(pdf.l_margin, max(bottom, y + 4.5) + 5.5)
        self.font()

    def signer(
        self,
        role: str,
        post: str,
        name: str,
        x: float | None = None,
        w: float | None = None,
        size: float = 8.5,
    ) -> None:
        """role on its own line, then post | signature | name on lines with captions under
        them (402-ФЗ ст. 9: the post and the name of who signs); empty fields stay blank."""
        pdf = self.pdf
        x = pdf.l_margin if x is None else x
        w = self.width if w is None else w
        if role:
            self.font(size, bold=True)
            pdf.set_x(x)
            pdf.multi_cell(w, size * 0.5, role, align="L", new_x="LEFT", new_y="NEXT")
        y = pdf.get_y() + 1
        widths = (w * 0.36, w * 0.24, w * 0.40)
        captions = self.t["common"]["sign_captions"]
        left = x
        for value, width, caption in zip((post, "", name), widths, captions, strict=True):
            self.font(size)
            fit = size
            while fit > 5.5 and pdf.get_string_width(value) > width - 3:
                fit -= 0.5
                self.font(fit)
            pdf.set_xy(left, y)
            pdf.cell(width - 3, 4.5, value, align="C")
            pdf.line(left, y + 4.5, left + width - 3, y + 4.5)
            self.font(5.5)
            pdf.set_xy(left, y + 4.7)
            pdf.cell(width - 3, 2.3, caption, align="C")
            left += width
        pdf.set_xy(pdf.l_margin, y + 8.5)
        self.font()

    def signers_pair(
        self, left: tuple[str, str, str], right: tuple[str, str, str], size: float = 8.5
    ) -> None:
        """Two signer blocks side by side (ours on the left, the client's on the right)."""
        y = self.pdf.get_y()
        half = self.width / 2 - 4
        self.signer(*left, x=self.pdf.l_margin, w=half, size=size)
        y_left = self.pdf.get_y()
        self.pdf.set_y(y)
        self.signer(*right, x=self.pdf.l_margin + half + 8, w=half, size=size)
        self.pdf.set_y(max(y_left, self.pdf.get_y()))

    def signatures_pair(self, left: tuple[str, str], right: tuple[str, str]) -> None:
        y = self.pdf.get_y()
        half = self.width / 2 - 5
        self.signature(*left, x=self.pdf.l_margin, w=half)
        y_left = self.pdf.get_y()
        self.pdf.set_y(y)
        self.signature(*right, x=self.pdf.l_margin + half + 10, w=half)
        self.pdf.set_y(max(y_left, self.pdf.get_y()))

    def signature_dated(self, role: str, name: str) -> None:
        """A signature on the left half, «__» ______ 20__ г. on the right, for hand-filled dates."""
        y = self.pdf.get_y()
        half = self.width / 2 - 5
        self.signature(role, name, w=half)
        after = self.pdf.get_y()
        self.font(9)
        self.pdf.set_xy(self.pdf.l_margin + half + 10, y)
        self.pdf.cell(half, 4.5, self.t["common"]["date_blank"], align="R")
        self.pdf.set_y(after)
        self.font()

    def stamps(self, both: bool = True) -> None:
        """М.П. under each side's signature."""
        self.font(8)
        y = self.pdf.get_y()
        self.pdf.cell(20, 4, self.t["common"]["stamp"])
        if both:
            self.pdf.set_xy(self.pdf.l_margin + self.width / 2 + 5, y)
            self.pdf.cell(20, 4, self.t["common"]["stamp"])
        self.pdf.set_xy(self.pdf.l_margin, y + 6)
        self.font()

    # pictures --------------------------------------------------------------------------
    def qr(self, link: str | bytes, x: float, y: float, size: float) -> None:
        """Vector QR (crisp at any print resolution), drawn as filled runs of modules. Bytes
        go in byte mode as they are (the payment QR is UTF-8 by its own header)."""
        # A fixed mask: segno would otherwise try all eight for the «best» one, the larger part
        # of an invoice's QR time; every mask is valid and readers read them all.
        code = segno.make(link, error="m", micro=False, mask=3)
        border = 2
        cells = len(code.matrix) + 2 * border
        m, k, page_h = size / cells, self.pdf.k, self.pdf.h
        runs = []  # every dark run one "re" in one path, filled once: a thousand rects cost
        for r, row in enumerate(code.matrix):  # a third of an invoice when drawn one by one
            c, width = 0, len(row)
            while c < width:
                if row[c]:
                    start = c
                    while c < width and row[c]:
                        c += 1
                    rx, ry = x + (start + border) * m, y + (r + border) * m
                    runs.append(
                        f"{rx * k:.2f} {(page_h - ry) * k:.2f} {(c - start) * m * k:.2f} "
                        f"{-m * k:.2f} re"
                    )
                else:
                    c += 1
        self.pdf.set_fill_color(0, 0, 0)
        self.pdf._out("\n".join(runs) + "\nf")  # fpdf2's own rect() writes the same operators

    def image(self, jpeg: bytes, x: float, y: float, w: float, h: float) -> None:
        self.pdf.image(io.BytesIO(jpeg), x=x, y=y, w=w, h=h, keep_aspect_ratio=True)

    def output(self) -> bytes:
        return bytes(self.pdf.output())
