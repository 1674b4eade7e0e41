"""Sessions end on the server: a cookie copied before logout, a password change or a
deactivation opens nothing afterwards."""

from __future__ import annotations

from core.access import actor_for_employee
from core.people.models import Employee, StaffSession
from core.people.staff import deactivate_employee, set_password
from tests.admin.conftest import LOGINS, csrf_of, login

COOKIE = "brigadir_session"


def _cookie(s) -> str:
    cookie = s.client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def _with_cookie(app, value: str):
    """Another browser that replays a copied cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, value)
    return thief


def _is_login_page(resp) -> bool:
    return resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_cookie_copied_before_logout_is_dead_after(app, world):
    s = login(app, "manager")
    copied = _cookie(s)
    assert _with_cookie(app, copied).get("/admin/order/").status_code == 200  # the copy works…
    assert s.post("/logout").status_code == 302
    assert _is_login_page(_with_cookie(app, copied).get("/admin/order/"))  # …until logout
    assert _is_login_page(s.get("/admin/order/"))


def test_logout_ends_only_that_session(app, world):
    phone, desk = login(app, "manager"), login(app, "manager")
    phone.post("/logout")
    assert desk.get("/admin/order/").status_code == 200


def test_password_change_ends_other_sessions(app, world, staff):
    old = login(app, "manager")
    copied = _cookie(old)
    set_password(actor_for_employee(staff["director"]), staff["manager"].id, "new-long-pass-42")
    assert _is_login_page(old.get("/admin/order/"))
    assert _is_login_page(_with_cookie(app, copied).get("/admin/order/"))
    fresh = app.test_client()
    token = csrf_of(fresh.get("/login").get_data(as_text=True))
    resp = fresh.post("/login", data={"login": LOGINS["manager"], "password": "new-long-pass-42",
                                      "csrf_token": token})  # fmt: skip
    assert resp.status_code == 302 and fresh.get("/admin/order/").status_code == 200


def test_own_password_change_in_the_admin_keeps_this_session(app, world, staff):
    here, elsewhere = login(app, "director"), login(app, "director")
    url = f"/admin/employee/edit/?id={staff['director'].id}"
    page = here.get(url).get_data(as_text=True)
    assert "Новый пароль" in page
    director = Employee.get_by_id(staff["director"].id)
    resp = here.post(url, {"name": director.name, "role": "director", "position": "", "crew": "",
                           "phone": "", "email": "", "contacts": "", "login": director.login,
                           "password": "brand-new-pass-77"})  # fmt: skip
    assert resp.status_code == 302, resp.get_data(as_text=True)[-1500:]
    assert here.get("/admin/order/").status_code == 200
    assert _is_login_page(elsewhere.get("/admin/order/"))


def test_deactivation_ends_sessions(app, world, staff):
    s = login(app, "executor")
    copied = _cookie(s)
    deactivate_employee(actor_for_employee(staff["director"]), staff["executor"].id)
    assert _is_login_page(s.get("/admin/order/"))
    assert _is_login_page(_with_cookie(app, copied).get("/admin/order/"))
    open_ones = StaffSession.select().where(
        (StaffSession.employee == staff["executor"].id) & StaffSession.ended_at.is_null()
    )
    assert open_ones.count() == 0


def test_old_session_rows_are_cleared_at_login(app, world, staff):
    from datetime import timedelta

    from core.base.clock import utcnow

    login(app, "manager")
    StaffSession.update(created_at=utcnow() - timedelta(days=8)).execute()
    login(app, "director")
    assert StaffSession.select().count() == 1  # only the fresh one is kept
