"""Issue 28: the «Позвонить клиенту» list shows the number to call, as a tel: link a phone
dials at a tap; a person from whom clients' phones are hidden sees no number."""

from __future__ import annotations

from core.base import settings
from core.base.clock import utcnow
from core.tasks.models import Task


def _call_task(world, staff, *, with_client=True):
    return Task.create(kind="call_client", title="Позвонить клиенту: не дошло сообщение",
                       client=world["c1"] if with_client else None, order=world["own"],
                       assignee=staff["manager"], due_at=utcnow())  # fmt: skip


def test_call_list_shows_the_phone_to_call(as_role, world, staff):
    _call_task(world, staff)
    _call_task(world, staff, with_client=False)  # the order's client then
    html = as_role("manager").get("/admin/task/").get_data(as_text=True)
    assert "<th" in html and "Телефон" in html
    assert html.count('href="tel:+79123456789"') == 2
    assert "+7 912 345-67-89" in html
    export = as_role("manager").get("/admin/task/export/csv/").get_data(as_text=True)
    assert "+7 912 345-67-89" in export
    dashboard = as_role("manager").get("/admin/").get_data(as_text=True)  # the same tasks there
    assert dashboard.count('href="tel:+79123456789"') == 2


def test_no_number_where_phones_are_hidden(as_role, world, staff):
    _call_task(world, staff)
    settings.put("hidden_fields", {"manager": ["client_phone"]})
    html = as_role("manager").get("/admin/task/").get_data(as_text=True)
    assert "Позвонить клиенту" in html
    assert "tel:" not in html and "345-67-89" not in html
    assert "tel:" not in as_role("manager").get("/admin/").get_data(as_text=True)
