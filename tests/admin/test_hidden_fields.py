"""Hidden fields hold on every surface (issue 10 item 1): every admin URL that shows orders
or their money, every export format, every role, every hideable field. The sums are
distinctive (7 654 321,00), so a hit can only be this order's; and the people who may see
them do see them on the same URLs, so the matrix can fail."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from core.access import actor_for_employee
from core.base import settings
from core.base.clock import from_local, local_today
from core.base.money import format_money
from core.orders import stats
from tests.admin.hidden_world import DETAILS, MONEY, secret_order

MONEY_FIELDS = ("cost", "paid", "debt")


@pytest.fixture
def secret(world, actors, staff, store):
    order, client = secret_order(actors, staff, store)
    return {"order": order, "client": client}


def _plain(text: str) -> set[str]:
    """A sum as pages print it ("7 654 321") and as exports carry it ("7654321")."""
    whole = text.split(",")[0]
    return {whole, whole.replace(" ", "")}


def _dashboard_needles(staff) -> dict[str, set[str]]:
    """Oleg's line on the dashboard: revenue and average reveal costs, paid and debt theirs."""
    today = local_today()
    lo = from_local(datetime.combine(today.replace(day=1), datetime.min.time()))
    hi = from_local(datetime.combine(today + timedelta(days=1), datetime.min.time()))
    row = next(
        r
        for r in stats.manager_stats(actor_for_employee(staff["director"]), lo, hi)
        if r.manager_id == staff["manager2"].id
    )
    money = lambda v: _plain(format_money(v, currency=False))  # noqa: E731
    return {"cost": money(row.revenue) | money(row.average), "paid": money(row.paid),
            "debt": money(row.debt)}  # fmt: skip


def _order_urls(secret) -> list[str]:
    order = secret["order"]
    lists = ["/admin/order/", "/admin/order/?tab=all", f"/admin/order/?tab={order.stage_id}",
             "/admin/order/?tab=all&page=0", "/admin/order/?search=Сидоров",
             f"/admin/order/?search={order.number}", "/admin/order/?tab=all&flt0_5=1"]  # fmt: skip
    lists += [f"/admin/order/?tab=all&sort={i}{d}" for i in range(12) for d in ("", "&desc=1")]
    return lists + [
        f"/admin/order/card/?id={order.id}",
        f"/admin/order/edit/?id={order.id}",
        "/admin/order/export/csv/?tab=all",
        "/admin/order/export/xlsx/?tab=all",
        f"/admin/order/export/csv/?tab=all&search={order.number}&sort=7",
    ]


def _client_urls(secret) -> list[str]:
    client = secret["client"]
    return ["/admin/client/", "/admin/client/?search=Сидоров", "/admin/client/?sort=6",
            "/admin/client/?sort=6&desc=1", f"/admin/client/card/?id={client.id}",
            "/admin/client/export/csv/", "/admin/client/export/xlsx/"]  # fmt: skip


def _json_urls() -> list[str]:
    return ["/admin/order/ajax/lookup/?name=client&query=Сид",
            "/admin/order/ajax/lookup/?name=executor&query=",
            "/admin/client/ajax/lookup/?name=merge&query=Сид"]  # fmt: skip


def _text(resp) -> str:
    """What a person receives, as text: pages and CSV as they are, XLSX cell by cell."""
    if resp.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(resp.get_data()), read_only=True)
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return resp.get_data(as_text=True)


def _filters_offered(html: str) -> set[str]:
    """The filter names the list offers (Flask-Admin keeps them as JSON in the page)."""
    import json
    import re

    match = re.search(r'<div id="filter-groups-data" class="d-none">(.*?)</div>', html, re.S)
    return set(json.loads(match.group(1))) if match else set()


def _all_urls(secret) -> list[str]:
    return _order_urls(secret) + _client_urls(secret) + ["/admin/"] + _json_urls()


@pytest.mark.parametrize(
    ("role", "hidden"),
    [
        ("manager2", ("cost",)),
        ("manager2", ("paid",)),
        ("manager2", ("debt",)),
        ("manager2", MONEY_FIELDS),
        ("executor", MONEY_FIELDS),
    ],  # fmt: skip
)
def test_hidden_money_appears_nowhere(as_role, secret, staff, role, hidden):
    if role == "manager2":
        settings.put("hidden_fields", {"manager": list(hidden), "executor": list(MONEY_FIELDS)})
    dashboard = _dashboard_needles(staff)
    needles = {n for f in hidden for n in _plain(MONEY[f]) | dashboard[f]}
    s = as_role(role)
    opened = 0
    for url in _all_urls(secret):
        resp = s.get(url)
        assert resp.status_code in (200, 302, 403), (url, resp.status_code)
        text = _text(resp)
        opened += resp.status_code == 200
        leaked = [n for n in needles if n in text]
        assert not leaked, (role, hidden, url, leaked)
    assert opened >= 30  # the matrix really looked at pages, not at refusals
    # nor can a person who may not see a figure filter by it: "без долга" is ignored
    if "debt" in hidden:
        html = s.get("/admin/order/?tab=all&flt0_5=0").get_data(as_text=True)
        assert f"№{secret['order'].number}<" in html
        assert "Долг" not in _filters_offered(html)  # the filter is not offered either


@pytest.mark.parametrize("role", ["director", "manager", "manager2", "executor"])
def test_people_who_may_see_money_see_it_on_every_surface(as_role, secret, staff, role):
    settings.put("hidden_fields", {})  # nobody's money hidden: the executor's too
    dashboard = _dashboard_needles(staff)
    s = as_role(role)
    office = role != "executor"
    expected = {url: MONEY_FIELDS for url in _order_urls(secret) if "edit" not in url}
    expected[f"/admin/order/edit/?id={secret['order'].id}"] = ("cost",) if office else ()
    if office:
        expected.update({url: MONEY_FIELDS for url in _client_urls(secret)})
    for url, fields in expected.items():
        resp = s.get(url)
        text = _text(resp)
        for field in fields:
            found = any(n in text for n in _plain(MONEY[field]))
            assert found, (role, url, field, resp.status_code)
    if role in ("director", "manager2"):
        html = s.get("/admin/").get_data(as_text=True)
        for field in MONEY_FIELDS:
            assert any(n in html for n in dashboard[field]), (role, field)
    if office:
        assert "Долг" in _filters_offered(s.get("/admin/order/").get_data(as_text=True))


DETAIL_FORMS = {  # how a detail may be printed: on a card or list, and in an edit form
    "due_date": {"13.03.2031", "2031-03-13"}, "install_date": {"14.03.2031", "2031-03-14"},
    "visit_at": {"15.03.2031", "2031-03-15"},
    # the folder as a page prints it, and as a file's address spells it
    "folder": {DETAILS["folder"], quote(DETAILS["folder"])},
}  # fmt: skip


@pytest.mark.parametrize("field", list(DETAILS))
@pytest.mark.parametrize("role", ["manager2", "executor"])
def test_hidden_details_appear_nowhere(as_role, secret, role, field):
    needles = DETAIL_FORMS.get(field, {DETAILS[field]})
    order = secret["order"]
    urls = [f"/admin/order/card/?id={order.id}", f"/admin/order/edit/?id={order.id}",
            "/admin/order/?tab=all", "/admin/order/export/csv/?tab=all",
            "/admin/order/export/xlsx/?tab=all"]  # fmt: skip
    s = as_role(role)
    seen = "\n".join(_text(s.get(u)) for u in urls)
    assert any(n in seen for n in needles), (role, field)  # shown while not hidden
    settings.put("hidden_fields", {"manager" if role == "manager2" else "executor": [field]})
    for url in urls:
        text = _text(s.get(url))
        assert not [n for n in needles if n in text], (role, field, url)


def test_settings_offer_custom_fields_to_hide(as_role, secret):
    s = as_role("director")
    html = s.get("/admin/settings/").get_data(as_text=True)
    assert 'name="hide_executor_custom_material"' in html and "Материал" in html
    form = {"custom_fields": "material: Материал", "hide_executor_custom_material": "1",
            "hide_executor_cost": "1", "object_types": "Дом"}  # fmt: skip
    assert s.post("/admin/settings/", form).status_code == 302
    assert settings.get("hidden_fields")["executor"] == ["cost", "custom_material"]


# ---------------------------------------------------------------- chosen columns (issue 12)
# A column the director chose for a role can never show a field hidden from that role: not in
# the list, nor its export, nor through sorting. column -> how its value is printed (None: the
# header alone tells, e.g. a name that the page shows elsewhere anyway).
COLUMN_NEEDLES = {
    "cost": _plain(MONEY["cost"]), "paid": _plain(MONEY["paid"]), "debt": _plain(MONEY["debt"]),
    "client_phone": {"913 000-11-22"}, "object_address": {DETAILS["object_address"]},
    "object_type": {DETAILS["object_type"]}, "due_date": DETAIL_FORMS["due_date"],
    "install_date": DETAIL_FORMS["install_date"], "visit_at": DETAIL_FORMS["visit_at"],
    "custom_material": {DETAILS["custom_material"]}, "manager": None, "executor": None,
    "crew": None, "subcontractor": None, "documents_received": None, "responsible": None,
}  # fmt: skip
ROLE_KEYS = {"director": "director", "manager2": "manager", "executor": "executor"}
# column -> (its filter's index, a value that leaves the secret order out when applied)
COLUMN_FILTERS = {
    "manager": (1, "999999"), "executor": (2, "999999"), "subcontractor": (3, "999999"),
    "debt": (5, "0"), "crew": (6, "999999"), "documents_received": (7, "1"),
    "object_type": (8, "Нет такого"), "install_date": (9, "2000-01-01+to+2000-01-02"),
}  # fmt: skip


def _export_headers(s) -> tuple[list[str], list[str]]:
    import csv

    text = s.get("/admin/order/export/csv/?tab=all").data.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(s.get("/admin/order/export/xlsx/?tab=all").data))
    first = next(book.active.iter_rows(values_only=True))
    return next(csv.reader(io.StringIO(text), delimiter=";")), [str(v) for v in first]


@pytest.mark.parametrize("role", ["director", "manager2", "executor"])
def test_a_chosen_column_never_shows_a_hidden_field(as_role, secret, role):
    from core.access import REVEALS
    from core.orders import columns

    s = as_role(role)
    key = ROLE_KEYS[role]
    checked = 0
    for column, needles in COLUMN_NEEDLES.items():
        label = columns.label_of(column)
        columns.save_choice({r: ["client", column] for r in columns.ROLES}, "printing")
        for hidden in (False, True):
            field = REVEALS.get(column, column)
            settings.put("hidden_fields", {key: [field] if hidden else []})
            pages = [s.get(f"/admin/order/?tab=all&sort={i}{d}").get_data(as_text=True)
                     for i in range(4) for d in ("", "&desc=1")]  # fmt: skip
            exports = _text(s.get("/admin/order/export/csv/?tab=all")) + _text(
                s.get("/admin/order/export/xlsx/?tab=all")
            )
            csv_head, xlsx_head = _export_headers(s)
            shown = [f"col-{column}" in html for html in pages]
            assert shown == [not hidden] * len(pages), (role, column, hidden)
            assert (label in csv_head, label in xlsx_head) == (not hidden,) * 2, (role, column)
            for needle in needles or ():
                if hidden:
                    assert not [p for p in pages if needle in p], (role, column, needle)
                    assert needle not in exports, (role, column, needle)
            if not hidden and needles:
                assert any(n in pages[0] for n in needles), (role, column)
                assert any(n in exports for n in needles), (role, column)
            if column in COLUMN_FILTERS:  # nor filtered by: not offered, a crafted one ignored
                index, value = COLUMN_FILTERS[column]
                offered = _filters_offered(pages[0])
                assert (columns.COLUMNS[column] in offered) == (not hidden), (role, column)
                html = s.get(f"/admin/order/?tab=all&flt0_{index}={value}").get_data(as_text=True)
                assert (f"№{secret['order'].number}<" in html) == hidden, (role, column)
            checked += 1
    assert checked == 2 * len(COLUMN_NEEDLES)


@pytest.mark.parametrize("role", ["director", "manager2", "executor"])
@pytest.mark.parametrize("column", ["due_date", "debt", "install_date"])
def test_no_sort_reveals_a_hidden_column(as_role, world, staff, actors, role, column):
    """Four orders whose due dates, debts and mounting dates each rank them in an order of
    their own: a list sorted by a hidden column would give its order away."""
    from datetime import date

    from core.base.money import rubles
    from core.orders import columns
    from core.orders.orders import create_order

    ranks = {"due_date": [1, 3, 0, 2], "debt": [3, 1, 0, 2], "install_date": [2, 3, 1, 0]}
    orders = [
        create_order(
            actors["manager"],
            world["c1"].id,
            f"Сортировка {i}",
            rubles(1000 + 100 * ranks["debt"][i]),
            executor_id=staff["executor"].id,
            due_date=date(2031, 1, 1 + ranks["due_date"][i]),
            install_date=date(2031, 2, 1 + ranks["install_date"][i]),
        )  # fmt: skip
        for i in range(4)
    ]
    numbers = [o.number for o in orders]

    def by(col: str) -> list[int]:
        return [numbers[i] for i in sorted(range(4), key=lambda i: ranks[col][i])]

    columns.save_choice({r: ["created_at", "due_date", "debt", "install_date"]
                         for r in columns.ROLES}, "printing")  # fmt: skip
    s = as_role(role)

    def orders_seen() -> set[tuple[int, ...]]:
        seen = set()
        for i in range(8):
            for d in ("", "&desc=1"):
                html = s.get(f"/admin/order/?tab=all&sort={i}{d}").get_data(as_text=True)
                seen.add(tuple(sorted(numbers, key=lambda n: html.index(f"№{n}<"))))
        return seen

    settings.put("hidden_fields", {})
    assert {tuple(by(column)), tuple(reversed(by(column)))} <= orders_seen()  # sortable at all
    settings.put("hidden_fields", {ROLE_KEYS[role]: [column]})
    seen = orders_seen()
    assert tuple(by(column)) not in seen and tuple(reversed(by(column))) not in seen, (role, column)
