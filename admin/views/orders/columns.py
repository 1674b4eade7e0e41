"""The order list's columns as the director chose them for this person's role (core.orders.columns),
each rendered for the list and for the export; every lookup is cached per request in `g`,
so fifty rows cost no query each."""

from __future__ import annotations

from decimal import Decimal

from flask import g, request
from markupsafe import Markup

from admin.auth import current_actor
from admin.base import sees
from admin.views.orders.common import _active_people, _crews, _names, _stages
from core.base import runtime
from core.base.money import format_money
from core.base.phones import display_phone
from core.orders import columns
from core.orders.models import Order
from core.orders.sources import SOURCE_NAMES

__all__ = ["EXPORT_FORMATTERS", "LIST_FORMATTERS", "order_columns", "pipeline_code"]


def pipeline_code() -> str:
    return runtime.config().app.pipeline


def order_columns() -> list[tuple[str, str]]:
    """(column, Russian label) of this request's person: their role's choice, minus every
    field hidden from them."""
    if "order_columns" not in g:
        sees("cost")  # fills g.hidden_fields: one settings read per request
        chosen = columns.columns_for(current_actor(), pipeline_code(), hidden=g.hidden_fields)
        names = [c for c, _label in chosen]
        if (
            request.args.get("tab") == "sub"
            and "subcontractor" not in names
            and sees("subcontractor")
        ):
            # The «Перезаказ» tab is about who makes it: the firm goes beside the client.
            # (and a subcontracted order has no executor of its own: that column goes)
            chosen = [c for c in chosen if c[0] != "executor"]
            names = [c for c, _label in chosen]
            at = names.index("client") + 1 if "client" in names else 1
            chosen.insert(
                at, ("subcontractor", columns.available(pipeline_code())["subcontractor"])
            )
        g.order_columns = chosen
    return g.order_columns


def custom_value(model: Order, name: str) -> str:
    return str((model.custom or {}).get(name.removeprefix("custom_"), ""))


def _phone(view, context, model, name):
    return display_phone(model.client.phone) if model.client.phone else ""


def _crew(view, context, model, name):
    return _crews().get(model.crew_id, "") if model.crew_id else ""


def _responsible(view, context, model, name):
    stage = _stages().get(model.stage_id)
    active, director = _active_people()
    person = columns.who_answers(
        stage.responsible_id if stage else None, model.manager_id, active, director
    )
    return _names().get(person, "") if person else ""


def _executor(view, context, model, name):
    """Who makes the order: the employee, or the subcontractor firm of a перезаказ (as the
    counter's «Исполнитель (или подрядчик)» takes it, and as the import reads it back) unless
    the firm has its own column here or is hidden from this person."""
    if model.executor_id:
        return _names().get(model.executor_id, "")
    shown = {c for c, _label in order_columns()}
    if model.subcontractor_id and "subcontractor" not in shown and sees("subcontractor"):
        return _names().get(model.subcontractor_id, "")
    return ""


def _source(view, context, model, name):
    return SOURCE_NAMES.get(model.source, model.source or "")


def _money(view, context, model, name):
    """Kopecks as "12 500,00 ₽" (kept on one line by the stylesheet); a debt shows red."""
    value = int(getattr(model, name) or 0)
    if name == "debt" and value > 0:
        return Markup(f'<span class="text-danger font-weight-bold">{format_money(value)}</span>')
    return format_money(value)


def _rubles(view, context, model, name) -> Decimal:
    """Kopecks as rubles Excel adds up (a number, two decimals)."""
    return (Decimal(int(getattr(model, name) or 0)) / 100).quantize(Decimal("0.01"))


def _note(view, context, model, name):
    """The object's particulars, as long as a list cell allows (the card shows all)."""
    text = model.object_note or ""
    return text if len(text) <= 80 else text[:77] + "…"


LIST_FORMATTERS = {
    "object_note": _note,
    "cost": _money,
    "paid": _money,
    "debt": _money,
    "client_phone": _phone,
    "crew": _crew,
    "executor": _executor,
    "responsible": _responsible,
    "source": _source,
}
EXPORT_FORMATTERS = {
    "number": lambda v, c, m, n: m.number,
    "client": lambda v, c, m, n: m.client.name,
    "client_phone": _phone,
    "description": lambda v, c, m, n: m.description,
    "stage": lambda v, c, m, n: _stages()[m.stage_id].name,
    "cost": _rubles,
    "paid": _rubles,
    "debt": _rubles,
    "crew": _crew,
    "executor": _executor,
    "responsible": _responsible,
    "source": _source,
}
