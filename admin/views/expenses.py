"""The expense table: who spent what, on which order, with the receipt photo and what its
fiscal QR says; filters, totals, Excel; the director marks each expense checked or disputed
and sees receipts someone tried to claim twice.

Who sees which rows is core.access.expense_filter (the director all; anyone else their own);
marking is the director's (core.money.expenses.review)."""

from __future__ import annotations

import io
from datetime import date

from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import BrigadirView, back_url, fail, period_from_request
from core.base.clock import format_date, to_local
from core.base.errors import BrigadirError
from core.base.money import format_money
from core.money import expenses
from core.money.models import ExpenseCategory
from core.people.models import Employee

__all__ = ["ExpensesView"]

PAGE = 200
VERDICTS = {"checked": "Проверен", "disputed": "Оспорен", "": "Снять отметку"}


def _int(name: str) -> int | None:
    raw = (request.args.get(name) or "").strip().lstrip("№#")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _filters() -> tuple[expenses.Filters, date, date]:
    start, end = period_from_request()
    review = request.args.get("review")
    return (
        expenses.Filters(
            employee_id=_int("employee"), category_id=_int("category"), since=start, until=end,
            order_number=_int("order"), review=review if review in expenses.REVIEWS else None,
        ),
        start,
        end,
    )  # fmt: skip


class ExpensesView(BrigadirView):
    roles = ("manager", "executor")  # their own rows only: core.access.expense_filter

    @expose("/")
    def index(self):
        actor = current_actor()
        filters, start, end = _filters()
        query = expenses.listing(actor, filters)
        count, total = expenses.totals(query)
        rows = list(query.limit(PAGE))
        fiscal = expenses.fiscal_of([r.id for r in rows])
        people = Employee.select().where(~Employee.is_external).order_by(Employee.name)
        if not actor.is_director:
            people = people.where(Employee.id == actor.employee_id)
        return self.render(
            "brigadir/expenses.html", rows=rows, fiscal=fiscal, count=count, total=total,
            shown=len(rows), filters=filters, start=start, end=end, people=list(people),
            categories=list(ExpenseCategory.select().order_by(ExpenseCategory.position)),
            reviews=expenses.REVIEWS, verdicts=VERDICTS, money=format_money,
            duplicates=expenses.duplicates(actor) if actor.is_director else [],
            is_director=actor.is_director, query_string=request.query_string.decode(),
        )  # fmt: skip

    @expose("/export.xlsx")
    def export(self):
        from openpyxl import Workbook

        actor = current_actor()
        filters, start, end = _filters()
        query = expenses.listing(actor, filters)
        book = Workbook()
        sheet = book.active
        sheet.title = "Расходы"
        sheet.append(["Дата", "Сотрудник", "Статья", "Заказ", "Комментарий", "Сумма, ₽",
                      "Дата покупки (чек)", "Сумма по чеку, ₽", "ФН", "ФД", "ФП", "Проверка"])  # fmt: skip
        rows = list(query.limit(50_000))
        fiscal = expenses.fiscal_of([r.id for r in rows])
        for r in rows:
            f = fiscal.get(r.id)
            employee = r.from_account.employee
            sheet.append([
                to_local(r.at).replace(tzinfo=None), employee.name if employee else "",
                r.category.name if r.category_id else "", r.order.number if r.order_id else None,
                r.note, r.amount / 100, to_local(f.bought_at).replace(tzinfo=None) if f else None,
                f.amount / 100 if f else None, f.fn if f else "", f.fd if f else "",
                f.fp if f else "", expenses.REVIEWS.get(r.review, r.review),
            ])  # fmt: skip
        last = len(rows) + 1
        sheet.append(["Итого", "", "", "", f"{len(rows)} расходов", f"=SUM(F2:F{last})"])
        for row in sheet.iter_rows(min_row=2, max_row=last + 1):
            row[0].number_format = row[6].number_format = "DD.MM.YYYY HH:MM"
            row[5].number_format = row[7].number_format = "# ##0.00"
        buf = io.BytesIO()
        book.save(buf)
        name = f"expenses-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
        return Response(
            buf.getvalue(),
            headers={"Content-Disposition": f"attachment;filename={name}"},
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    @expose("/review/", methods=["POST"])
    def review(self):
        actor = current_actor()
        if not actor.is_director:
            abort(403)
        verdict = request.form.get("verdict", "")
        try:
            move = expenses.review(
                actor,
                int(request.form.get("id", "0") or 0),
                verdict,
                request.form.get("comment", ""),
            )
            told = " Сотруднику отправлено сообщение." if verdict == "disputed" else ""
            flash(
                f"Расход от {format_date(move.at)} — {VERDICTS[verdict].lower()}.{told}", "success"
            )
        except (BrigadirError, ValueError, KeyError) as exc:
            if isinstance(exc, BrigadirError):
                fail(exc)
            else:
                abort(400)
        return redirect(back_url(url_for("expenses.index")))
