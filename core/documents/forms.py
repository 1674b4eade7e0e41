"""Order form (бланк заказа), contract with receipt (договор-расписка), cash receipt (квитанция)."""

from __future__ import annotations

from pathlib import Path

from core.base.money import format_money
from core.documents.cases import gender_of, person_case, phrase_case
from core.documents.checks import DocumentError, require
from core.documents.data import CashReceipt, Company, Contract, OrderForm, Party, initials
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


def _order_money(s: Sheet, doc: OrderForm) -> float:
    """Cost, advance, balance and due date on the left; returns where the block ends."""
    t, pdf = s.t["order_form"], s.pdf
    rows = [(t["cost"], money(doc.total)), (t["advance"], money(doc.advance)),
            (t["balance"], money(doc.balance))]  # fmt: skip
    for label, value in rows:
        s.font(11, bold=True)
        pdf.cell(62, 7, label, border=1)
        pdf.cell(38, 7, f"{value} ₽", border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    if doc.due_date:
        s.font(11, bold=True)
        pdf.cell(62, 7, t["due"], border=1)
        pdf.cell(38, 7, short_date(doc.due_date), border=1, align="R", new_x="LMARGIN",
                 new_y="NEXT")  # fmt: skip
    return pdf.get_y()


def _order_qr(s: Sheet, doc: OrderForm, top: float, bottom: float) -> float:
    """The follow-the-order QR on the right of the money block."""
    if not doc.track_url:
        return bottom
    t, pdf = s.t["order_form"], s.pdf
    size = 34
    qx = pdf.l_margin + s.width - size
    s.qr(doc.track_url, qx, top - 2, size)
    s.font(7)
    pdf.set_xy(qx - 46, top + 4)
    pdf.multi_cell(44, 3.3, t["qr"], align="R")
    return max(bottom, top - 2 + size)


def _order_preview(s: Sheet, doc: OrderForm) -> None:
    if not doc.preview_jpeg:
        return
    pdf = s.pdf
    s.para(s.t["order_form"]["preview"], size=8, bold=True, align="L")
    box_top = pdf.get_y() + 1
    box_h = min(95.0, pdf.h - pdf.b_margin - box_top - 40)
    pdf.rect(pdf.l_margin, box_top, s.width, box_h)
    s.image(doc.preview_jpeg, pdf.l_margin + 2, box_top + 2, s.width - 4, box_h - 4)
    pdf.set_y(box_top + box_h + 3)


def render_order_form(
    doc: OrderForm, texts: Texts | None = None, font_dir: str | Path = DEFAULT_FONT_DIR
) -> bytes:
    require("order_form", "", [("название фирмы", doc.company.name), ("клиент", doc.client.name),
                               ("описание", doc.description)])  # fmt: skip
    _check_sums("order_form", doc.total, doc.advance)
    texts = texts or load_texts()
    t = texts["order_form"]
    title = t["title"].format(number=doc.number, date=short_date(doc.date))
    s = Sheet(texts, font_dir, title=title)
    s.para(s.company_line(doc.company), size=8, align="L")
    s.gap(2)
    s.title(title, size=14)
    s.labelled(t["client"], doc.client.name)
    if doc.client.phone:
        s.labelled(t["phone"], doc.client.phone)
    s.labelled(t["description"], doc.description, bold_value=False)
    if doc.items:
        s.items_table(doc.items, t["col_name"])
    top = s.pdf.get_y() + 1
    bottom = _order_qr(s, doc, top, _order_money(s, doc))
    s.pdf.set_y(bottom + 3)
    s.font()
    _order_preview(s, doc)
    s.para(t["agree"], size=8.5)
    s.gap(5)
    s.signatures_pair((t["manager"], doc.manager), (t["client_sign"], doc.client.name))
    return s.output()


def _acting(gender: str | None, case: str) -> str:
    """«действующего» / «действующей» (in the genitive after «в лице»), «действующий» / …"""
    forms = {"gent": ("действующего", "действующей"), "nomn": ("действующий", "действующая")}
    return forms[case][1 if gender == "female" else 0]


def executor_phrase(c: Company, representative: str = "") -> tuple[str, str]:
    """(who, named): «ООО «Электромонтаж», в лице директора Сергеева Сергея Сергеевича,
    действующего на основании Устава» and «именуемое»; an ИП acts for himself."""
    if representative:
        gender = gender_of(representative)
        head = (f"в лице {person_case(representative, 'gent')}, {_acting(gender, 'gent')} "
                "на основании доверенности")  # fmt: skip
        return f"{c.name}, {head}", "именуемый" if c.is_entrepreneur else "именуемое"
    gender = gender_of(c.director or c.name)
    basis = phrase_case(c.director_basis or "Устав", "gent")
    if c.is_entrepreneur and basis.lower() == "устава":  # the default; an ИП has no charter
        basis = "листа записи ЕГРИП"
    if c.is_entrepreneur:
        named = "именуемая" if gender == "female" else "именуемый"
        acting = _acting(gender, "nomn")
        ogrn = f" (ОГРНИП {c.ogrn})" if c.ogrn else ""
        return f"{c.name}{ogrn}, {acting} на основании {basis}", named
    post = phrase_case(c.director_post or "Директор", "gent", lower_first=True)
    who = f"{c.name}, в лице {post} {person_case(c.director, 'gent')}, {_acting(gender, 'gent')} "
    return who + f"на основании {basis}", "именуемое"


def customer_phrase(p: Party, passport: str) -> tuple[str, str]:
    """(who, named) for the client: «гражданин Иванов Иван Иванович, паспорт …», «именуемый»."""
    if not p.is_person:
        signer = ""
        if p.signer_name:
            post = phrase_case(p.signer_post, "gent", lower_first=True) if p.signer_post else ""
            signer = f", в лице {' '.join(x for x in (post, person_case(p.signer_name)) if x)}"
        return f"{p.name}{signer}", "именуемое"
    gender = gender_of(p.name)
    citizen = {"male": "гражданин ", "female": "гражданка "}.get(gender or "", "")
    named = {"male": "именуемый", "female": "именуемая"}.get(gender or "", "именуемый(ая)")
    return f"{citizen}{p.name}{passport}", named


def _contract_sums(doc: Contract) -> dict[str, str]:
    total, total_words = _sum(doc.total)
    advance, advance_words = _sum(doc.advance)
    balance, balance_words = _sum(doc.balance)
    return dict(total=total, total_words=total_words, advance=advance,
                advance_words=advance_words, balance=balance, balance_words=balance_words)  # fmt: skip


def _contract_check(doc: Contract) -> None:
    c, p = doc.company, doc.client
    require("contract", "", [
        ("название фирмы", c.name), ("подписант фирмы", doc.representative or c.director),
        ("клиент", p.name), ("адрес объекта", doc.object_address), ("тип объекта", doc.object_type),
        ("работы", doc.work),
    ])  # fmt: skip
    if doc.total <= 0:
        raise DocumentError("Нельзя оформить договор: не указана стоимость работ.", ["стоимость"])
    _check_sums("contract", doc.total, doc.advance)


def _contract_terms(s: Sheet, doc: Contract, sums: dict[str, str]) -> None:
    t, common, c, p = s.t["contract"], s.t["common"], doc.company, doc.client
    passport = f", {common['passport']} " + (p.passport or "_" * 44)
    who, named = executor_phrase(c, doc.representative)
    client, client_named = customer_phrase(p, passport)
    s.para(t["preamble"].format(executor=who, executor_named=named, client=client,
                                client_named=client_named))  # fmt: skip
    s.gap(2)
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


def render_contract(
    doc: Contract, texts: Texts | None = None, font_dir: str | Path = DEFAULT_FONT_DIR
) -> bytes:
    _contract_check(doc)
    c, p = doc.company, doc.client
    texts = texts or load_texts()
    t = texts["contract"]
    s = Sheet(texts, font_dir, title=t["title"].format(number=doc.number))
    s.title(t["title"].format(number=doc.number), size=14, align="C", underline=False)
    s.font(9)
    s.pdf.cell(s.width / 2, 5, t["place_date"].format(city=doc.city))
    s.pdf.cell(s.width / 2, 5, long_date(doc.date), align="R", new_x="LMARGIN", new_y="NEXT")
    s.gap(3)
    sums = _contract_sums(doc)
    _contract_terms(s, doc, sums)
    s.gap(2)
    signer = initials(doc.representative or c.director)
    post = "" if doc.representative else c.director_post
    s.signers_pair((t["executor"], post, signer), (t["customer"], "", initials(p.name)))
    # the receipt for the advance, on the same sheet
    s.rule(0.4)
    s.para(t["receipt_heading"], bold=True, align="C")
    s.para(t["receipt"].format(**sums))
    s.gap(2)
    s.signature_dated(t["executor"], signer)
    # filled in at the end: balance received, work accepted
    s.rule(0.4)
    s.para(t["final_heading"], bold=True, align="C")
    s.para(t["final_paid"].format(**sums))
    s.gap(2)
    s.signature_dated(t["executor"], "")
    s.para(t["final_accepted"])
    s.gap(2)
    s.signature_dated(t["customer"], initials(p.name))
    return s.output()


def render_receipt(
    doc: CashReceipt, texts: Texts | None = None, font_dir: str | Path = DEFAULT_FONT_DIR
) -> bytes:
    require("receipt", "", [("название фирмы", doc.company.name), ("плательщик", doc.payer),
                            ("основание", doc.purpose), ("кто принял деньги", doc.cashier)])  # fmt: skip
    if doc.amount <= 0:
        raise DocumentError("Нельзя оформить квитанцию: сумма должна быть больше нуля.", ["сумма"])
    texts = texts or load_texts()
    t = texts["receipt"]
    title = t["title"].format(number=doc.number, date=short_date(doc.date))
    s = Sheet(texts, font_dir, title=title)
    pdf = s.pdf
    s.title(f"{title}\n{t['subtitle']}", size=13)
    s.labelled(t["company"], s.company_line(doc.company), label_w=30)
    payer = doc.payer if doc.payer_is_company else person_case(doc.payer, "gent")
    s.labelled(t["payer"], payer, label_w=30)
    s.labelled(t["purpose"], doc.purpose, label_w=30)
    amount, words = _sum(doc.amount)
    s.labelled(t["amount"], f"{amount} ({words})", label_w=30)
    s.gap(4)
    s.signers_pair((t["cashier"], doc.cashier_post, initials(doc.cashier)),
                   (t["payer_sign"], "", "" if doc.payer_is_company else initials(doc.payer)))  # fmt: skip
    s.gap(2)
    # the note is boxed and bold: nobody should mistake this for a fiscal cheque
    s.font(12, bold=True)
    pdf.set_line_width(0.6)
    pdf.cell(0, 10, t["not_fiscal"].upper(), border=1, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_line_width(0.2)
    s.gap(1)
    s.para(t["not_fiscal_note"], size=7.5, align="C")
    return s.output()
