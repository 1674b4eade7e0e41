"""The counter page: a walk-in client leaves with a printed order form in a few keystrokes.

One screen replaces Flask-Admin's create form: the client by first letters or phone (or a
new one typed in place), what to do, the sum, the advance, who does it and when; the rest
behind "ещё". Files dropped onto the page go into the order's folder; one image can be the
preview printed on the form. Writes go through core.orders.counter (all or nothing)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, jsonify, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import fail
from admin.views.orders.forms import _new_order_values
from bots.flows.parse import OrderLine, parse_order_line
from core.base.clock import local_today
from core.base.errors import BrigadirError, Conflict, ValidationError
from core.base.money import format_money
from core.clients import clients
from core.documents import issue
from core.orders import counter
from core.people.models import Employee
from storage import images
from storage.errors import StorageError

# The fields the counter shows at once; every other field of the order form waits behind "ещё".
MAIN_FIELDS = ("description", "cost", "advance", "advance_method", "executor", "due_date")


def quick_dates() -> list[tuple[str, str]]:
    """(label, dd.mm.yyyy): сегодня, завтра and the coming Friday (next week's on a Friday)."""
    today = local_today()
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    return [
        ("сегодня", f"{today:%d.%m.%Y}"),
        ("завтра", f"{today + timedelta(days=1):%d.%m.%Y}"),
        ("пятница", f"{friday:%d.%m.%Y}"),
    ]


def _executors() -> list[tuple[str, str, bool]]:
    """Active staff and subcontractor firms: one plain list, the firms marked."""
    query = Employee.select(Employee.id, Employee.name, Employee.is_external).where(
        Employee.active & (Employee.role != "director")
    )
    return [
        (str(i), n, ext)
        for i, n, ext in query.order_by(Employee.is_external, Employee.name).tuples()
    ]


def read_line(text: str) -> OrderLine | None:
    """The chat's counter line typed into the description: "Визитки 200 шт, 1 500, аванс 500,
    завтра" -> what, how much, the advance, by when (bots.flows.parse reads both)."""
    try:
        line = parse_order_line(text, local_today())
    except ValidationError:
        return None  # not a line: the words stay the description, the fields speak for themselves
    if not line.description or (line.cost, line.advance, line.due) == (None, None, None):
        return None
    return line


def _raw(field) -> str:
    return (field.raw_data or [""])[0].strip()


def take_line(form) -> None:
    """The sum, the advance and the due date typed in the description go to their fields when
    those are empty (or already say the same: the page's script copies them as one types);
    the description keeps the rest. A part whose field says otherwise leaves the line as typed."""
    line = read_line(form.description.data or "")
    if line is None:
        return
    parts = [(n, v) for n, v in (("cost", line.cost), ("advance", line.advance), ("due_date", line.due))
             if v is not None]  # fmt: skip
    if any(not hasattr(form, n) or (_raw(form[n]) and form[n].data != v) for n, v in parts):
        return
    for name, value in parts:
        form[name].data = value
        form[name].raw_data = [
            f"{value:%d.%m.%Y}" if name == "due_date" else format_money(value, currency=False)
        ]
    form.description.data = line.description


REQUISITES = ("inn", "kpp", "ogrn", "address", "signer_post", "signer_name")


def _new_client_requisites() -> dict[str, str]:
    """A new client's ИНН and what «Заполнить по ИНН» put beside it (all optional)."""
    found = {k: (request.form.get(f"new_client_{k}") or "").strip() for k in REQUISITES}
    return {k: v for k, v in found.items() if v}


class OrderCounterMixin:
    @expose("/line/")
    def line_view(self):
        """What the counter page understood in the description, for the fields to show it."""
        line = read_line(request.args.get("text", "")[:5000])
        if line is None:
            return jsonify({})
        return jsonify({
            "description": line.description,
            "cost": format_money(line.cost, currency=False) if line.cost is not None else "",
            "advance": format_money(line.advance, currency=False) if line.advance else "",
            "due_date": f"{line.due:%d.%m.%Y}" if line.due else "",
        })  # fmt: skip

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        if not self.can_create:  # as the stock page did: back to the list
            return redirect(url_for("order.index_view"))
        form = self.create_form()
        new_name = (request.form.get("new_client_name") or "").strip()
        # ?phone=: «Заказ за стойкой» from a caller's card comes with the number filled in
        new_phone = (
            request.form.get("new_client_phone") or request.args.get("phone") or ""
        ).strip()[:40]
        requisites = _new_client_requisites()
        if request.method == "POST":
            order = self._take(form, new_name, new_phone)
            if order is not None:
                flash(f"Заказ №{order.number} принят.", "success")
                if request.form.get("print"):
                    return self._print(order)
                return redirect(url_for("order.card_view", id=order.id))
        more = [n for n in form._fields if n not in MAIN_FIELDS + ("client", "csrf_token")]
        return self.render(
            "brigadir/order_counter.html",
            form=form,
            main_fields=[n for n in MAIN_FIELDS if n in form._fields],
            more_fields=more,
            quick_dates=quick_dates(),
            more_summary=", ".join(form[n].label.text.lower() for n in more[:3])
            + (" и другое" if len(more) > 3 else ""),
            executors=_executors(),
            new_client={"name": new_name, "phone": new_phone, **requisites},
            twin=getattr(form, "twin", None),
            object_types=self.object_types(),
        )

    def _take(self, form, new_name: str, new_phone: str):
        """The order, or None with the reasons flashed (and nothing written)."""
        self._fill_choices(form)
        take_line(form)
        if new_name or new_phone:
            form.client.validators = []  # the new client stands in for a chosen one
            form.client.allow_blank = True
        if not form.validate():
            for name, errors in form.errors.items():
                for error in errors:
                    label = form[name].label.text if name in form._fields else ""
                    flash(f"{label}: {error}" if label else str(error), "error")
            return None
        if (new_name or new_phone) and not new_name:
            flash("Новый клиент: впишите имя.", "error")
            return None
        uploads = [
            counter.Upload(f.filename or "file", f.read(), f.mimetype or "application/octet-stream")
            for f in request.files.getlist("files")
            if f and f.filename
        ]
        try:
            return counter.take_order(
                current_actor(),
                current_app.config["BRIGADIR_FILE_STORE"],
                client_id=None if new_name else (form.client.data.id if form.client.data else None),
                new_client=(new_name, new_phone) if new_name else None,
                new_client_fields=_new_client_requisites() if new_name else None,
                files=uploads,
                preview=request.form.get("preview") or None,
                **_new_order_values(form),
            )
        except Conflict as exc:
            fail(exc)
            # a phone already on a card: offer that client instead of a twin
            form.twin = clients.client_with_phone(new_phone) if new_name else None
        except BrigadirError as exc:
            fail(exc)
        except StorageError as exc:
            flash(exc.message, "error")
        return None

    def _print(self, order):
        """The order form, issued and opened on the card ready for the printer."""
        store = current_app.config["BRIGADIR_FILE_STORE"]
        opts = {}
        if order.preview:  # upright, on white, JPEG: whatever picture the client brought
            opts["preview_jpeg"] = images.preview(store.read(order.preview))
        try:
            document = issue.issue_document(current_actor(), "order_form", order.id, store, **opts)
        except BrigadirError as exc:
            fail(exc)
            return redirect(url_for("order.card_view", id=order.id))
        return redirect(url_for("order.card_view", id=order.id, print=document.id))
