"""Issue 28, the import as the installer meets it: «Примечание» has its column in the list and
the export; «Дача», «баня» are mapped to the firm's object types once and remembered; a
table's dates show no time of day; old Excel (.xls) is read; the export's file name carries
the firm's local time; and a file exported here comes back as the same orders."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from urllib.parse import unquote

import xlwt
from openpyxl import load_workbook

from core.base import settings
from core.base.clock import format_datetime, to_local, utcnow
from core.base.money import rubles
from core.clients.clients import create_client
from core.orders import columns, imports, orders
from core.orders.models import Order
from core.people.staff import create_crew
from tests.admin.test_order_columns import _headers, installer  # noqa: F401 - fixture

HEADERS = ["Дата", "ФИО", "Телефон", "Тип объекта", "Стоимость", "Примечание"]
ROWS = [
    ["01.10.2026", "Иванов Илья", "8 912 000-11-01", "Дача", "30000", "подъезд с реки"],
    ["02.10.2026", "Сидоров Сергей", "8 912 000-11-02", "баня", "20000", ""],
    ["03.10.2026", "Кузнецов Кирилл", "8 912 000-11-03", "Частный дом", "25000", ""],
]  # fmt: skip


def _run(actor, rows, words=None, write=False):
    return imports.run_import(actor, [HEADERS, *rows], "orders", dry_run=not write,
                              pipeline="installation", words=words)  # fmt: skip


def test_object_type_words_are_mapped_once_then_remembered(world, actors):
    boss = actors["director"]
    report = _run(boss, ROWS)
    assert report.unmapped["object_type"] == ["Дача", "баня"]  # «Частный дом» is a type as is
    assert report.suggested == {"Дача": "Дача / садовый участок"}
    assert not report.failed  # a type not in the list is kept meanwhile, never a failed row
    chosen = {"object_type": {"Дача": "Дача / садовый участок", "баня": "Нестандартный объект"}}
    assert _run(boss, ROWS, chosen, write=True).written
    types = {o.client.name: o.object_type for o in Order.select().where(Order.source == "import")}
    assert types == {"Иванов Илья": "Дача / садовый участок", "Сидоров Сергей": "Нестандартный объект",
                     "Кузнецов Кирилл": "Частный дом"}  # fmt: skip
    # The next table says the same words, spelled its own way: mapped by themselves.
    later = [["05.10.2026", "Лисин Лев", "8 912 000-11-05", "ДАЧА", "9000", ""],
             ["06.10.2026", "Орлов Олег", "8 912 000-11-06", "Баня", "9000", ""]]  # fmt: skip
    report = _run(boss, later, write=True)
    assert report.written and report.unmapped["object_type"] == []
    later_types = {o.client.name: o.object_type for o in Order.select().where(Order.id > max(
        o.id for o in Order.select().where(Order.object_type == "Частный дом")))}  # fmt: skip
    assert later_types == {
        "Лисин Лев": "Дача / садовый участок",
        "Орлов Олег": "Нестандартный объект",
    }


def test_import_page_offers_the_type(as_role, world):
    book = io.BytesIO()
    from openpyxl import Workbook

    sheet = Workbook()
    for row in [HEADERS, *ROWS]:
        sheet.active.append(row)
    sheet.save(book)
    html = as_role("director").post(
        "/admin/import/", {"kind": "orders", "pipeline": "installation",
                           "file": (io.BytesIO(book.getvalue()), "заказы.xlsx")},
        content_type="multipart/form-data").get_data(as_text=True)  # fmt: skip
    assert "Объект «Дача» — это тип" in html and "Объект «баня» — это тип" in html
    assert re.search(r'<option value="Дача / садовый участок" selected>', html)


def test_imported_dates_show_no_time_of_day(as_role, world, actors):
    assert _run(actors["director"], ROWS, write=True).written
    order = Order.get(Order.object_note == "подъезд с реки")
    assert to_local(order.created_at).date() == date(2026, 10, 1)
    assert format_datetime(order.created_at) == "01.10.2026"
    html = as_role("director").get("/admin/order/?tab=all").get_data(as_text=True)
    assert "01.10.2026" in html and not re.search(r"01\.10\.2026 \d\d:\d\d", html)
    assert format_datetime(datetime(2026, 10, 1, 11, 15)) == "01.10.2026 14:15"  # times stay


def test_an_old_excel_file_is_read(as_role, world):
    book = xlwt.Workbook()
    sheet = book.add_sheet("Заказы")
    dated = xlwt.easyxf(num_format_str="DD.MM.YYYY")
    for col, head in enumerate(HEADERS):
        sheet.write(0, col, head)
    for line, row in enumerate(ROWS, start=1):
        sheet.write(line, 0, datetime.strptime(row[0], "%d.%m.%Y"), dated)
        for col, value in enumerate(row[1:], start=1):
            sheet.write(line, col, float(value) if value.isdigit() else value)
    out = io.BytesIO()
    book.save(out)
    rows = imports.read_table(out.getvalue(), "заказы.xls")
    assert rows[1][:5] == ["01.10.2026", "Иванов Илья", "8 912 000-11-01", "Дача", "30000"]
    html = as_role("director").post(
        "/admin/import/", {"kind": "orders", "pipeline": "installation",
                           "file": (io.BytesIO(out.getvalue()), "заказы.xls")},
        content_type="multipart/form-data").get_data(as_text=True)  # fmt: skip
    assert "Строк: 3, без ошибок: <b>3</b>" in html
    assert 'accept=".xlsx,.xls,.csv"' in html


def test_the_export_is_named_in_the_firms_time(as_role, world):
    before = to_local(utcnow())
    resp = as_role("director").get("/admin/order/export/csv/?tab=all")
    after = to_local(utcnow())
    header = resp.headers["Content-Disposition"]
    stamps = {f"{t:%Y-%m-%d_%H-%M}" for t in (before, after)}
    assert any(f"filename=order_{s}.csv" in header for s in stamps), header
    assert any(f"Заказы_{s}.csv" in unquote(header) for s in stamps), header


def test_notes_have_their_list_and_export_column(as_role, world, actors, installer):  # noqa: F811
    orders.create_order(actors["manager"], world["c1"].id, "Подключение бани", rubles(9000),
                        pipeline="installation", object_note="Счётчик на столбе")  # fmt: skip
    s = as_role("director")
    html = s.get("/admin/order/?tab=all").get_data(as_text=True)
    assert "Примечание" in _headers(html) and "Счётчик на столбе" in html
    sheet = load_workbook(io.BytesIO(s.get("/admin/order/export/xlsx/?tab=all").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    at = list(rows[0]).index("Примечание")
    assert "Счётчик на столбе" in [r[at] for r in rows[1:]]


FIELDS = ("client_id", "description", "cost", "paid", "stage_id", "crew_id", "executor_id",
          "subcontractor_id", "object_address", "object_type", "object_note",
          "documents_received", "install_date", "due_date")  # fmt: skip


def _same(order: Order) -> tuple:
    taken = to_local(order.created_at).replace(second=0, microsecond=0)
    return (*[getattr(order, f) for f in FIELDS], taken)


def test_export_then_import_gives_back_the_same_orders(as_role, actors, staff, installer):  # noqa: F811
    boss, crew = actors["director"], create_crew(actors["director"], "Бригада Петрова")
    world = {"c1": create_client(actors["manager"], "Иванов Иван Петрович", "+7 912 345-67-89"),
             "c2": create_client(actors["manager"], "ООО Ромашка", "+7 495 123-45-67", kind="company")}  # fmt: skip
    made = [
        orders.create_order(actors["manager"], world["c1"].id, "Техприсоединение дома", rubles(45_000),
                            advance=rubles(20_000), pipeline="installation", crew_id=crew.id,
                            object_address="СНТ «Рассвет», уч. 12", object_type="Дача / садовый участок",
                            object_note="Щит у ворот", documents_received=True,
                            install_date=date(2031, 5, 6), due_date=date(2031, 5, 20)),
        orders.create_order(actors["manager2"], world["c2"].id, "Щит на склад", rubles(30_000),
                            pipeline="installation", executor_id=staff["executor"].id),
        orders.create_order(actors["manager"], world["c2"].id, "Кабель для склада", rubles(12_000),
                            pipeline="installation", subcontractor_id=staff["sub"].id),
    ]  # fmt: skip
    orders.move_order(boss, made[0].id, "mounting")
    orders.move_order(boss, made[1].id, "completed")
    made = [Order.get_by_id(o.id) for o in made]
    every = [
        "created_at",
        "client",
        "description",
        "object_address",
        "object_type",
        "object_note",
        "paid",
        "cost",
        "documents_received",
        "install_date",
        "due_date",
        "crew",
        "executor",
        "subcontractor",
        "stage",
    ]  # fmt: skip (16 with №: as many as a list takes)
    columns.save_choice({r: every for r in columns.ROLES}, "installation")
    exported = as_role("director").get("/admin/order/export/xlsx/?tab=all").data
    rows = imports.read_table(exported, "заказы.xlsx")
    mapping = imports.guess_mapping(rows[0], "orders")
    assert {rows[0][i] for i in mapping.values()} == {
        columns.available("installation")[c] for c in every
    }
    report = imports.run_import(
        boss, rows, "orders", mapping, dry_run=False, pipeline="installation"
    )
    assert report.written, [r.errors for r in report.failed]
    back = list(Order.select().where(Order.source == "import").order_by(Order.id))
    assert sorted(map(_same, back), key=str) == sorted(map(_same, made), key=str)
    assert settings.get("object_types")  # the firm's list untouched


def test_the_print_shops_own_list_comes_back_with_its_subcontracts(as_role, actors, world):
    """The print shop's list as it is (no «Подрядчик» column): a перезаказ shows its firm under
    «Исполнитель», as the counter takes it, so the export brings it back as a перезаказ; a
    role the firm is hidden from sees an empty cell."""
    made = {o.id for o in Order.select()}
    s = as_role("director")
    html = s.get("/admin/order/?tab=all").get_data(as_text=True)
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*№{world['sub'].number}<.*?</tr>", html, re.S).group(
        0
    )
    assert "Подрядчик" not in _headers(html) and "ООО «Сувенир-Принт»" in row
    rows = imports.read_table(s.get("/admin/order/export/xlsx/?tab=all").data, "заказы.xlsx")
    at = rows[0].index("Исполнитель")
    assert "ООО «Сувенир-Принт»" in [r[at] for r in rows[1:]]
    report = imports.run_import(actors["director"], rows, "orders", dry_run=False,
                                pipeline="printing")  # fmt: skip
    assert report.written, [r.errors for r in report.failed]
    back = Order.select().where(Order.id.not_in(made))
    # Everything the list carries comes back (a crew is no column of the print shop's list).
    exported = [f for f in FIELDS if f != "crew_id"]
    assert sorted(tuple(getattr(o, f) for f in exported) for o in back) == sorted(
        tuple(getattr(o, f) for f in exported) for o in Order.select().where(Order.id.in_(made))
    )
    settings.put("hidden_fields", {"manager": ["subcontractor"]})
    html = as_role("manager").get("/admin/order/?tab=all").get_data(as_text=True)
    rows_html = re.search(r'class="[^"]*model-list[^"]*">(.*?)</table>', html, re.S).group(1)
    assert "Кружки 50 шт" in rows_html and "Сувенир-Принт" not in rows_html


def test_cli_maps_object_types_with_type(db, staff, tmp_path, monkeypatch, database_url):
    from click.testing import CliRunner
    from openpyxl import Workbook

    from cli.main import main

    book = Workbook()
    for row in [HEADERS, *ROWS]:
        book.active.append(row)
    book.save(tmp_path / "заказы.xlsx")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIGADIR_DATABASE_URL", database_url)
    base = ["import", "orders", "заказы.xlsx", "--pipeline", "installation"]
    check = CliRunner().invoke(main, base, catch_exceptions=False)
    assert "Типы объектов не из настроек (записаны как есть): «Дача», «баня»" in check.output
    done = CliRunner().invoke(main, [*base, "--write", "--type", "Дача=Дача / садовый участок",
                                     "--type", "баня=как есть"], catch_exceptions=False)  # fmt: skip
    assert done.exit_code == 0 and "записано" in done.output, done.output
    assert {o.object_type for o in Order.select()} == {
        "Дача / садовый участок",
        "баня",
        "Частный дом",
    }


def test_upgrade_moves_earlier_imports_to_the_local_date(world, actors):
    from core import migrations

    assert _run(actors["director"], ROWS, write=True).written
    order = Order.get(Order.object_note == "подъезд с реки")
    Order.update(created_at=datetime(2026, 10, 1)).where(
        Order.id == order.id
    ).execute()  # as before
    assert format_datetime(Order.get_by_id(order.id).created_at) == "01.10.2026 03:00"
    migrations.SchemaVersion.update(version=65).execute()
    migrations.upgrade()
    assert format_datetime(Order.get_by_id(order.id).created_at) == "01.10.2026"
    migrations.SchemaVersion.update(version=65).execute()
    migrations.upgrade()  # twice: still the same day
    assert format_datetime(Order.get_by_id(order.id).created_at) == "01.10.2026"
    assert format_datetime(world["own"].created_at) != "01.10.2026"
