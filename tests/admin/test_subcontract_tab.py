"""Issue 28, the «Перезаказ» tab: which firm makes each order (a column), how many there are
(a count on the tab), and nothing already issued."""

from __future__ import annotations

import csv
import io
import re

from core.base.money import rubles
from core.orders import orders


def _tab_count(html: str) -> str:
    found = re.search(r'tab=sub"[^>]*>\s*Перезаказ\s*<span class="badge[^"]*">(\d+)</span>', html)
    assert found, "no count on the «Перезаказ» tab"
    return found.group(1)


def test_subcontract_tab_shows_the_firm_and_a_count_without_issued_orders(
    as_role, world, staff, actors
):
    boss = actors["director"]
    second = orders.create_order(actors["manager"], world["c1"].id, "Ручки с логотипом",
                                 rubles(4000), subcontractor_id=staff["sub"].id)  # fmt: skip
    issued = orders.create_order(actors["manager"], world["c1"].id, "Футболки 20 шт",
                                 rubles(6000), subcontractor_id=staff["sub"].id)  # fmt: skip
    for code in ("in_work", "done", "issued"):
        orders.move_order(boss, issued.id, code)
    s = as_role("director")
    html = s.get("/admin/order/?tab=sub").get_data(as_text=True)
    assert _tab_count(html) == "2"
    assert f"№{world['sub'].number}<" in html and f"№{second.number}<" in html
    assert f"№{issued.number}<" not in html  # given out: off the list
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert "Подрядчик" in head and "Исполнитель" not in head  # a firm's order has no executor
    assert html.count("ООО «Сувенир-Принт»") >= 2  # each row names the firm
    # The same count on every tab of the list, and the export carries the firm too.
    assert _tab_count(s.get("/admin/order/").get_data(as_text=True)) == "2"
    export = s.get("/admin/order/export/csv/?tab=sub").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff")), delimiter=";"))
    assert "Подрядчик" in rows[0]
    at = rows[0].index("Подрядчик")
    assert {r[at] for r in rows[1:]} == {"ООО «Сувенир-Принт»"}
    # Other tabs keep the role's own columns.
    head = re.search(r"<thead>(.*?)</thead>", s.get("/admin/order/").get_data(as_text=True), re.S)
    assert "Подрядчик" not in head.group(1)
