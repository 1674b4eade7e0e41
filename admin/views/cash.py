"""Cash desks: the main one and one per employee, balances, movements with receipt
thumbnails, adding a movement, totals by category for a period.

The director sees every desk; anyone else sees only their own (core.access.can_see_money_of)."""

from __future__ import annotations

from datetime import datetime, timedelta

import peewee as pw
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from wtforms import SelectField, StringField
from wtforms.validators import Length

from admin.auth import current_actor
from admin.base import AdminForm, BrigadirView, back_url, fail, period_from_request
from admin.forms import MoneyField
from core.access import can_see_money_of
from core.base.clock import from_local
from core.base.errors import BrigadirError
from core.base.money import format_money
from core.money import cash
from core.money.models import Account, ExpenseCategory
from core.people.models import Employee

__all__ = ["CashView"]

OPERATIONS = {
    "expense": "Расход (со своей кассы)",
    "handover": "Сдать деньги в основную кассу",
    "advance": "Выдать под отчёт",
    "income": "Приход в основную кассу",
    "outcome": "Расход из основной кассы",
}


# What was done, as the confirmation says it (the menu's entries are what to do).
DONE = {
    "expense": "Расход записан",
    "handover": "Сдано в основную кассу",
    "advance": "Выдано под отчёт",
    "income": "Приход в основную кассу записан",
    "outcome": "Расход из основной кассы записан",
}


class MovementForm(AdminForm):
    operation = SelectField("Операция", choices=list(OPERATIONS.items()))
    amount = MoneyField("Сумма, ₽", allow_zero=False)
    employee = SelectField(
        "Сотрудник", coerce=lambda v: int(v) if v else None, validate_choice=False
    )
    category = SelectField("Статья", validate_choice=False)
    note = StringField("Комментарий", validators=[Length(max=1000)])


def _visible_accounts(actor) -> list[Account]:
    """Desks this person may see; an employee's desk that money never passed through is
    left out (it would be a row of zeros), except the person's own."""
    cash.main_account()
    accounts = []
    query = Account.select(Account, Employee).join(Employee, pw.JOIN.LEFT_OUTER)
    for account in query.order_by(Account.kind.desc(), Account.name):
        if account.kind == "main" and actor.is_director:
            accounts.append(account)
        elif account.employee_id and can_see_money_of(actor, account.employee_id):
            accounts.append(account)
    used = cash.held_cash([a.id for a in accounts if a.kind != "main"])
    accounts = [
        a
        for a in accounts
        if a.kind == "main" or a.id in used or a.employee_id == actor.employee_id
    ]
    if (
        not actor.is_director
        and actor.employee_id
        and not any(a.employee_id == actor.employee_id for a in accounts)
    ):
        accounts.append(cash.account_of(actor.employee_id))
    return accounts


class CashView(BrigadirView):
    roles = ("manager", "executor")

    @expose("/")
    def index(self):
        actor = current_actor()
        accounts = _visible_accounts(actor)
        try:
            chosen = int(request.args.get("account", accounts[0].id if accounts else 0))
        except ValueError:
            abort(404)
        account = next((a for a in accounts if a.id == chosen), None)
        if account is None:
            abort(404)  # someone else's desk looks like no desk
        start, end = period_from_request()
        lo = from_local(datetime.combine(start, datetime.min.time()))
        hi = from_local(datetime.combine(end + timedelta(days=1), datetime.min.time()))
        rows = cash.desk_lines(actor, account, lo, hi)
        by_category = cash.spending_by_category(actor, lo, hi, account)
        balances = [(a, cash.balance(a)) for a in accounts]
        # Whose desk each movement touches: an advance row says to whom it was issued.
        holders = dict(
            Account.select(Account.id, Employee.name)
            .join(Employee)
            .where(Account.id.in_({m.to_account_id for m in rows if m.kind == "advance"} or {0}))
            .tuples()
        )
        summary = cash.employee_summary(actor, account.employee_id) if account.employee_id else None
        form = MovementForm(formdata=None)
        self._choices(form, actor)
        return self.render(
            "brigadir/cash.html", account=account, balances=balances, rows=rows, by_category=by_category,
            summary=summary, form=form, start=start, end=end, money=format_money, kinds=cash.KIND_NAMES,
            holders=holders,
        )  # fmt: skip

    def _choices(self, form, actor):
        ops = ["expense", "handover"] + (
            ["advance", "income", "outcome"] if actor.is_director else []
        )
        form.operation.choices = [(k, OPERATIONS[k]) for k in ops]
        people = (
            Employee.select().where(Employee.active & ~Employee.is_external).order_by(Employee.name)
        )
        if not actor.is_director:
            people = people.where(Employee.id == actor.employee_id)
        form.employee.choices = [(e.id, e.name) for e in people]
        form.employee.data = form.employee.data or actor.employee_id
        form.category.choices = [("", "—")] + [
            (c.name, c.name)
            for c in ExpenseCategory.select()
            .where(ExpenseCategory.active)
            .order_by(ExpenseCategory.position)
        ]

    @expose("/add/", methods=["POST"])
    def add_view(self):
        actor = current_actor()
        form = MovementForm()
        self._choices(form, actor)
        if not form.validate():
            for errors in form.errors.values():
                for error in errors:
                    flash(str(error), "error")
            return redirect(back_url(url_for("cash.index")))
        op, amount, who, note = (
            form.operation.data,
            form.amount.data,
            form.employee.data,
            form.note.data or "",
        )
        try:
            if op == "expense":
                if not form.category.data:
                    flash("Выберите статью расхода.", "error")
                    return redirect(back_url(url_for("cash.index")))
                cash.log_expense(actor, amount, form.category.data, note, employee_id=who)
            elif op == "handover":
                cash.hand_over(actor, amount, employee_id=who, note=note)
            elif op == "advance":
                cash.issue_advance(actor, who, amount, note)
            elif op in ("income", "outcome"):
                cash.record_main(actor, op, amount, note, category=form.category.data or None)
            else:
                abort(400)
            person = Employee.get_or_none(Employee.id == who) if who else None
            whom = (
                f" — {person.name}"
                if person is not None and op in ("advance", "handover", "expense")
                else ""
            )
            flash(f"{DONE[op]}: {format_money(amount)}{whom}.", "success")
        except BrigadirError as exc:
            fail(exc)
        return redirect(back_url(url_for("cash.index")))
