"""The month's sheet as Excel (XLSX: Russian headers, rubles as numbers Excel adds up) and a
person's payslip as a PDF (fpdf2, through core.documents' sheet). Both take what
core.pay.payroll let the actor see: nothing here reads pay on its own."""

from __future__ import annotations

import io
from datetime import date

from core.base.clock import format_date
from core.base.money import format_money
from core.base.runtime import company
from core.documents.pdf import Sheet as PdfSheet
from core.documents.texts import load_texts
from core.pay.payroll import Sheet, month_title
from core.pay.rules import BASES
from core.pay.sheet import Line, Part

__all__ = ["COLUMNS", "payslip_pdf", "percent_text", "sheet_xlsx", "part_rows"]

# (attribute, header) of the export, in the sheet's order; money columns are rubles.
COLUMNS = (
    ("name", "Сотрудник"), ("orders_done", "Заказов выполнено"), ("stages_done", "Этапов пройдено"),
    ("days_absent", "Дней отсутствия"), ("base", "База процента, ₽"), ("salary", "Оклад, ₽"),
    ("percent", "Процент, ₽"), ("piece", "Сдельно, ₽"), ("bonuses", "Премии, ₽"),
    ("fines", "Штрафы, ₽"), ("correction", "Корректировка, ₽"), ("accrued", "Начислено, ₽"),
    ("advances", "Аванс, ₽"), ("paid", "Выплачено, ₽"), ("due", "К выплате, ₽"),
    ("spent", "Расходы из подотчёта, ₽"),
)  # fmt: skip
COUNTS = {"name", "orders_done", "stages_done", "days_absent"}


def percent_text(hundredths: int) -> str:
    """250 -> "2,5 %"."""
    whole, frac = divmod(hundredths, 100)
    return f"{whole},{frac:02d}".rstrip("0").rstrip(",") + " %"


def _cell(line: Line, name: str) -> object:
    value = getattr(line, name)
    if name in COUNTS or value is None:
        return value
    return value / 100


def sheet_xlsx(sheet: Sheet) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    ws.title = f"Зарплата {sheet.month.period}"
    ws.append([f"Зарплата за {month_title(sheet.month)}"
               + (" (месяц закрыт)" if sheet.closed else " (предварительно)")])  # fmt: skip
    ws["A1"].font = Font(bold=True)
    ws.append([header for _name, header in COLUMNS])
    for line in sheet.lines:
        ws.append([_cell(line, name) for name, _header in COLUMNS])
    total = ["Итого"] + [
        None if name in COUNTS else sum((getattr(ln, name) or 0) for ln in sheet.lines) / 100
        for name, _h in COLUMNS[1:]
    ]
    if sheet.base_hidden:
        total[[n for n, _h in COLUMNS].index("base")] = None
    ws.append(total)
    for index, (name, _header) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = 30 if name == "name" else 14
        if name not in COUNTS:
            for (cell,) in ws.iter_rows(min_row=3, min_col=index, max_col=index):
                cell.number_format = "#,##0.00"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def part_rows(part: Part) -> list[tuple[str, int]]:
    """What one rule in force earned, line by line, in words."""
    period = (
        f"{format_date(date.fromisoformat(part.start))}–{format_date(date.fromisoformat(part.end))}"
    )
    rows = []
    if part.salary_rate:
        worked = part.days - part.absent
        away = f", отсутствовал {part.absent} дн." if part.absent else ""
        rows.append((f"Оклад {format_money(part.salary_rate)} в месяц, {period}: "
                     f"{worked} из {part.days} дн.{away}", part.salary))  # fmt: skip
    if part.percent_rate and part.orders:
        base = "•••" if part.base is None else format_money(part.base)
        rows.append((f"{percent_text(part.percent_rate)} {BASES[part.percent_base]} "
                     f"{base} ({part.orders} зак.), {period}", part.percent))  # fmt: skip
    for stage, count, rate, amount in part.pieces:
        rows.append((f"Сдельно: «{stage}» × {count} по {format_money(rate)}", amount))
    return rows


def _payslip_rows(line: Line) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for part in line.parts:
        rows += [(text, format_money(amount)) for text, amount in part_rows(part)]
    if line.bonuses:
        rows.append(("Премии", format_money(line.bonuses)))
    if line.fines:
        rows.append(("Штрафы", format_money(-line.fines)))
    if line.correction:
        rows.append(("Корректировка за прошлые месяцы", format_money(line.correction)))
    return rows


def payslip_pdf(sheet: Sheet, line: Line) -> bytes:
    pdf = PdfSheet(load_texts(), title=f"Расчётный листок — {line.name}")
    firm = company().get("name") or ""
    if firm:
        pdf.para(firm, size=9)
    pdf.title(f"Расчётный листок за {month_title(sheet.month)}")
    pdf.labelled("Сотрудник:", line.name + (f", {line.position}" if line.position else ""))
    state = (
        f"месяц закрыт {format_date(sheet.closed.closed_at)}" if sheet.closed
        else "предварительный расчёт: месяц ещё не закрыт"
    )  # fmt: skip
    pdf.labelled("Расчёт:", state, bold_value=False)
    pdf.labelled("Работа:", f"выполнено заказов: {line.orders_done}, этапов пройдено: "
                 f"{line.stages_done}, дней отсутствия: {line.days_absent}", bold_value=False)  # fmt: skip
    pdf.gap(2)
    _table(pdf, "Начислено", _payslip_rows(line) or [("Начислений нет", format_money(0))])
    pdf.totals([("Итого начислено", format_money(line.accrued + line.correction))])
    pdf.gap(2)
    _table(pdf, "Выплачено", [("Аванс", format_money(line.advances)),
                              ("Выплачено по расчёту", format_money(line.paid))])  # fmt: skip
    pdf.totals([("К выплате", format_money(line.due))])
    pdf.gap(10)
    pdf.signatures_pair(("Директор", ""), ("Получил", line.name))
    return pdf.output()


def _table(pdf: PdfSheet, heading: str, rows: list[tuple[str, str]]) -> None:
    from fpdf.fonts import FontFace

    pdf.font(8.5)
    with pdf.pdf.table(
        col_widths=(140, 35), text_align=("LEFT", "RIGHT"), line_height=4.8,
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        padding=(0.8, 1.2), borders_layout="ALL", first_row_as_headings=True,
    ) as table:  # fmt: skip
        table.row((heading, "Сумма, руб."))
        for text, amount in rows:
            table.row((text, amount.replace(" ₽", "")))
    pdf.font()
