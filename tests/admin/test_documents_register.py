"""The documents register: every issued paper with its Russian type, number, date, client,
order, sum and PDF; filters by type, period and client; XLSX/CSV export with Russian headers,
numbers and local dates; the sum gone for whoever may not see money."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from core.base import settings
from core.base.money import rubles
from core.clients.clients import update_client
from core.documents.issue import issue_document

COMPANY = {"name": "ООО «Печатный двор»", "inn": "7701234567", "kpp": "770101001",
           "address": "г. Москва, ул. Тверская, д. 7", "bank": "ПАО «Сбербанк»", "bik": "044525225",
           "account": "40702810938000012345", "corr_account": "30101810400000000225",
           "director": "Петров П.П."}  # fmt: skip


@pytest.fixture
def papers(world, actors, store):
    settings.put("company", COMPANY)
    manager = actors["manager"]
    update_client(manager, world["c1"].id, inn="500100732259", address="г. Тверь, ул. Речная, 3")
    update_client(manager, world["c2"].id, inn="7707083893", kpp="771201001", address="г. Москва")
    return {
        "invoice": issue_document(manager, "invoice", world["own"].id, store, date=dt.date(2026, 10, 5)),
        "act": issue_document(manager, "act", world["own"].id, store, date=dt.date(2026, 11, 2)),
        "foreign": issue_document(actors["manager2"], "invoice", world["foreign"].id, store,
                                  date=dt.date(2026, 11, 20)),
    }  # fmt: skip


def _rows(html: str) -> list[list[str]]:
    table = html[html.index('id="register"') : html.index("</table>", html.index('id="register"'))]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def test_register_lists_filters_and_links_every_paper(as_role, world, papers):
    s = as_role("manager")
    html = s.get("/admin/documents/").get_data(as_text=True)
    assert "<th>Тип</th><th>Номер</th><th>Дата</th><th>Клиент</th><th>Заказ</th>" in html
    assert _rows(html) == [
        ["Счёт", "2", "20.11.2026", "ООО Ромашка", f"№{world['foreign'].number}", "12 500,00 ₽", "PDF"],
        ["Акт", "1", "02.11.2026", "Иванов Иван Петрович", f"№{world['own'].number}", "3 000,00 ₽", "PDF"],
        ["Счёт", "1", "05.10.2026", "Иванов Иван Петрович", f"№{world['own'].number}", "3 000,00 ₽", "PDF"],
    ]  # fmt: skip
    pdf = re.search(r'href="(/files/[^"]+)">PDF', html).group(1)
    assert s.get(pdf).data.startswith(b"%PDF")
    assert [r[:2] for r in _rows(s.get("/admin/documents/?kind=invoice").get_data(as_text=True))] == [
        ["Счёт", "2"], ["Счёт", "1"]]  # fmt: skip
    november = s.get("/admin/documents/?start=2026-11-01&end=2026-11-30").get_data(as_text=True)
    assert [r[:2] for r in _rows(november)] == [["Счёт", "2"], ["Акт", "1"]]
    by_name = s.get("/admin/documents/?client=ромаш").get_data(as_text=True)
    assert [r[3] for r in _rows(by_name)] == ["ООО Ромашка"]
    by_card = s.get(f"/admin/documents/?client_id={world['c1'].id}").get_data(as_text=True)
    assert [r[0] for r in _rows(by_card)] == ["Акт", "Счёт"]
    assert as_role("executor").get("/admin/documents/").status_code == 403


def test_export_has_russian_headers_numbers_and_local_dates(as_role, papers):
    s = as_role("director")
    book = load_workbook(io.BytesIO(s.get("/admin/documents/?export=xlsx&kind=invoice").data))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Тип", "Номер", "Дата", "Клиент", "Заказ", "Сумма, ₽")
    assert rows[1][0] == "Счёт" and rows[1][2] == dt.datetime(2026, 11, 20) and rows[1][5] == 12500
    assert sheet["C2"].number_format == "DD.MM.YYYY" and sheet["F2"].number_format == "#,##0.00"
    text = s.get("/admin/documents/?export=csv&kind=act").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0] == ["Тип", "Номер", "Дата", "Клиент", "Заказ", "Сумма, ₽"]
    assert lines[1][:3] == ["Акт", "1", "02.11.2026"] and lines[1][5] == "3000,00"


def test_sum_column_absent_when_money_is_hidden(as_role, world, papers):
    settings.put("hidden_fields", {"manager": ["cost"], "executor": []})
    s = as_role("manager")
    html = s.get("/admin/documents/").get_data(as_text=True)
    assert "Сумма" not in html and "₽" not in html.split('id="register"')[1]
    sheet = load_workbook(io.BytesIO(s.get("/admin/documents/?export=xlsx").data)).active
    assert [c.value for c in sheet[1]] == ["Тип", "Номер", "Дата", "Клиент", "Заказ"]
    text = s.get("/admin/documents/?export=csv").data.decode("utf-8-sig")
    assert "Сумма" not in text and "3000,00" not in text
    card = s.get(f"/admin/client/card/?id={world['c1'].id}").get_data(as_text=True)
    block = card.split('id="client-documents"')[1].split("</ul>")[0]
    assert "Акт №1" in block and "₽" not in block


def test_client_card_names_papers_in_russian_with_links(as_role, world, papers):
    card = (
        as_role("director").get(f"/admin/client/card/?id={world['c1'].id}").get_data(as_text=True)
    )
    block = card.split('id="client-documents"')[1].split("</ul>")[0]
    assert re.search(r'<a href="/files/[^"]+">Акт №1</a> от 02.11.2026 — 3 000,00 ₽', block)
    assert ">Счёт №1</a>" in block and "invoice" not in block
    assert f"/admin/documents/?client_id={world['c1'].id}" in card
    assert rubles(3000) == papers["act"].total


def test_the_page_shows_the_newest_hundred_and_the_file_carries_them_all(as_role, world):
    from admin.views.documents import SCREEN
    from core.documents.models import Document

    start = dt.date(2026, 1, 1)
    Document.insert_many(
        [
            {"kind": "invoice", "number": n + 1, "year": 2026, "date": start + dt.timedelta(days=n % 300),
             "client": world["c1"].id, "order": world["own"].id, "total": 100 * n}
            for n in range(SCREEN + 5)
        ]
    ).execute()  # fmt: skip
    s = as_role("director")
    html = s.get("/admin/documents/").get_data(as_text=True)
    rows = _rows(html)
    assert len(rows) == SCREEN
    assert rows[0][2] == (start + dt.timedelta(days=SCREEN + 4)).strftime(
        "%d.%m.%Y"
    )  # newest first
    assert f"Показаны последние {SCREEN} документов" in html
    text = s.get("/admin/documents/?export=csv").get_data().decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text), delimiter=";"))) == SCREEN + 5 + 1  # + header
    narrow = s.get("/admin/documents/?start=2026-01-01&end=2026-01-10").get_data(as_text=True)
    assert len(_rows(narrow)) == 10 and "Показаны последние" not in narrow
