"""The mailing page: write to clients picked by debt, stage and period (core.conversations.bulk), check
how many it reaches before sending, and follow the last mailings' delivery."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from admin.base import BrigadirView, fail
from core.base.errors import BrigadirError
from core.conversations import bulk, templates

__all__ = ["MailingView"]


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


class MailingView(BrigadirView):
    roles = ("director", "manager")

    @expose("/", methods=["GET", "POST"])
    def index(self):
        from admin.views.orders.common import _stage_options

        form = request.form if request.method == "POST" else request.args
        values = {k: form.get(k, "") for k in ("text", "subject", "stage", "since", "until")}
        values["debtors"] = bool(form.get("debtors"))
        check = None
        if request.method == "POST":
            try:
                report = bulk.bulk_message(
                    current_actor(), values["text"], subject=values["subject"],
                    with_debt=values["debtors"], stage=values["stage"] or None,
                    since=_day(values["since"]), until=_day(values["until"]),
                    dry_run=request.form.get("send") != "1",
                )  # fmt: skip
            except BrigadirError as exc:
                fail(exc)
            else:
                if request.form.get("send") == "1":
                    flash(report.summary(), "success" if report.queued else "warning")
                    return redirect(url_for(".index"))
                check = report
        debt = ("остаток оплаты",) if values["debtors"] else ()
        gaps = templates.warnings(values["text"], known_filled=debt) if check else []
        return self.render(
            "brigadir/mailing.html", values=values, check=check, gaps=gaps, stages=_stage_options(),
            mailings=bulk.recent_mailings(current_actor()), default_subject=bulk.DEFAULT_SUBJECT,
        )  # fmt: skip
