"""The order list: tabs by stage, search by number, phone or client letters, filters, columns."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import peewee as pw
from flask import g, request, url_for
from flask_admin.contrib.peewee.filters import BasePeeweeFilter, DateBetweenFilter
from markupsafe import Markup, escape

from admin.auth import current_actor
from admin.views.orders.common import _names, _stages
from core.access import visible_orders
from core.base import runtime
from core.base.clock import format_date, from_local, local_today
from core.base.db import count_by_index
from core.clients import search
from core.clients.models import Client
from core.conversations import threads
from core.orders.models import Order, Pipeline

# The «Перезаказ» tab: orders given to a subcontractor firm and not yet issued (the archive
# stages, «Выдан» of the print shop among them, end it).
SUBCONTRACTED = Order.subcontractor.is_null(False) & ~Order.is_archived


def subcontracted_count() -> int:
    """How many orders the «Перезаказ» tab holds for this request's person (counted once)."""
    if "sub_count" not in g:
        query = visible_orders(current_actor()).where(SUBCONTRACTED)
        g.sub_count = count_by_index(query, "order_open_subcontracted")
    return g.sub_count


class LocalDateBetween(DateBetweenFilter):
    """Days as the firm sees them: local dates to a [start, next day) range of stored UTC."""

    def apply(self, query, value):
        start, end = value
        if end < start:
            start, end = end, start
        lo = from_local(datetime.combine(start, datetime.min.time()))
        hi = from_local(datetime.combine(end + timedelta(days=1), datetime.min.time()))
        return query.where((self.column >= lo) & (self.column < hi))


class DebtFilter(BasePeeweeFilter):
    """ "Есть долг" / "Без долга" — backed by the (debt, id) index."""

    def __init__(self):
        super().__init__(Order.debt, "Долг", options=[("1", "есть долг"), ("0", "без долга")])

    def apply(self, query, value):
        return query.where(Order.debt > 0) if value == "1" else query.where(Order.debt == 0)

    def operation(self):
        return "—"


class YesNoFilter(BasePeeweeFilter):
    """A yes/no field ("Документы получены": да / нет)."""

    def __init__(self, column, name):
        super().__init__(column, name, options=[("1", "да"), ("0", "нет")])

    def apply(self, query, value):
        return query.where(self.column == (value == "1"))

    def operation(self):
        return "—"


def _object_type_options():
    """The firm's object types (Settings → Типы объектов)."""
    from core.base import settings

    return [(t, t) for t in settings.get("object_types") or []]


# ---------------------------------------------------------------- list columns
def _prefix(endpoint: str, **kw) -> str:
    """A URL built once per request; rows append their id (url_for per cell is the slow part
    of a 50-row page)."""
    key = f"url:{endpoint}"
    if key not in g:
        g.setdefault(key, url_for(endpoint, **kw))
    return g.get(key)


def _unread(model) -> int:
    """The order's unread count as this person may see it (letters of a mailbox they may not
    read leave it); the hidden ones are asked once per request."""
    if "unread_filter" not in g:
        g.unread_filter = threads.unread_filter(current_actor())
    return threads.unread_of(current_actor(), model, g.unread_filter)


def _number(view, context, model, name):
    url = _prefix("order.card_view") + f"?id={model.id}"
    unread = _unread(model)
    mark = (
        f' <span class="unread-mark" title="Новые сообщения клиента">{unread}</span>'
        if unread
        else ""
    )
    return Markup(f'<a href="{url}" class="font-weight-bold">№{model.number}</a>{mark}')


def _client(view, context, model, name):
    url = _prefix("client.card_view") + f"?id={model.client_id}"
    return Markup(f'<a href="{url}">{escape(model.client.name)}</a>')


def _description(view, context, model, name):
    text = model.description if len(model.description) <= 80 else model.description[:77] + "…"
    return text


def _person(view, context, model, name):
    person_id = getattr(model, f"{name}_id")
    return _names().get(person_id, "") if person_id else ""


def _stage_options_html(pipeline_id: int) -> list[tuple[int, str]]:
    key = f"stage_opts:{pipeline_id}"
    if key not in g:
        g.setdefault(
            key,
            [
                (s.id, str(escape(s.name)))
                for s in _stages().values()
                if s.pipeline_id == pipeline_id
            ],
        )
    return g.get(key)


def _stage_inline(view, context, model, name):
    """The stage as a select: pick another and the list's one move form sends it through
    core.orders.orders.move_order (one form per page, not per row: the page stays small)."""
    actor = current_actor()
    if not actor.is_staff_office:
        stage = _stages().get(model.stage_id)
        return stage.name if stage else ""
    # Markup as short as HTML allows (no </option>, unquoted numbers, the change handler
    # delegated in order_list.html): fifty selects were a quarter of the page.
    options = "".join(
        f"<option value={sid}{' selected' if sid == model.stage_id else ''}>{label}"
        for sid, label in _stage_options_html(model.pipeline_id)
    )
    return Markup(
        f'<select name=stage data-order={model.id} aria-label="Этап №{model.number}">'
        f"{options}</select>"
    )


def _due(view, context, model, name):
    """The due date; past it and not yet finished, it stands out."""
    if not model.due_date:
        return ""
    text = format_date(model.due_date)
    if "today" not in g:
        g.today = local_today()
    if model.due_date < g.today and not model.is_archived:
        return Markup(f'<span class="overdue" title="Срок прошёл">{text}</span>')
    return text


class OrderListMixin:
    def search_placeholder(self) -> str:
        return "№ заказа, клиент или телефон"

    # --- tabs
    def _tab(self) -> str:
        tab = request.args.get("tab", "")
        return tab if re.fullmatch(r"|all|archive|sub|\d{1,9}(-\d{1,9}){0,9}", tab) else ""

    def _tab_stages(self, tab: str) -> list[int]:
        """A stage tab's stage ids: one, or "12-34" for stages of one name in two pipelines."""
        return [int(part) for part in tab.split("-")] if tab[:1].isdigit() else []

    def base_query(self) -> pw.ModelSelect:
        return visible_orders(current_actor(), Order, Client).join(Client).switch(Order)

    def get_query(self) -> pw.ModelSelect:
        query = self.base_query()
        tab = self._tab()
        if tab == "":
            query = query.where(~Order.is_archived)
        elif tab == "archive":
            query = query.where(Order.is_archived)
        elif tab == "sub":
            query = query.where(SUBCONTRACTED)
        elif tab[:1].isdigit():
            query = query.where(Order.stage.in_(self._tab_stages(tab)))
        return query

    def apply_search(self, query, search_text):
        """№ (exact), phone digits, or first letters of the client's words."""
        text = search_text.strip().lstrip("№#")
        conditions = []
        if text.isdigit() and len(text) <= 9:
            conditions.append(Order.number == int(text))
        client_ids = search.client_ids_matching(text, limit=100)
        if client_ids:
            # The list on the client's side too: PostgreSQL then joins those few clients to
            # their orders instead of merging the whole client table into the sort.
            conditions.append(Order.client.in_(client_ids) & Client.id.in_(client_ids))
        if not conditions:
            return query.where(Order.id < 0)
        clause = conditions[0]
        for extra in conditions[1:]:
            clause |= extra
        return query.where(clause)

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        # With a date range, newest-first by created_at walks that range in the index instead
        # of scanning ids for rows inside it.
        g.searching = bool(search)
        g.by_created = sort_column is None and any(
            self._filters[idx].column is Order.created_at for idx, _n, _v in filters or ()
        )
        return super().get_list(page, sort_column, sort_desc, search, filters, execute, page_size)

    def default_sort(self):
        if g.get("by_created"):
            return [Order.created_at.desc(), Order.id.desc()]
        if g.get("searching"):
            # "id + 0": sort the matched clients' few orders instead of walking the primary
            # key backwards until fifty of them turn up.
            return [(Order.id + 0).desc()]
        return [Order.id.desc()]

    def exact_count(self, query):
        """Tabs of the director and managers are counted by Stage.order_count."""
        actor = current_actor()
        tab = self._tab()
        if not actor.is_staff_office:
            return None
        if tab == "sub":
            return subcontracted_count()
        stages = list(_stages().values())
        if tab[:1].isdigit():
            return sum(_stages()[i].order_count for i in self._tab_stages(tab) if i in _stages())
        if tab == "all":
            return sum(s.order_count for s in stages)
        if tab == "archive":
            return sum(s.order_count for s in stages if s.is_archive)
        return sum(s.order_count for s in stages if not s.is_archive)

    def tabs(self) -> list[dict]:
        actor = current_actor()
        code = runtime.config().app.pipeline
        pipe = Pipeline.get_or_none(Pipeline.code == code)
        stages = [
            s
            for s in _stages().values()
            if pipe is None or s.pipeline_id == pipe.id or s.order_count
        ]
        counts = actor.is_staff_office
        tabs = [
            {
                "key": "",
                "name": "Все текущие",
                "count": sum(s.order_count for s in stages if not s.is_archive) if counts else None,
            }
        ]
        # One tab per stage name: "Принят" of both pipelines is one tab, not two.
        by_name: dict[str, list] = {}
        for s in stages:
            if not s.is_archive:
                by_name.setdefault(s.name.strip().lower(), []).append(s)
        for group in by_name.values():
            tabs.append({
                "key": "-".join(str(s.id) for s in group), "name": group[0].name,
                "count": sum(s.order_count for s in group) if counts else None,
            })  # fmt: skip
        tabs.append(
            {"key": "sub", "name": "Перезаказ", "count": subcontracted_count() if counts else None}
        )
        tabs.append(
            {
                "key": "archive",
                "name": "Архив",
                "count": sum(s.order_count for s in stages if s.is_archive) if counts else None,
            }
        )
        return tabs

    def can_move(self) -> bool:
        """Whether list rows carry the stage select (office staff) or the stage's name."""
        return current_actor().is_staff_office

    def current_tab(self) -> str:
        return self._tab()
