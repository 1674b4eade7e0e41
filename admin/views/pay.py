"""Зарплата: the month's sheet, a person's card (payslip, rules, absences), the Excel
export, the payslip PDF and the sheet as JSON. Every page reads pay through core.pay.payroll
with the person of the request; core.access.can_see_pay decides, the pages only show."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, jsonify, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import BrigadirView, fail
from admin.formatting import month_name, recent_months
from core.access import can_see_pay
from core.base.clock import local_today
from core.base.errors import AccessDenied, BrigadirError, NotFound, ValidationError
from core.base.money import format_money, parse_money
from core.orders.models import Pipeline, Stage
from core.pay import papers, payroll, rules
from core.pay.months import month_of
from core.people.models import ROLE_NAMES, Employee

__all__ = ["PayView"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period() -> str:
    period = request.args.get("period") or request.form.get("period") or ""
    try:
        return month_of(period or None).period
    except ValidationError:
        abort(404)


def _months(period: str) -> list[tuple[str, str]]:
    months = recent_months(local_today(), ahead=0)
    if period not in dict(months):
        months.append((period, month_name(period)))
    return months


def _employee_id() -> int:
    try:
        return int(request.args.get("employee") or request.form.get("employee") or "")
    except ValueError:
        abort(404)


def _sheet(period: str) -> payroll.Sheet:
    try:
        return payroll.sheet(current_actor(), period)
    except AccessDenied:
        abort(403)


def _line(employee_id: int, period: str):
    try:
        return payroll.line_of(current_actor(), employee_id, period)
    except (NotFound, AccessDenied):
        abort(404)


class PayView(BrigadirView):
    roles = ("manager", "executor")

    def is_visible(self) -> bool:
        """In the menu for whoever may see some pay (core.access.can_see_pay)."""
        if not self.is_accessible():
            return False
        actor = current_actor()
        return actor.is_director or can_see_pay(actor, actor.employee_id or 0)

    @expose("/")
    def index(self):
        period = _period()
        sheet = _sheet(period)
        people, director = [], current_actor().is_director
        if director and sheet.closed is None:
            people = Employee.select().where(Employee.active).order_by(Employee.name)
        return self.render("brigadir/pay.html", sheet=sheet, period=period, months=_months(period),
                           money=format_money, roles=ROLE_NAMES, people=people, director=director,
                           rub=lambda k: format_money(k, currency=False))  # fmt: skip

    @expose("/card/")
    def card_view(self):
        period, employee_id = _period(), _employee_id()
        line = _line(employee_id, period)
        sheet = _sheet(period)
        actor = current_actor()
        director, month = actor.is_director, month_of(period)
        try:
            person_rules = rules.rules_of(actor, employee_id)
            absences = rules.absence_notes(actor, employee_id, month)
        except NotFound:
            abort(404)
        return self.render(
            "brigadir/pay_card.html", sheet=sheet, line=line, period=period, money=format_money,
            parts=[papers.part_rows(p) for p in line.parts], director=director,
            rules=person_rules, stages=_stages() if director else [],
            absences=absences, month=month, percent=papers.percent_text, bases=rules.BASES,
            scopes=rules.SCOPES, today=local_today(), rub=lambda k: format_money(k, currency=False),
        )  # fmt: skip

    @expose("/export/")
    def export_view(self):
        period = _period()
        data = papers.sheet_xlsx(_sheet(period))
        name = f"zarplata-{period}.xlsx"
        return Response(data, mimetype=XLSX,
                        headers={"Content-Disposition": f"attachment; filename={name}"})  # fmt: skip

    @expose("/payslip/")
    def payslip_view(self):
        period, employee_id = _period(), _employee_id()
        line = _line(employee_id, period)
        data = papers.payslip_pdf(_sheet(period), line)
        name = f"listok-{period}-{employee_id}.pdf"
        return Response(data, mimetype="application/pdf",
                        headers={"Content-Disposition": f"inline; filename={name}"})  # fmt: skip

    @expose("/json/")
    def json_view(self):
        sheet = _sheet(_period())
        names = [name for name, _header in papers.COLUMNS]
        return jsonify({
            "period": sheet.month.period, "closed": sheet.closed is not None,
            "lines": [{"employee_id": ln.employee_id, **{n: getattr(ln, n) for n in names}}
                      for ln in sheet.lines],
        })  # fmt: skip

    # --- the director's actions (core refuses anyone else) -----------------------------
    def _done(self, period: str, employee_id: int | None = None):
        if employee_id:
            return redirect(url_for("pay.card_view", period=period, employee=employee_id))
        return redirect(url_for("pay.index", period=period))

    @expose("/close/", methods=["POST"])
    def close_view(self):
        period = _period()
        try:
            payroll.close_month(current_actor(), period)
            flash(f"Месяц {month_name(period)} закрыт: суммы зафиксированы.", "success")
        except BrigadirError as exc:
            fail(exc)
        return self._done(period)

    @expose("/pay/", methods=["POST"])
    def pay_view(self):
        period = _period()
        who = request.form.get("employee")
        try:
            made = payroll.pay_month(current_actor(), period, [int(who)] if who else None)
            total = sum(p.movement.amount for p in made)
            flash(f"Выплачено из основной кассы: {format_money(total)} ({len(made)} чел.)."
                  if made else "Выплачивать нечего: всё уже выдано.", "success")  # fmt: skip
        except BrigadirError as exc:
            fail(exc)
        except ValueError:
            abort(404)
        return self._done(period, int(who) if who and who.isdigit() else None)

    @expose("/advance/", methods=["POST"])
    def advance_view(self):
        period, employee_id = _period(), _employee_id()
        try:
            amount = parse_money(request.form.get("amount", ""))
            payroll.give_advance(current_actor(), employee_id, amount, period,
                                 request.form.get("note", ""))  # fmt: skip
            flash(f"Аванс выдан из основной кассы: {format_money(amount)}.", "success")
        except BrigadirError as exc:
            fail(exc)
        return redirect(request.form.get("back") == "card" and url_for(
            "pay.card_view", period=period, employee=employee_id) or url_for("pay.index", period=period))  # fmt: skip

    @expose("/rule/", methods=["POST"])
    def rule_view(self):
        period, employee_id = _period(), _employee_id()
        form = request.form
        try:
            rates = {s.id: parse_money(form.get(f"rate_{s.id}") or "0", allow_zero=True)
                     for s in _stages()}  # fmt: skip
            rules.set_rule(
                current_actor(), employee_id, _date(form.get("valid_from")),
                salary=parse_money(form.get("salary") or "0", allow_zero=True),
                percent=rules.parse_percent(form.get("percent")),
                percent_base=form.get("percent_base", "cost"), scope=form.get("scope", "did"),
                rates=rates, note=form.get("note", ""),
            )  # fmt: skip
            flash("Условия оплаты записаны.", "success")
        except BrigadirError as exc:
            fail(exc)
        return self._done(period, employee_id)

    @expose("/absence/", methods=["POST"])
    def absence_view(self):
        period, employee_id = _period(), _employee_id()
        try:
            day = _date(request.form.get("day"))
            until = (request.form.get("until") or "").strip()
            if request.form.get("remove"):
                rules.unmark_absent(current_actor(), employee_id, day)
            elif until and until != day.isoformat():  # a run of days: a leave, a sick leave
                added = rules.mark_absent_days(current_actor(), employee_id, day, _date(until),
                                               request.form.get("note", ""))  # fmt: skip
                flash(f"Отмечено дней отсутствия: {added}.", "success")
            else:
                rules.mark_absent(current_actor(), employee_id, day, request.form.get("note", ""))
        except BrigadirError as exc:
            fail(exc)
        return self._done(period, employee_id)


def _date(text: str | None) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationError("Укажите дату.") from None


def _stages() -> list[Stage]:
    return list(Stage.select(Stage, Pipeline).join(Pipeline).order_by(Pipeline.id, Stage.position))
