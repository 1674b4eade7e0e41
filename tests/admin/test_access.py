"""Who may open what: each role × each page × own/foreign record, plus the session rules."""

from __future__ import annotations

import pytest

from core.base.money import rubles
from core.conversations.models import Notification
from core.money import cash
from core.money.models import CashMovement
from core.orders.models import Order, StageMove
from core.people.models import Bonus, Employee
from core.people.staff import add_bonus
from core.tasks.models import Task
from core.tasks.tasks import create_task
from tests.admin.conftest import LOGINS, PASSWORDS, csrf_of

ALL = ("director", "manager", "executor")
D, M, E = "director", "manager", "executor"

# page -> roles that get 200; the rest get 403 (an executor's "new order" is a redirect)
PAGES = {
    "/admin/": ALL, "/admin/order/": ALL, "/admin/order/?tab=archive": ALL, "/admin/order/?tab=sub": ALL,
    "/admin/order/new/": (D, M), "/admin/client/": (D, M), "/admin/client/new/": (D, M),
    "/admin/cash/": ALL, "/admin/expenses/": ALL, "/admin/task/": ALL, "/admin/task/new/": ALL,
    "/admin/employee/": (D,), "/admin/employee/new/": (D,), "/admin/pay/": ALL, "/admin/pay/export/": ALL, "/admin/pay/json/": ALL,
    "/admin/bonus/": (D,), "/admin/crew/": (D,), "/admin/crew/new/": (D,), "/admin/bonus/new/": (D,), "/admin/settings/": (D,), "/admin/stage/": (D,),
    "/admin/template/": (D,), "/admin/template/new/": (D,), "/admin/import/": (D,),
    "/admin/stage/new/": (D,), "/admin/documents/": (D, M), "/admin/documents/?export=xlsx": (D, M),
    "/admin/order/export/csv/": ALL, "/admin/client/export/xlsx/": (D, M), "/admin/employee/export/csv/": (D,),
}  # fmt: skip


@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize("url", list(PAGES))
def test_page_access_by_role(as_role, world, role, url):
    resp = as_role(role).get(url)
    if role in PAGES[url]:
        assert resp.status_code == 200, resp.get_data(as_text=True)[-2000:]
    elif url == "/admin/order/new/":
        assert resp.status_code == 302  # no create right: back to the list
    else:
        assert resp.status_code == 403
        assert "Нет доступа" in resp.get_data(as_text=True)


@pytest.mark.parametrize("url", list(PAGES))
def test_anonymous_is_sent_to_login(app, world, url):
    resp = app.test_client().get(url)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def _record_urls(world, staff):
    director_desk = cash.account_of(staff["director"]).id
    return {
        # name: (url, {role: expected status})
        "own order card": (f"/admin/order/card/?id={world['mine'].id}", {D: 200, M: 200, E: 200}),
        "foreign order card": (
            f"/admin/order/card/?id={world['own'].id}",
            {D: 200, M: 200, E: 404},
        ),
        "crew order card": (
            f"/admin/order/card/?id={world['foreign'].id}",
            {D: 200, M: 200, E: 200},
        ),
        "order edit": (f"/admin/order/edit/?id={world['own'].id}", {D: 200, M: 200, E: 302}),
        "client card": (f"/admin/client/card/?id={world['c2'].id}", {D: 200, M: 200, E: 403}),
        "client edit": (f"/admin/client/edit/?id={world['c2'].id}", {D: 200, M: 200, E: 403}),
        "main desk": (f"/admin/cash/?account={cash.main_account().id}", {D: 200, M: 404, E: 404}),
        "director's desk": (f"/admin/cash/?account={director_desk}", {D: 200, M: 404, E: 404}),
        "employee edit": (
            f"/admin/employee/edit/?id={staff['manager2'].id}",
            {D: 200, M: 403, E: 403},
        ),
        "missing order": ("/admin/order/card/?id=999999", {D: 404, M: 404, E: 404}),
        "garbage id": ("/admin/order/edit/?id=abc", {D: 404, M: 404, E: 302}),
    }


@pytest.mark.parametrize("role", ALL)
def test_records_own_and_foreign(as_role, world, staff, role):
    for name, (url, expected) in _record_urls(world, staff).items():
        resp = as_role(role).get(url)
        assert resp.status_code == expected[role], (name, role, resp.status_code)


def test_own_desk_is_visible_to_its_owner(as_role, world, staff):
    desk = cash.account_of(staff["manager"]).id
    assert as_role("manager").get(f"/admin/cash/?account={desk}").status_code == 200
    assert as_role("manager2").get(f"/admin/cash/?account={desk}").status_code == 404


def test_executor_lists_and_exports_only_own_orders(as_role, world, staff):
    s = as_role("executor")
    numbers_hidden = [f"№{world['own'].number}<", f"№{world['sub'].number}<"]
    for url in ("/admin/order/", "/admin/order/?tab=all", "/admin/order/?tab=sub",
                f"/admin/order/?search={world['c1'].name[:3]}", f"/admin/order/?search={world['own'].number}",
                f"/admin/order/?flt0_0={world['own'].stage_id}", f"/admin/order/?tab={world['own'].stage_id}"):  # fmt: skip
        html = s.get(url).get_data(as_text=True)
        for hidden in numbers_hidden:
            assert hidden not in html, url
    assert f"№{world['mine'].number}<" in s.get("/admin/order/").get_data(as_text=True)
    csv_text = s.get("/admin/order/export/csv/?tab=all").get_data(as_text=True)
    assert "Визитки" not in csv_text and "Монтаж щитка" in csv_text


def test_executor_cannot_see_money_fields(as_role, world):
    html = (
        as_role("executor").get(f"/admin/order/card/?id={world['mine'].id}").get_data(as_text=True)
    )
    assert "8 000,00" not in html and "Оплаты" not in html


def test_post_without_csrf_is_refused_and_writes_nothing(as_role, world):
    s = as_role("manager")
    before = StageMove.select().count()
    resp = s.client.post(
        "/admin/order/move/", data={"id": world["own"].id, "stage": world["own"].stage_id + 1}
    )
    assert resp.status_code == 400
    assert "Форма устарела" in resp.get_data(as_text=True)
    assert StageMove.select().count() == before
    resp = s.client.post("/admin/client/new/", data={"name": "Без токена", "phone": ""})
    assert resp.status_code == 400


def test_manager_forging_director_urls_gets_403(as_role, world, staff):
    s = as_role("manager")
    assert s.post("/admin/employee/invite/", {"id": staff["executor"].id}).status_code == 403
    resp = s.post("/admin/bonus/new/", {"employee": staff["manager"].id, "kind": "bonus", "amount": "5000",
                                        "reason": "сам себе", "period": "2026-11"})  # fmt: skip
    assert resp.status_code == 403
    assert (
        s.post(
            f"/admin/employee/edit/?id={staff['manager'].id}", {"name": "X", "role": "director"}
        ).status_code
        == 403
    )
    assert s.post("/admin/settings/", {"object_types": "x"}).status_code == 403
    assert Bonus.select().count() == 0
    assert Employee.get_by_id(staff["manager"].id).role == "manager"
    # an advance to oneself is a director's operation: refused by core, nothing written
    before = CashMovement.select().count()
    resp = s.post(
        "/admin/cash/add/",
        {"operation": "advance", "amount": "1000", "employee": staff["manager"].id},
    )
    assert resp.status_code == 302
    assert CashMovement.select().count() == before


def test_state_changes_need_post(as_role, world):
    s = as_role("director")
    for url in (
        "/admin/order/move/",
        "/admin/order/pay/",
        "/admin/order/reply/",
        "/admin/task/done/",
        "/logout",
    ):
        assert s.get(url).status_code == 405, url


def test_executor_cannot_touch_foreign_order_by_post(as_role, world):
    s = as_role("executor")
    before = (StageMove.select().count(), Notification.select().count())
    assert (
        s.post(
            "/admin/order/move/", {"id": world["own"].id, "stage": world["own"].stage_id}
        ).status_code
        == 404
    )
    assert (
        s.post("/admin/order/reply/", {"id": world["own"].id, "text": "привет"}).status_code == 404
    )
    assert (StageMove.select().count(), Notification.select().count()) == before


def test_foreign_task_cannot_be_closed(as_role, world, actors, staff):
    task = create_task(actors["manager2"], "Позвонить в Ромашку")
    resp = as_role("manager").post("/admin/task/done/", {"id": task.id}, follow_redirects=True)
    assert "Задача не найдена" in resp.get_data(as_text=True)
    assert Task.get_by_id(task.id).done_at is None
    as_role("manager2").post("/admin/task/done/", {"id": task.id})
    assert Task.get_by_id(task.id).done_at is not None


def test_logout_ends_the_session(app, world):
    from tests.admin.conftest import login

    s = login(app, "manager")
    assert s.post("/logout").status_code == 302
    resp = s.get("/admin/order/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_idle_session_expires(app, world):
    from tests.admin.conftest import login

    s = login(app, "manager")
    with s.client.session_transaction() as sess:
        sess["seen"] = sess["seen"] - 31 * 60
    resp = s.get("/admin/order/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_session_ends_a_day_after_login(app, world):
    from tests.admin.conftest import login

    s = login(app, "manager")
    with s.client.session_transaction() as sess:
        sess["since"] = sess["since"] - 25 * 3600
    resp = s.get("/admin/order/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_session_cookie_flags(app, world):
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login", data={"login": "maria", "password": PASSWORDS["manager"], "csrf_token": token}
    )
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_attempts_are_rate_limited(app, world):
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    for _ in range(5):
        resp = client.post(
            "/login", data={"login": LOGINS["manager"], "password": "wrong", "csrf_token": token}
        )
        assert resp.status_code == 401
        assert "Неверный логин или пароль" in resp.get_data(as_text=True)
    resp = client.post(
        "/login",
        data={"login": LOGINS["manager"], "password": PASSWORDS["manager"], "csrf_token": token},
    )
    assert resp.status_code == 429
    assert "Слишком много" in resp.get_data(as_text=True)
    # another person from another address is not locked out
    other = app.test_client()
    token = csrf_of(
        other.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.2"}).get_data(as_text=True)
    )
    resp = other.post("/login", data={"login": LOGINS["director"], "password": PASSWORDS["director"], "csrf_token": token},
                      environ_base={"REMOTE_ADDR": "10.0.0.2"})  # fmt: skip
    assert resp.status_code == 302


def test_unknown_login_takes_the_same_answer(app, world):
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login", data={"login": "nobody", "password": "x" * 10, "csrf_token": token}
    )
    assert resp.status_code == 401 and "Неверный логин или пароль" in resp.get_data(as_text=True)


def test_no_cdn_assets(as_role, world):
    html = as_role("director").get("/admin/order/").get_data(as_text=True)
    assert "cdn" not in html.lower() and "https://" not in html.split("<body", 1)[0]


def test_money_and_dates_are_russian(as_role, world):
    html = as_role("director").get("/admin/order/").get_data(as_text=True)
    assert "12 500,00 ₽" in html
    assert "Выгрузить" in html and "В Excel (XLSX)" in html and "Экспортировать" not in html


def test_bonus_by_director_is_listed(as_role, world, staff, actors):
    add_bonus(actors["director"], staff["manager"].id, "bonus", rubles(5000), "План", "2026-11")
    assert "5 000,00 ₽" in as_role("director").get("/admin/bonus/").get_data(as_text=True)
    assert Order.select().count() == 4
