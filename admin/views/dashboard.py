"""The front page: orders by stage, money per manager, expenses by category, for a period."""

from __future__ import annotations

from datetime import datetime, timedelta
from time import monotonic

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user

from admin.auth import current_actor
from admin.base import period_from_request, sees
from admin.charts import bar_chart, grouped_bars
from core import backups
from core.base import runtime
from core.base.clock import from_local
from core.base.money import format_money
from core.channels import health
from core.money import cash
from core.orders import sources, stats
from core.tasks.models import Task

__all__ = ["DashboardView"]

MONEY_FIGURES = [("revenue", "Выручка"), ("paid", "Оплачено"), ("debt", "Долг"),
                 ("average", "Средний чек")]  # fmt: skip

# Period statistics aggregate every order of the period (tens of thousands in a busy month at
# a million orders): computed at most once a minute per person and period, per process.
STATS_TTL = 60.0
_stats_cache: dict[tuple, tuple[float, object]] = {}


def _cached(key: tuple, compute):
    now = monotonic()
    hit = _stats_cache.get(key)
    if hit is not None and now - hit[0] < STATS_TTL:
        return hit[1]
    value = compute()
    if len(_stats_cache) > 500:
        _stats_cache.clear()
    _stats_cache[key] = (now, value)
    return value


def _channels(actor) -> list[health.Health]:
    """The channel table for the director: works / slow / failing / not set up."""
    if not actor.is_director:
        return []
    return health.board(health.configured_channels(runtime.config()))


def _expenses_by_category(actor, lo: datetime, hi: datetime) -> list[tuple[str, int]]:
    """The period's spending per expense category, largest first (the director's chart)."""
    return [
        (name or "Без статьи", total) for name, total in cash.spending_by_category(actor, lo, hi)
    ]


def _period_figures(actor, lo: datetime, hi: datetime) -> tuple[list, list, list, list]:
    """(managers, finished, by source, expenses) of the period, as far as the person may see
    them; each kept a minute per person (see _cached)."""
    managers, finished, by_source, expenses = [], [], [], []
    if actor.is_staff_office:
        managers = _cached(
            ("managers", actor.employee_id, lo, hi), lambda: stats.manager_stats(actor, lo, hi)
        )
        finished = _cached(
            ("finished", actor.role, lo, hi), lambda: stats.finished_by(actor, lo, hi)
        )
        by_source = _cached(("sources", actor.employee_id, lo, hi),
                            lambda: sources.orders_by_source(actor, lo, hi))  # fmt: skip
    if actor.is_director:
        expenses = _cached(("expenses", lo, hi), lambda: _expenses_by_category(actor, lo, hi))
    return managers, finished, by_source, expenses


def _open_tasks(actor) -> list[Task]:
    """The person's ten nearest open tasks (the director's: everyone's)."""
    if actor.kind != "employee":
        return []
    mine = (Task.assignee == actor.employee_id) | actor.is_director
    return list(
        Task.select()
        .where(Task.done_at.is_null() & mine)
        .order_by(Task.due_at.asc(nulls="LAST"))
        .limit(10)
    )


class DashboardView(AdminIndexView):
    def is_accessible(self):
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @expose("/")
    def index(self):
        actor = current_actor()
        start, end = period_from_request()
        lo = from_local(datetime.combine(start, datetime.min.time()))
        hi = from_local(datetime.combine(end + timedelta(days=1), datetime.min.time()))
        flows = stats.stage_counts(actor, runtime.config().app.pipeline)
        by_stage = [
            (f.pipeline, f.archived, bar_chart(f.live, title=f"Заказы по этапам: {f.pipeline}"))
            for f in flows
        ]
        managers, finished, by_source, expenses = _period_figures(actor, lo, hi)
        tasks = _open_tasks(actor)
        # Money figures follow the hidden fields (core.access): a column nobody may see is left out.
        figures = [(k, label) for k, label in MONEY_FIGURES if sees(k)]
        return self.render(
            "brigadir/dashboard.html",
            start=start, end=end, by_stage=by_stage, finished=finished,
            managers=managers, figures=figures,
            managers_chart=grouped_bars(
                [(m.manager, [getattr(m, k) for k, _ in figures if k != "average"]) for m in managers],
                [label for k, label in figures if k != "average"], fmt=format_money,
            ) if any(k != "average" for k, _ in figures) else "",
            expenses_chart=bar_chart(expenses, fmt=format_money, title="Расходы по статьям") if actor.is_director else None,
            expenses_total=sum(v for _, v in expenses), money=format_money, tasks=tasks, actor=actor,
            backup=backups.last() if actor.is_director else None, channels=_channels(actor),
            sources_chart=bar_chart(by_source, title="Откуда заказы") if by_source else None,
        )  # fmt: skip
