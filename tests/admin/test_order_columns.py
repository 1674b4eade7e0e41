"""Issue 12: the order list's columns chosen per firm and per role in Settings, the crew and
new-column filters, and exports that carry the chosen columns as Excel reads them."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.access import SYSTEM, actor_for_employee, masked_text
from core.base import runtime, settings
from core.base.clock import format_datetime, to_local
from core.base.errors import ValidationError
from core.base.money import rubles
from core.orders import columns
from core.orders.models import Order, Stage
from core.orders.orders import create_order, order_view
from core.people.staff import create_crew
from tests.admin.conftest import csrf_of
from tests.admin.test_hidden_fields import _filters_offered
from tests.htmlforms import form_with

INSTALLER_HEADERS = ["№", "Дата", "Клиент (ФИО)", "Адрес объекта", "Тип объекта", "Аванс",
                     "Стоимость", "Документы получены", "Дата монтажа", "Бригада", "Примечание", "Этап",
                     "Ответственный"]  # fmt: skip
PRINT_SHOP_HEADERS = ["№", "Принят", "Клиент", "Описание", "Этап", "Стоимость", "Оплачено", "Долг",
                      "Менеджер", "Исполнитель", "Срок"]  # fmt: skip


@pytest.fixture
def installer(app, monkeypatch):
    """The installer's firm: new orders and the list's defaults follow its pipeline."""
    config = runtime.config()
    monkeypatch.setattr(
        runtime,
        "_config",
        dataclasses.replace(config, app=dataclasses.replace(config.app, pipeline="installation")),
    )
    monkeypatch.setattr(runtime, "_effective", None)  # Настройки are laid over the file anew
    return "installation"


def _headers(html: str) -> list[str]:
    import re

    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    cells = re.findall(r'<th class="column-header col-[\w]+"[^>]*>(.*?)</th>', head, re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in cells]


def _installer_orders(actors, staff, world):
    """Two installer orders: one with everything filled, for crew 2; one bare, for crew 1."""
    crew2 = create_crew(SYSTEM, "Бригада Петрова")
    full = create_order(
        actors["manager"], world["c1"].id, "Техприсоединение дома", rubles(45_000),
        advance=rubles(20_000), pipeline="installation", crew_id=crew2.id,
        object_address="СНТ «Рассвет», уч. 12", object_type="Дача / садовый участок",
        documents_received=True, install_date=date(2031, 5, 6),
    )  # fmt: skip
    bare = create_order(
        actors["manager2"], world["c2"].id, "Щит на склад", rubles(30_000),
        pipeline="installation", crew_id=staff["crew"].id,
    )  # fmt: skip
    return full, bare, crew2


# ---------------------------------------------------------------- core: which columns
def test_defaults_per_pipeline_and_a_choice_per_role(world, staff):
    assert columns.defaults("printing")[:3] == ["number", "created_at", "client"]
    assert [columns.available("installation")[c] for c in columns.defaults("installation")] == (
        INSTALLER_HEADERS
    )
    director = actor_for_employee(staff["director"])
    executor = actor_for_employee(staff["executor"])
    # the executor's money is hidden by default: chosen or not, it never comes
    assert [c for c, _ in columns.columns_for(executor, "printing")] == [
        "number", "created_at", "client", "description", "stage", "manager", "executor", "due_date",
    ]  # fmt: skip
    settings.put("custom_fields", [{"key": "material", "label": "Материал", "type": "text"}])
    columns.save_choice({"director": ["custom_material", "crew", "crew"], "manager": ["cost"],
                         "executor": ["cost", "object_address"]}, "printing")  # fmt: skip
    assert columns.columns_for(director, "printing") == [
        ("number", "№"),
        ("custom_material", "Материал"),
        ("crew", "Бригада"),
    ]
    assert [c for c, _ in columns.columns_for(executor, "printing")] == ["number", "object_address"]
    with pytest.raises(ValidationError, match="хотя бы один"):
        columns.save_choice({"director": [], "manager": ["cost"], "executor": ["cost"]}, "printing")
    with pytest.raises(ValidationError, match="Неизвестный столбец"):
        columns.save_choice({r: ["custom_gone"] for r in columns.ROLES}, "printing")
    # a custom field removed later simply drops out of the list
    settings.put("custom_fields", [])
    assert columns.columns_for(director, "printing") == [("number", "№"), ("crew", "Бригада")]


def test_who_answers_stage_person_else_manager_else_director():
    active = frozenset({1, 2, 3})
    assert columns.who_answers(3, 2, active, 1) == 3
    assert columns.who_answers(None, 2, active, 1) == 2
    assert columns.who_answers(9, 2, active, 1) == 2  # the stage's person left: the manager
    assert columns.who_answers(None, 8, active, 1) == 1  # nor the manager: a director
    assert columns.who_answers(None, None, active, None) is None


def test_the_director_hides_fields_from_himself_never_from_the_system(as_role, world, staff):
    order = Order.get_by_id(world["own"].id)
    settings.put("hidden_fields", {"director": ["cost", "paid", "debt", "object_type"]})
    director = actor_for_employee(staff["director"])
    assert "cost" not in order_view(director, order) and "object_type" not in order_view(
        director, order
    )
    assert order_view(SYSTEM, order)["cost"] == order.cost  # papers and messages: everything
    text = "К оплате 3 000,00 ₽"
    assert masked_text(SYSTEM, text) == text and masked_text(director, text) == "К оплате •••"
    s = as_role("director")
    html = s.get("/admin/order/").get_data(as_text=True)
    assert "Стоимость" not in _headers(html) and "3 000,00" not in html
    card = s.get(f"/admin/order/card/?id={order.id}").get_data(as_text=True)
    assert "3 000,00" not in card
    # and the managers, whose fields were not hidden, still see the money
    assert "3 000,00" in as_role("manager").get("/admin/order/").get_data(as_text=True)


# ---------------------------------------------------------------- the list
def test_the_print_shop_keeps_its_columns(as_role, world):
    html = as_role("director").get("/admin/order/").get_data(as_text=True)
    assert _headers(html) == PRINT_SHOP_HEADERS


def test_the_installer_sees_his_excel_table(as_role, world, staff, actors, installer):
    full, bare, crew2 = _installer_orders(actors, staff, world)
    Stage.update(responsible=staff["manager2"].id).where(Stage.id == full.stage_id).execute()
    s = as_role("director")
    html = s.get("/admin/order/?tab=all").get_data(as_text=True)
    assert _headers(html) == INSTALLER_HEADERS
    row = html.split(f"№{full.number}<")[1].split("</tr>")[0]
    for text in ("СНТ «Рассвет», уч. 12", "Дача / садовый участок", "20 000,00", "45 000,00",
                 ">да<", "06.05.2031", "Бригада Петрова", "Олег Продажин"):  # fmt: skip
        assert text in row, text
    bare_row = html.split(f"№{bare.number}<")[1].split("</tr>")[0]
    # nobody named for the stage: the order's own manager answers for it
    assert ">нет<" in bare_row and "Олег Продажин" in bare_row and "Бригада 1" in bare_row
    Stage.update(responsible=None).where(Stage.id == full.stage_id).execute()
    html = s.get("/admin/order/?tab=all").get_data(as_text=True)
    row = html.split(f"№{full.number}<")[1].split("</tr>")[0]
    assert "Мария Менеджерова" in row and "Олег Продажин" not in row


def test_crew_documents_and_object_type_filters(as_role, world, staff, actors, installer):
    full, bare, crew2 = _installer_orders(actors, staff, world)
    s = as_role("director")
    page = s.get("/admin/order/?tab=all").get_data(as_text=True)
    offered = _filters_offered(page)
    for name in ("Бригада", "Документы получены", "Тип объекта", "Дата монтажа", "Источник"):
        assert name in offered, name

    def numbers(query: str) -> set[int]:
        html = s.get(f"/admin/order/?tab=all&{query}").get_data(as_text=True)
        return {o.number for o in Order.select() if f"№{o.number}<" in html}

    assert numbers(f"flt0_6={crew2.id}") == {full.number}
    assert numbers(f"flt0_6={staff['crew'].id}") == {bare.number, world["foreign"].number}
    assert numbers("flt0_7=1") == {full.number}
    assert full.number not in numbers("flt0_7=0") and bare.number in numbers("flt0_7=0")
    assert numbers("flt0_8=Дача / садовый участок") == {full.number}
    assert numbers("flt0_9=2031-05-01+to+2031-05-10") == {full.number}


def test_a_fifty_row_page_stays_small_and_asks_no_query_per_row(as_role, world, staff, actors,
                                                                  installer):  # fmt: skip
    from peewee import Database

    for i in range(50):  # as long as the installer's real addresses run
        create_order(actors["manager"], world["c1"].id, f"Щит {i}", rubles(10_000 + i),
                     advance=rubles(5_000), pipeline="installation", crew_id=staff["crew"].id,
                     object_address=f"Новосибирская обл., Новосибирский р-н, СНТ «Рассвет», ул. "
                                    f"Садовая, уч. {i}", object_type="Дача / садовый участок",
                     install_date=date(2031, 5, 1 + i % 28), documents_received=i % 2 == 0)  # fmt: skip
    s = as_role("director")
    s.get("/admin/order/?tab=all")  # warm
    executed = []
    real = Database.execute_sql

    def counting(self, sql, *a, **kw):
        executed.append(sql)
        return real(self, sql, *a, **kw)

    Database.execute_sql = counting
    try:
        html = s.get("/admin/order/?tab=all").get_data(as_text=True)
    finally:
        Database.execute_sql = real
    assert html.count("<tr") >= 50
    assert len(html.encode()) <= 100_000, len(html.encode())
    assert len(executed) < 30, len(executed)  # a per-row lookup would add fifty


# ---------------------------------------------------------------- export
def test_exports_carry_the_chosen_columns_as_excel_reads_them(as_role, world, staff, actors,
                                                              installer):  # fmt: skip
    full, bare, crew2 = _installer_orders(actors, staff, world)
    settings.put("custom_fields", [{"key": "power", "label": "Мощность, кВт", "type": "text"}])
    Order.update(custom={"power": "15"}).where(Order.id == full.id).execute()
    chosen = [*columns.defaults("installation"), "visit_at", "custom_power", "client_phone"]
    columns.save_choice({r: chosen for r in columns.ROLES}, "installation")
    Order.update(visit_at=datetime(2031, 5, 1, 7, 30, 15, 123456)).where(
        Order.id == full.id
    ).execute()
    full = Order.get_by_id(full.id)
    headers = INSTALLER_HEADERS + ["Выезд", "Мощность, кВт", "Телефон клиента"]
    s = as_role("director")
    assert _headers(s.get("/admin/order/?tab=all").get_data(as_text=True)) == headers

    book = load_workbook(io.BytesIO(s.get("/admin/order/export/xlsx/?tab=all").data))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == headers
    by_number = {r[0]: (i, r) for i, r in enumerate(rows[1:], start=2)}
    line, row = by_number[full.number]
    taken = to_local(full.created_at).replace(tzinfo=None, second=0, microsecond=0)
    assert row[1] == taken and sheet.cell(line, 2).number_format == "DD.MM.YYYY HH:MM"
    assert row[5] == 20000 and row[6] == 45000  # numbers Excel adds up
    assert sheet.cell(line, 6).number_format == "#,##0.00"
    assert row[7] == "да" and by_number[bare.number][1][7] == "нет"
    assert row[8] == datetime(2031, 5, 6) and sheet.cell(line, 9).number_format == "DD.MM.YYYY"
    assert row[9:13] == ("Бригада Петрова", None, "Принят", "Мария Менеджерова")
    assert row[13] == to_local(full.visit_at).replace(tzinfo=None, second=0, microsecond=0)
    assert row[14] == "15" and row[15] == "+7 912 345-67-89"

    text = s.get("/admin/order/export/csv/?tab=all").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0] == headers
    row = next(r for r in lines[1:] if r[0] == str(full.number))
    assert row[1] == format_datetime(full.created_at) and row[13] == format_datetime(full.visit_at)
    assert row[5:9] == ["20000,00", "45000,00", "да", "06.05.2031"]
    assert Decimal(row[5].replace(",", ".")) == 20000  # a plain number, no spaces nor ₽
    assert ":15" not in text and ".123456" not in text  # no seconds, no microseconds


# ---------------------------------------------------------------- Settings
def test_settings_pages_speak_russian_labels(as_role, world):
    settings.put("custom_fields", [{"key": "power", "label": "Мощность, кВт", "type": "text"}])
    Order.update(custom={"power": "15"}).where(Order.id == world["own"].id).execute()
    s = as_role("director")
    import re

    for url in ("/admin/settings/", "/admin/settings/columns/"):
        html = s.get(url).get_data(as_text=True)
        cells = re.findall(r"<td>([^<]*)</td>", html)
        assert "Мощность, кВт" in cells, url
        # no raw key in a cell: every row is a Russian label
        assert not [c for c in cells if re.fullmatch(r"[a-z_]+", c.strip())], url
    card = s.get(f"/admin/order/card/?id={world['own'].id}").get_data(as_text=True)
    assert "<th>Мощность, кВт</th><td>15</td>" in card and ">power<" not in card
    edit = s.get(f"/admin/order/edit/?id={world['own'].id}").get_data(as_text=True)
    assert "Мощность, кВт" in edit
    columns.save_choice({r: ["client", "custom_power"] for r in columns.ROLES}, "printing")
    assert _headers(s.get("/admin/order/").get_data(as_text=True)) == ["№", "Клиент",
                                                                          "Мощность, кВт"]  # fmt: skip
    html = s.get("/admin/settings/").get_data(as_text=True)
    assert 'name="hide_director_cost"' in html


def test_settings_columns_form_saves_order_and_refuses_bad_places(as_role, world):
    s = as_role("director")
    html = s.get("/admin/settings/columns/").get_data(as_text=True)
    form = form_with(html, "pos_director_created_at")
    for role in columns.ROLES:
        for column in columns.COLUMNS:
            form.pop(f"pos_{role}_{column}", None)
    form.update({"pos_manager_debt": "1", "pos_manager_client": "2", "pos_manager_crew": "2",
                 "pos_director_stage": "5", "pos_executor_object_address": "3"})  # fmt: skip
    assert s.post("/admin/settings/columns/", form).status_code == 302
    saved = settings.get(columns.SETTING)
    assert saved["manager"] == ["number", "debt", "client", "crew"]
    assert saved["director"] == ["number", "stage"]
    html = s.get("/admin/order/").get_data(as_text=True)
    assert _headers(html) == ["№", "Этап"]
    form["pos_manager_cost"] = "первый"
    resp = s.post("/admin/settings/columns/", form, follow_redirects=True)
    assert "место — число от 1 до 99" in resp.get_data(as_text=True)
    assert settings.get(columns.SETTING) == saved  # nothing written
    token = csrf_of(s.get("/admin/settings/columns/").get_data(as_text=True))
    assert (
        s.post("/admin/settings/columns/", {"reset": "1", "csrf_token": token}).status_code == 302
    )
    assert columns.chosen("director", "printing") == columns.defaults("printing")


def test_only_the_director_chooses_columns(as_role, world):
    for role in ("manager", "executor"):
        assert as_role(role).get("/admin/settings/columns/").status_code == 403


def test_each_firm_names_columns_its_own_way():
    assert columns.label_of("paid", "installation") == "Аванс"
    assert columns.label_of("paid", "printing") == "Оплачено"


def test_custom_fields_are_named_in_russian_and_keep_their_values(as_role, world):
    s = as_role("director")
    settings.put("custom_fields", [{"key": "material", "label": "Материал", "type": "text"}])
    Order.update(custom={"material": "Баннерная ткань"}).where(
        Order.id == world["own"].id
    ).execute()
    form = form_with(s.get("/admin/settings/").get_data(as_text=True), "custom_fields")
    assert form["custom_fields"] == "Материал"  # names only: no key to type or to read
    form["custom_fields"] = "Мощность, кВт\nМатериал\n15 кВт или больше"
    for _ in range(2):  # saving again keeps every key
        assert s.post("/admin/settings/", form).status_code == 302
        assert settings.get("custom_fields") == [
            {"key": "moshchnost_kvt", "label": "Мощность, кВт", "type": "text"},
            {"key": "material", "label": "Материал", "type": "text"},
            {"key": "f_15_kvt_ili_bolshe", "label": "15 кВт или больше", "type": "text"},
        ]
        form = form_with(s.get("/admin/settings/").get_data(as_text=True), "custom_fields")
    card = s.get(f"/admin/order/card/?id={world['own'].id}").get_data(as_text=True)
    assert "<th>Материал</th><td>Баннерная ткань</td>" in card


def test_a_custom_field_renamed_in_its_line_keeps_the_orders_values(as_role, world):
    s = as_role("director")
    settings.put("custom_fields", [{"key": "material", "label": "Материал", "type": "text"},
                                   {"key": "color", "label": "Цвет", "type": "text"}])  # fmt: skip
    Order.update(custom={"material": "Баннерная ткань", "color": "синий"}).where(
        Order.id == world["own"].id
    ).execute()
    form = form_with(s.get("/admin/settings/").get_data(as_text=True), "custom_fields")
    form["custom_fields"] = "Материал изделия\nЦвет"
    assert s.post("/admin/settings/", form).status_code == 302
    assert [(f["key"], f["label"]) for f in settings.get("custom_fields")] == [
        ("material", "Материал изделия"), ("color", "Цвет")]  # fmt: skip
    card = s.get(f"/admin/order/card/?id={world['own'].id}").get_data(as_text=True)
    assert "<th>Материал изделия</th><td>Баннерная ткань</td>" in card
    # moved lines keep their keys by name; a new name where nothing was dropped is new
    form = form_with(s.get("/admin/settings/").get_data(as_text=True), "custom_fields")
    form["custom_fields"] = "Цвет\nМатериал изделия\nРазмер"
    assert s.post("/admin/settings/", form).status_code == 302
    assert [f["key"] for f in settings.get("custom_fields")][:2] == ["color", "material"]
    assert settings.get("custom_fields")[2]["key"] not in ("color", "material")


def test_one_tab_per_stage_name_across_pipelines(as_role, world, staff, actors, installer):
    """The installer's firm also has print orders: «Принят» of both pipelines is one tab
    with both counts and both orders; the print pipeline's other stages appear only while
    they hold orders."""
    import re

    from core.orders.models import Stage

    inst = create_order(actors["manager"], world["c1"].id, "Техприсоединение", rubles(45_000),
                        pipeline="installation")  # fmt: skip
    html = as_role("director").get("/admin/order/").get_data(as_text=True)
    tabs = re.findall(r'href="/admin/order/\?tab=([\d-]+)">\s*([^<]+?)\s*<span', html)
    names = [name for _key, name in tabs]
    assert names.count("Принят") == 1
    key = dict((name, k) for k, name in tabs)["Принят"]
    accepted = Stage.select().where(Stage.name == "Принят")
    assert sorted(map(int, key.split("-"))) == sorted(s.id for s in accepted)
    page = as_role("director").get(f"/admin/order/?tab={key}").get_data(as_text=True)
    for order in (inst, world["own"], world["foreign"]):
        assert f"№{order.number}<" in page
    assert "Монтаж" in names and "В работе" not in names  # no print order is in work
