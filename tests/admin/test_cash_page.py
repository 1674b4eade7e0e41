"""The cash page: names and balances in their own columns, desks nobody ever held hidden,
advances saying to whom."""

from __future__ import annotations

import re

from core.base.money import format_money, rubles
from core.money import cash


def _desks(html: str) -> list[tuple[str, str]]:
    table = html[html.index('id="desks"') : html.index("</table>", html.index('id="desks"'))]
    rows = re.findall(r"<tr[^>]*><td><a [^>]*>([^<]+)</a></td>\s*<td[^>]*>([^<]+)</td>", table)
    return [(name.strip(), bal.strip()) for name, bal in rows]


def test_desks_names_apart_from_balances_and_empty_desks_hidden(as_role, world, staff, actors):
    for person in ("executor", "executor2", "manager2"):
        cash.account_of(staff[person])  # desks exist, but money only ever went to one
    cash.issue_advance(actors["director"], staff["executor"].id, rubles(5000), "на материалы")
    html = as_role("director").get("/admin/cash/").get_data(as_text=True)
    desks = dict(_desks(html))
    assert desks["Иван Монтажников"] == "5 000,00 ₽"
    assert desks["Основная касса"] == format_money(-rubles(5000))
    assert "Пётр Печатников" not in desks and "Олег Продажин" not in desks
    assert not any(name.startswith("Касса:") for name in desks)
    main = cash.main_account()
    movements = as_role("director").get(f"/admin/cash/?account={main.id}").get_data(as_text=True)
    assert "Выдано под отчёт: Иван Монтажников" in movements


def test_own_desk_shown_even_when_empty(as_role, world, staff):
    html = as_role("manager2").get("/admin/cash/").get_data(as_text=True)
    assert [name for name, _ in _desks(html)] == ["Олег Продажин"]
