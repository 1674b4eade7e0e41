"""What every admin page shares: login and role checks, CSRF forms, Russian errors,
bounded list paging without COUNT(*) over big tables, and XLSX/CSV export.

Views declare configuration; rules live in core/. A view's writes go through core use
cases, and a BrigadirError becomes a flash message with nothing written."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import peewee as pw
from flask import abort, flash, g, has_request_context, redirect, request, url_for
from flask_admin import BaseView
from flask_admin.contrib.peewee import ModelView
from flask_admin.contrib.peewee.form import CustomModelConverter
from flask_admin.form import BaseForm
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from werkzeug.utils import secure_filename

from admin.auth import current_actor
from admin.formatting import TYPE_FORMATTERS
from core.access import can_see, hidden_fields, masked_text
from core.base.clock import local_today, to_local, utcnow
from core.base.errors import AccessDenied, BrigadirError, NotFound

__all__ = ["AdminForm", "BrigadirModelView", "BrigadirView", "back_url", "capped_count", "fail",
           "masked", "reads_paper", "sees"]  # fmt: skip

MAX_PAGES = 20  # deeper than 20 pages of 50 nobody reads; search or filter instead


class AdminForm(FlaskForm, BaseForm):
    """Flask-Admin forms carry Flask-WTF's CSRF token, so the app-wide CSRFProtect accepts
    them (Flask-Admin's own SecureForm uses another token scheme the app would refuse)."""

    class Meta(FlaskForm.Meta):
        locales = ("ru_RU", "ru")


class _Converter(CustomModelConverter):
    """Workaround (feasibility §2): AutoField as an optional hidden pk in inline forms."""

    def __init__(self, view, additional=None):
        super().__init__(view, additional)
        self.converters[pw.AutoField] = self.handle_pk


def period_from_request() -> tuple[date, date]:
    """?start=&end= as local days; this month so far when missing, swapped when reversed."""
    today = local_today()
    try:
        start = date.fromisoformat(request.args.get("start", ""))
    except ValueError:
        start = today.replace(day=1)
    try:
        end = date.fromisoformat(request.args.get("end", ""))
    except ValueError:
        end = today
    return (start, end) if start <= end else (end, start)


# Exports carry values Excel understands: local wall-clock times (no zone, no seconds),
# dates as dates, yes/no in Russian; the writers below give each its cell format.
EXPORT_TYPE_FORMATTERS = {
    datetime: lambda view, value, name=None: to_local(value).replace(
        tzinfo=None, second=0, microsecond=0
    ),
    bool: lambda view, value, name=None: "да" if value else "нет",
    type(None): lambda view, value, name=None: "",
    list: lambda view, value, name=None: ", ".join(str(v) for v in value),
}
XLSX_FORMATS = {datetime: "DD.MM.YYYY HH:MM", date: "DD.MM.YYYY", Decimal: "#,##0.00",
                float: "#,##0.00"}  # fmt: skip


def csv_text(value: Any) -> Any:
    """A value as Excel in Russian reads a CSV cell: dd.mm.yyyy, decimal commas."""
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, (Decimal, float)):
        return f"{value:.2f}".replace(".", ",")
    return "" if value is None else value


def fail(error: BrigadirError) -> None:
    flash(str(error), "error")


def back_url(default: str) -> str:
    """Where to return after a POST: the referring admin page of this host, else default."""
    from urllib.parse import urlparse

    ref = urlparse(request.referrer or "")
    if ref.netloc == request.host and ref.path.startswith("/admin"):
        return ref.path + (f"?{ref.query}" if ref.query else "")
    return default


def sees(name: str) -> bool:
    """May the person of this request see this order field or money figure? core.access
    decides; the settings are read once per request."""
    if not current_user.is_authenticated:
        return False
    actor = current_actor()
    if "hidden_fields" not in g:
        g.hidden_fields = hidden_fields(actor)
    return can_see(actor, name, hidden=g.hidden_fields)


def reads_paper(kind: str) -> bool:
    """May the person of this request open a paper of this kind (core: its sums)?"""
    from core.documents.issue import may_read

    sees("cost")  # fills g.hidden_fields
    return may_read(current_actor(), kind, hidden=g.hidden_fields)


def masked(text: str) -> str:
    """A message text with the sums masked for a person who may not see order money."""
    sees("cost")  # fills g.hidden_fields
    return masked_text(current_actor(), text, hidden=g.hidden_fields)


def roles_allowed(roles: tuple[str, ...]) -> bool:
    if not current_user.is_authenticated:
        return False
    actor = current_actor()
    return actor.is_director or actor.role in roles


class _Access:
    """Mixin: who may open the page. Unauthenticated: to the login page; wrong role: 403."""

    roles: tuple[str, ...] = ("director",)

    def is_accessible(self) -> bool:
        return roles_allowed(self.roles)

    def is_visible(self) -> bool:
        return self.is_accessible()

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)


class BrigadirView(_Access, BaseView):
    """A custom page (not a model list)."""


def capped_count(query: pw.ModelSelect, cap: int) -> int:
    """COUNT over at most `cap` rows: cost bounded however big the table is. The query keeps
    its ORDER BY so the planner walks the same index as for the page itself."""
    inner = query.limit(cap).select(pw.SQL("1"))
    return (
        pw.Select(from_list=[inner.alias("capped")], columns=[pw.fn.COUNT(pw.SQL("*"))])
        .bind(query.model._meta.database)
        .scalar()
    )


class BrigadirModelView(_Access, ModelView):
    form_base_class = AdminForm
    model_form_converter = _Converter
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_export = EXPORT_TYPE_FORMATTERS
    column_display_pk = False
    can_view_details = False
    can_delete = False
    can_export = True
    export_types = ["xlsx", "csv"]
    export_max_rows = 10_000
    page_size = 50
    can_set_page_size = False
    list_template = "brigadir/list.html"
    edit_template = "brigadir/edit.html"
    create_template = "brigadir/create.html"

    # --- hidden fields (core.access): columns, exports, sorting and filters of order fields
    # and money figures exist per person. Flask-Admin keeps them as attributes built once at
    # start-up; these properties keep that full set and hand out only what this person may see.
    guards_order_fields = False

    def _guarding(self) -> bool:
        """Only inside a request: at start-up Flask-Admin builds (and mutates) the full sets."""
        return self.guards_order_fields and has_request_context()

    def _guarded(self, name: str) -> bool:
        return not self._guarding() or sees(name)

    @property
    def _list_columns(self):
        return [c for c in self.__dict__["_all_list_columns"] if self._guarded(c[0])]

    @_list_columns.setter
    def _list_columns(self, value):
        self.__dict__["_all_list_columns"] = value

    @property
    def _export_columns(self):
        return [c for c in self.__dict__["_all_export_columns"] if self._guarded(c[0])]

    @_export_columns.setter
    def _export_columns(self, value):
        self.__dict__["_all_export_columns"] = value

    @property
    def _sortable_columns(self):
        return {k: v for k, v in self.__dict__["_all_sortable"].items() if self._guarded(k)}

    @_sortable_columns.setter
    def _sortable_columns(self, value):
        self.__dict__["_all_sortable"] = value

    def _filter_shown(self, index: int) -> bool:
        column = getattr(self._filters[index], "column", None)
        return self._guarded(getattr(column, "name", ""))

    @property
    def _filter_args(self):
        every = self.__dict__.get("_all_filter_args")
        if every is None or not self._guarding():
            return every
        return {k: v for k, v in every.items() if self._filter_shown(v[0])}

    @_filter_args.setter
    def _filter_args(self, value):
        self.__dict__["_all_filter_args"] = value

    @property
    def _filter_groups(self):
        every = self.__dict__.get("_all_filter_groups")
        if every is None or not self._guarding():
            return every
        return type(every)(
            (k, group)
            for k, group in every.items()
            if all(self._filter_shown(item["index"]) for item in group)
        )

    @_filter_groups.setter
    def _filter_groups(self, value):
        self.__dict__["_all_filter_groups"] = value

    def _get_filter_groups(self):
        """Filter choices that are the firm's data (stages, people, crews, object types) are
        read per request: Flask-Admin reads them once at start-up, so a crew added today would
        not be offered until a restart."""
        groups = super()._get_filter_groups()
        if groups is None or not has_request_context():
            return groups
        for items in groups.values():
            for item in items:
                flt = self._filters[item["index"]]
                if callable(getattr(flt, "options", None)):
                    item["options"] = [(k, str(v)) for k, v in flt.get_options(self)] or None
        return groups

    @property
    def capped(self) -> bool:
        """This request's list shows only the first MAX_PAGES pages."""
        return bool(g.get("list_capped"))

    @property
    def list_total(self) -> int | None:
        """The exact total when a maintained counter knows it."""
        return g.get("list_total")

    # --- permissions that depend on the person: class attributes become checks
    write_roles: tuple[str, ...] = ("director",)

    @property
    def can_create(self) -> bool:  # type: ignore[override]
        return roles_allowed(self.write_roles)

    @property
    def can_edit(self) -> bool:  # type: ignore[override]
        return roles_allowed(self.write_roles)

    def search_placeholder(self) -> str:
        return "Поиск"

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, BrigadirError):
            fail(exc)
            return True
        return super().handle_view_exception(exc)

    # --- lists: bounded paging, capped count
    def base_query(self) -> pw.ModelSelect:
        """The rows this person may see; views scope it by role."""
        return self.model.select()

    def get_query(self) -> pw.ModelSelect:
        return self.base_query()

    def get_count_query(self) -> pw.ModelSelect:
        return self.base_query()

    def apply_search(self, query: pw.ModelSelect, search: str) -> pw.ModelSelect:
        return query

    def init_search(self) -> bool:
        return (
            bool(self.column_searchable_list)
            or type(self).apply_search is not BrigadirModelView.apply_search
        )

    def default_sort(self) -> list[Any]:
        return [self.model._meta.primary_key.desc()]

    def sort_clause(self, sort_column: str | None, sort_desc: bool) -> list[Any]:
        if sort_column is None or sort_column not in self._sortable_columns:
            return (
                self.default_sort()
            )  # an unsortable or hidden column: a crafted ?sort= is ignored
        field = self._sortable_columns[sort_column]
        field = getattr(self.model, field) if isinstance(field, str) else field
        pk = self.model._meta.primary_key
        return [field.desc() if sort_desc else field.asc(), pk.desc() if sort_desc else pk.asc()]

    def exact_count(self, query: pw.ModelSelect) -> int | None:
        """A count known without scanning (a maintained counter), or None."""
        return None

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        query = self.get_query()
        if search:
            query = self.apply_search(query, search)
        joins: set[str] = set()
        for flt, _name, value in filters or ():
            f = self._filters[flt]
            query = self._handle_join(query, f.column, joins)
            query = f.apply(query, f.clean(value))
        page_size = self.page_size if page_size is None else page_size
        exporting = page_size == self.export_max_rows
        limit = MAX_PAGES * (page_size or self.page_size)
        query = query.order_by(*self.sort_clause(sort_column, bool(sort_desc)))
        exact = None if (filters or search) else self.exact_count(query)
        # Per-request state lives in g: one view instance serves every thread.
        g.list_total, g.list_capped = exact, False
        if exporting:
            count = None
        elif exact is not None:
            count, g.list_capped = min(exact, limit), exact > limit
        else:
            # A search's few candidate rows are cheaper to count unordered (PostgreSQL would
            # otherwise walk the primary key looking for them).
            count = capped_count(query.order_by() if search else query, limit + 1)
            g.list_capped = count > limit
            count = min(count, limit)
        if page_size:
            page = min(page or 0, MAX_PAGES - 1) if not exporting else 0
            query = query.limit(page_size).offset(page * page_size)
        return count, (list(query) if execute else query)

    def get_one(self, id: Any):
        """A record this person may see, or a 404 page: hidden looks exactly like missing."""
        try:
            pk = int(id)
        except (TypeError, ValueError):
            abort(404)
        model = self.base_query().where(self.model._meta.primary_key == pk).first()
        if model is None:
            abort(404)
        return model

    # --- export: XLSX through openpyxl (no tablib); CSV for Excel in Russian (semicolons,
    # decimal commas, a BOM so Cyrillic opens right) as the documents register writes it.
    def _export_tablib(self, export_type: str, return_url: str):
        from flask import Response
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        if export_type != "xlsx":
            abort(404)
        _count, data = self._export_data()
        book = Workbook(write_only=True)
        sheet = book.create_sheet(str(self.name)[:31])
        columns = self._export_columns
        sheet.append([str(c[1]) for c in columns])

        def cell(value):
            number_format = XLSX_FORMATS.get(type(value))
            if number_format is None:
                return value
            made = WriteOnlyCell(sheet, value=value)
            made.number_format = number_format
            return made

        for row in data:
            sheet.append([cell(self.get_export_value(row, c[0])) for c in columns])
        buf = io.BytesIO()
        book.save(buf)
        return Response(
            buf.getvalue(),
            headers={"Content-Disposition": self._attachment("xlsx")},
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    def _export_csv(self, return_url: str):
        from flask import Response

        _count, data = self._export_data()
        columns = self._export_columns
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow([str(c[1]) for c in columns])
        for row in data:
            writer.writerow([csv_text(self.get_export_value(row, c[0])) for c in columns])
        return Response(
            out.getvalue().encode("utf-8-sig"),
            headers={"Content-Disposition": self._attachment("csv")},
            mimetype="text/csv",
        )

    def get_export_name(self, export_type: str = "csv") -> str:
        """ "order_2026-12-07_14-30.csv": the page and the firm's local time of the export
        (Flask-Admin's own name carries the server's clock, UTC on most servers)."""
        return f"{self.endpoint}_{to_local(utcnow()):%Y-%m-%d_%H-%M}.{export_type}"

    def _attachment(self, export_type: str) -> str:
        """The download's name: ASCII for old browsers, the page's Russian name for the rest."""
        from urllib.parse import quote

        plain = secure_filename(self.get_export_name(export_type)) or f"export.{export_type}"
        stamp = plain.removeprefix(f"{self.endpoint}_")
        russian = quote(f"{self.name}_{stamp}".replace(" ", "_"))
        return f"attachment; filename={plain}; filename*=UTF-8''{russian}"

    def get_export_value(self, model, name):
        value = super().get_export_value(model, name)
        if isinstance(value, Markup):
            return Markup(value).striptags()
        return value


def link(url: str, text: str) -> Markup:
    return Markup(f'<a href="{escape(url)}">{escape(text)}</a>')


def not_found(error: NotFound | AccessDenied) -> None:
    abort(404 if isinstance(error, NotFound) else 403)
