"""Settings page (issue 28): one refused field keeps every other edit on the page and marks
that one field; nothing is written until the page is right."""

from __future__ import annotations

import re

from core.base import settings
from tests.htmlforms import form_with

KEYS = ("company", "object_types", "custom_fields", "hidden_fields")


def _form(**over):
    form = {"company_name": "ООО Печатник", "company_phone": "+7 913 000-11-22",
            "object_types": "\n".join(f"Тип {i}" for i in range(11)),
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
    assert shown["company_name"] == "ООО Печатник"
    assert shown["company_phone"] == "+7 913 000-11-22"
    assert shown["custom_fields"].split() == ["Материал", "Тираж"]
    assert len(shown["object_types"].strip().splitlines()) == 11
    assert shown.get("hide_manager_cost") and shown.get("hide_executor_paid")
    assert "hide_executor_debt" not in shown  # unticked stays unticked
    # The one refused field is marked, with its message beside it.
    assert _marked(html) == {"object_types": "Типов объектов может быть не больше 10."}
    # Fixed and sent again: everything is saved.
    shown["object_types"] = "Дача\nБаня"
    assert s.post("/admin/settings/", shown).status_code == 302
    assert settings.get("company")["name"] == "ООО Печатник"
    assert settings.get("object_types") == ["Дача", "Баня"]
    assert [f["label"] for f in settings.get("custom_fields")] == ["Материал", "Тираж"]
    assert settings.get("hidden_fields")["manager"] == ["cost"]
    assert settings.get("hidden_fields")["executor"] == ["paid"]


def test_each_refusal_marks_its_own_field(as_role, world):
    s = as_role("director")
    before = settings.get("object_types")
    form = _form(object_types="Дом", company_inn="123", custom_fields="Материал\nматериал")
    html = s.post("/admin/settings/", form).get_data(as_text=True)
    assert _marked(html) == {"company_inn": "ИНН фирмы: 10 или 12 цифр.",
                             "custom_fields": "Строка 2: поле «материал» повторяется."}  # fmt: skip
    shown = form_with(html, "object_types")
    assert shown["company_inn"] == "123" and shown["object_types"] == "Дом"
    assert settings.get("object_types") == before
