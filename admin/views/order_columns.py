"""Settings → Столбцы списка заказов: which columns each role's order list and export show,
and in which order — a place number per column, empty for none. Rules: core.orders.columns."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import fail
from admin.views.orders.columns import pipeline_code
from core.access import Actor, can_see, hidden_fields, require_role
from core.base import settings
from core.base.db import database
from core.base.errors import BrigadirError, ValidationError
from core.orders import columns
from core.people.models import ROLE_NAMES

__all__ = ["OrderColumnsMixin"]


def _role_actor(role: str) -> Actor:
    """Anyone of this role, as core.access sees them (their hidden fields)."""
    return Actor(kind="employee", role=role)


def _parse(form, available: dict[str, str]) -> dict[str, list[str]]:
    """pos_<role>_<column> = place number -> columns per role in that order (ties keep the
    page's order); an empty place leaves the column out."""
    choice: dict[str, list[str]] = {}
    rows = [c for c in available if c != "number"]
    for role in columns.ROLES:
        picked = []
        for index, column in enumerate(rows):
            raw = (form.get(f"pos_{role}_{column}") or "").strip()
            if not raw:
                continue
            if not raw.isdigit() or not 1 <= int(raw) <= 99:
                raise ValidationError(
                    f"«{available[column]}» у роли «{ROLE_NAMES[role]}»: место — число от 1 до 99"
                    " или пусто."
                )
            picked.append((int(raw), index, column))
        choice[role] = [column for _place, _index, column in sorted(picked)]
    return choice


class OrderColumnsMixin:
    @expose("/columns/", methods=["GET", "POST"])
    def columns_view(self):
        pipeline = pipeline_code()
        available = columns.available(pipeline)
        if request.method == "POST":
            from flask_wtf.csrf import validate_csrf

            validate_csrf(request.form.get("csrf_token"))
            try:
                require_role(current_actor(), "director")
                with database.atomic():
                    if request.form.get("reset"):
                        settings.put(columns.SETTING, {})
                    else:
                        columns.save_choice(_parse(request.form, available), pipeline)
                flash("Столбцы списка заказов сохранены.", "success")
                return redirect(url_for("settings.columns_view"))
            except BrigadirError as exc:
                fail(exc)
        places, shown, hidden_for = {}, {}, {}
        for role in columns.ROLES:
            actor = _role_actor(role)
            hidden = hidden_fields(actor)
            picked = columns.chosen(role, pipeline)
            places[role] = {c: i for i, c in enumerate(picked, start=1)}
            hidden_for[role] = {c for c in available if not can_see(actor, c, hidden=hidden)}
            shown[role] = [available[c] for c in picked if c not in hidden_for[role]]
        return self.render(
            "brigadir/order_columns.html",
            available=available,
            roles=columns.ROLES,
            role_names=ROLE_NAMES,
            places=places,
            shown=shown,
            hidden_for=hidden_for,
        )
