"""Кассовые чеки: the director sees every client payment's fiscal receipt (pending, done, not
passed), sends a failed one again, fixes a wrong one by a correction receipt, and sets up the
cloud cash register. The rules are core.money.fiscal_checks'."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import BrigadirView, fail
from core.base.errors import BrigadirError
from core.base.money import format_money, parse_money
from core.money import fiscal_checks

__all__ = ["FiscalCheckView"]

OPERATIONS = {"sell": "приход", "sell_refund": "возврат прихода", "sell_correction": "коррекция прихода",
              "sell_refund_correction": "коррекция возврата прихода"}  # fmt: skip


class FiscalCheckView(BrigadirView):
    roles = ("director",)

    @expose("/")
    def index(self):
        actor = current_actor()
        problems = request.args.get("problems") == "1"
        rows = fiscal_checks.checks_for_director(actor, problems_only=problems)
        conf = fiscal_checks.register_conf()
        return self.render(
            "brigadir/fiscal_checks.html", rows=rows, problems=problems, money=format_money,
            statuses=fiscal_checks.STATUSES, signs=fiscal_checks.SIGNS, operations=OPERATIONS,
            connected=bool(conf.get("provider")),
        )  # fmt: skip

    @expose("/retry/<int:check_id>", methods=["POST"])
    def retry(self, check_id: int):
        try:
            fiscal_checks.retry(current_actor(), check_id)
            flash("Чек поставлен в очередь: касса получит его в ближайшие секунды.", "success")
        except BrigadirError as exc:
            fail(exc)
        return redirect(url_for(".index"))

    @expose("/correct/<int:check_id>", methods=["POST"])
    def correct(self, check_id: int):
        try:
            amount = parse_money(request.form.get("amount", ""), allow_zero=True)
            fix = fiscal_checks.correct(
                current_actor(), check_id, amount, request.form.get("reason", "")
            )
            flash(f"Чек коррекции на {format_money(fix.amount)} поставлен в очередь.", "success")
        except BrigadirError as exc:
            fail(exc)
        return redirect(url_for(".index"))
