"""Settings page (issue 28): one refused field keeps every other edit on the page and marks
that one field; nothing is written until the page is right."""

from __future__ import annotations

import re

from core.base import settings
from tests.htmlforms import form_with

KEYS = ("object_types", "custom_fields", "hidden_fields")


def _form(**over):
    form = {"object_types": "\n".join(f"Тип {i}" for i in range(11)),
            "custom_fields": "Материал\nТираж", "hide_manager_cost": "1", "hide_executor_paid": "1"}  # fmt: skip
    form.update(over)
    return form


def _marked(html: str) -> dict[str, str]:
    """Fields marked refused -> the message shown right after them."""
    found = {}
    for tag in re.finditer(r"<(?:input|textarea)\b[^>]*\bis-invalid\b[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag.group(0)).group(1)
        message = re.match(r'(?:[^<]*</textarea>)?<div class="invalid-feedback">([^<]*)</div>',
                           html[tag.end():])  # fmt: skip
        assert message, f"{name} is marked without its message"
        found[name] = message.group(1)
    return dict(found)


def test_one_refused_field_keeps_the_other_edits(as_role, world):
    s = as_role("director")
    before = {k: settings.get(k) for k in KEYS}
    resp = s.post("/admin/settings/", _form())
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert {k: settings.get(k) for k in KEYS} == before  # nothing written
    # Every edit is on the page as typed: sending the page again sends them all.
    shown = form_with(html, "object_types")
    assert shown["custom_fields"].split() == ["Материал", "Тираж"]
    assert len(shown["object_types"].strip().splitlines()) == 11
    assert shown.get("hide_manager_cost") and shown.get("hide_executor_paid")
    assert "hide_executor_debt" not in shown  # unticked stays unticked
    # The one refused field is marked, with its message beside it.
    assert _marked(html) == {"object_types": "Типов объектов может быть не больше 10."}
    # Fixed and sent again: everything is saved.
    shown["object_types"] = "Дача\nБаня"
    assert s.post("/admin/settings/", shown).status_code == 302
    assert settings.get("object_types") == ["Дача", "Баня"]
    assert [f["label"] for f in settings.get("custom_fields")] == ["Материал", "Тираж"]
    assert settings.get("hidden_fields")["manager"] == ["cost"]
    assert settings.get("hidden_fields")["executor"] == ["paid"]


def test_each_refusal_marks_its_own_field(as_role, world):
    s = as_role("director")
    before = settings.get("object_types")
    form = _form(custom_fields="Материал\nматериал")
    html = s.post("/admin/settings/", form).get_data(as_text=True)
    assert _marked(html) == {"object_types": "Типов объектов может быть не больше 10.",
                             "custom_fields": "Строка 2: поле «материал» повторяется."}  # fmt: skip
    shown = form_with(html, "object_types")
    assert len(shown["object_types"].splitlines()) == 11 and shown.get("hide_manager_cost")
    assert settings.get("object_types") == before


def test_a_hidden_field_the_others_give_away_is_pointed_out(as_role, world):
    """Issue 28: hiding «Стоимость» while «Оплачено» and «Долг» stay visible gives the cost
    away (core.access.revealed); the page says so and hides those too in one click."""
    from core.access import revealed

    assert revealed({"cost"}) == {"cost": ("paid", "+", "debt")}
    assert revealed({"cost", "debt"}) == {} and revealed({"debt"}) == {
        "debt": ("cost", "−", "paid")
    }
    s = as_role("director")
    html = s.get("/admin/settings/").get_data(as_text=True)
    assert "можно вычислить" not in html  # crews' default hides all three
    form = form_with(html, "object_types")
    for field in ("cost", "paid", "debt"):
        form.pop(f"hide_executor_{field}", None)
    form["hide_manager_cost"] = "1"
    assert s.post("/admin/settings/", form).status_code == 302
    html = s.get("/admin/settings/").get_data(as_text=True)
    assert re.search(r'id="leak-manager-cost">\s*Поле «Стоимость» скрыто от роли «Менеджер», но его '
                     r"можно вычислить: «Стоимость» = «Оплачено» \+ «Долг»", html)  # fmt: skip
    assert 'name="hide_also" value="manager:paid,debt">Скрыть и «Оплачено» и «Долг»' in html
    form = form_with(html, "object_types")
    form["hide_also"] = "manager:paid,debt"  # the button
    assert s.post("/admin/settings/", form).status_code == 302
    assert settings.get("hidden_fields")["manager"] == ["cost", "paid", "debt"]
    assert "можно вычислить" not in s.get("/admin/settings/").get_data(as_text=True)
