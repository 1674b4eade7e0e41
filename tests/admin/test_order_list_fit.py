"""Issue 12, lists that fit: the order list at 1366 px without a sideways scroll, cards on a
phone, overdue due dates marked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.base.clock import local_today
from core.base.money import rubles
from core.orders.models import Order
from core.orders.orders import create_order
from tests.admin.test_browser import page, screens, server  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e

LONG = "Баннер 6×3 м на фасад, люверсы через 30 см, проклейка краёв, монтаж на высоте 4 м"


def _login(on, server):  # noqa: F811
    on.goto(f"{server}/login")
    on.fill("#login", "director")
    on.fill("#password", "director-pass-1")
    on.click("button[type=submit]")
    on.wait_for_url("**/admin/")


def test_order_list_fits_1366_and_becomes_cards_on_a_phone(page, server, world, actors, screens):  # noqa: F811
    for i in range(8):
        create_order(actors["manager"], world["c2"].id, f"{LONG} ({i})", rubles(1_234_567),
                     executor_id=None)  # fmt: skip
    late = create_order(actors["manager"], world["c1"].id, "Визитки срочно", rubles(900))
    Order.update(due_date=local_today() - timedelta(days=2)).where(Order.id == late.id).execute()
    _login(page, server)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{server}/admin/order/")
        overflow = page.evaluate(
            "() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
        )
        page.screenshot(path=str(screens / f"order-list-{width}.png"), full_page=True)
        assert overflow <= 0, f"{width}px: {overflow}px sideways"
        table_scroll = page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('.table-responsive')]"
            ".map(e => e.scrollWidth - e.clientWidth), 0)"
        )
        assert table_scroll <= 0, f"{width}px: the table scrolls {table_scroll}px sideways"
    # on a phone each order is a card: rows stack, no header row
    assert (
        page.eval_on_selector(".model-list tbody tr", "e => getComputedStyle(e).display") == "flex"
    )
    assert "Долг: " in page.evaluate(
        "() => getComputedStyle(document.querySelector('.model-list td.col-debt'), '::before').content"
    )
    assert page.eval_on_selector(".model-list thead", "e => getComputedStyle(e).display") == "none"
    overdue = page.locator(".overdue")
    assert overdue.count() == 1
    assert (local_today() - timedelta(days=2)).strftime("%d.%m.%Y") in overdue.inner_text()


def test_the_installers_table_in_a_browser(
    page,  # noqa: F811
    server,  # noqa: F811
    world,
    staff,
    actors,
    screens,  # noqa: F811
    monkeypatch,
):
    """The installer's own columns at 1366 px without a sideways scroll, the crew filter, and
    cards at a phone's 390 px."""
    import dataclasses
    from datetime import date

    from core.access import SYSTEM
    from core.base import runtime
    from core.people.staff import create_crew

    config = runtime.config()
    monkeypatch.setattr(runtime, "_config", dataclasses.replace(
        config, app=dataclasses.replace(config.app, pipeline="installation")))  # fmt: skip
    monkeypatch.setattr(runtime, "_effective", None)  # Настройки are laid over the file anew
    petrov = create_crew(SYSTEM, "Бригада Петрова")
    types = ["Частный дом", "Дача / садовый участок", "Нестандартный объект", "Гараж"]
    for i in range(12):
        create_order(
            actors["manager"], world["c1" if i % 2 else "c2"].id, f"Техприсоединение 15 кВт ({i})",
            rubles(45_000 + 1000 * i), advance=rubles(20_000), pipeline="installation",
            crew_id=petrov.id if i % 3 == 0 else staff["crew"].id,
            object_address=f"Новосибирская обл., Новосибирский р-н, СНТ «Рассвет», ул. Садовая, уч. {i}",
            object_type=types[i % 4], documents_received=i % 2 == 0,
            install_date=date(2031, 5, 1 + i),
        )  # fmt: skip
    _login(page, server)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{server}/admin/order/")
    headers = page.eval_on_selector_all(
        ".model-list thead th.column-header", "els => els.map(e => e.innerText.trim())"
    )
    assert headers == ["№", "Дата", "Клиент (ФИО)", "Адрес объекта", "Тип объекта", "Аванс",
                       "Стоимость", "Документы получены", "Дата монтажа", "Бригада",
                       "Примечание", "Этап", "Ответственный"]  # fmt: skip
    page.screenshot(path=str(screens / "installer-1366.png"), full_page=True)
    overflow = page.evaluate(
        "() => Math.max(document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth,"
        " ...[...document.querySelectorAll('.table-responsive')].map(e => e.scrollWidth - e.clientWidth))"
    )
    assert overflow <= 0, f"1366px: {overflow}px sideways"
    # the crew filter, as a person picks it: Фильтр → Бригада → Бригада Петрова → Применить
    page.click("text=Фильтр")
    page.click(".field-filters a:has-text('Бригада'), .dropdown-menu a:has-text('Бригада')")
    page.select_option("select.filter-val", label="Бригада Петрова", force=True)
    page.click("#filter_form button[type=submit]")
    page.wait_for_load_state()
    crews = page.eval_on_selector_all(
        ".model-list tbody td.col-crew", "els => els.map(e => e.innerText.trim())"
    )
    assert crews and set(crews) == {"Бригада Петрова"}, crews
    assert len(crews) == 4
    page.screenshot(path=str(screens / "installer-crew-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.reload()
    page.screenshot(path=str(screens / "installer-390.png"), full_page=True)
    overflow = page.evaluate(
        "() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    assert overflow <= 0, f"390px: {overflow}px sideways"
    assert (
        page.eval_on_selector(".model-list tbody tr", "e => getComputedStyle(e).display") == "flex"
    )
    assert "Бригада: " in page.evaluate(
        "() => getComputedStyle(document.querySelector('.model-list td.col-crew'), '::before').content"
    )


def test_saving_the_columns_form_three_times_changes_nothing(page, server, world, screens):  # noqa: F811
    from core.base import settings
    from core.orders import columns

    settings.put("custom_fields", [{"key": "power", "label": "Мощность, кВт", "type": "text"}])
    _login(page, server)
    page.goto(f"{server}/admin/settings/columns/")
    page.fill("input[name=pos_manager_custom_power]", "2")
    page.fill("input[name=pos_executor_cost]", "")
    page.fill("input[name=pos_director_crew]", "4")
    page.click("#order-columns button.btn-primary")
    page.wait_for_url("**/admin/settings/columns/")
    page.screenshot(path=str(screens / "order-columns-1366.png"), full_page=True)

    def state():
        values = page.eval_on_selector_all(
            "#order-columns input.column-place", "els => els.map(e => [e.name, e.value])"
        )
        return values, settings.get(columns.SETTING)

    first = state()
    assert first[1]["manager"][:3] == ["number", "created_at", "custom_power"]
    assert first[1]["director"].index("crew") == 4
    for _ in range(3):
        page.click("#order-columns button.btn-primary")
        page.wait_for_url("**/admin/settings/columns/")
        assert page.locator(".alert-success").count() == 1
        assert state() == first
    page.set_viewport_size({"width": 390, "height": 900})
    page.reload()
    page.screenshot(path=str(screens / "order-columns-390.png"), full_page=True)
