"""Pay: the month's sheet of a firm with a year of closed months behind it (the open
month's corrections recompute each closed month), closing a month, a payslip PDF and the
Excel export — on the demo firm of both presets (BENCH_PAY_ORDERS orders over two years,
20 000 by default: several times a small firm's). Baseline: the one SQL the month's stage
moves need, without rules, crediting or the ORM."""

from __future__ import annotations

import os
from datetime import date

from bench.common import backends, fresh_database, load, row, timings
from cli.demo import generate
from core.access import SYSTEM
from core.base.clock import local_today
from core.base.db import database
from core.orders.models import Stage
from core.pay import papers, payroll, rules
from core.pay.months import month_of
from core.pay.sheet import compute
from core.people.models import Employee


def _rules() -> None:
    start = date(local_today().year - 3, 1, 1)
    stages = {s.code: s.id for s in Stage.select()}
    for person in Employee.select():
        if person.role == "manager":
            rules.set_rule(SYSTEM, person.id, start, salary=4_000_000, percent=300,
                           percent_base="margin", scope="answered")  # fmt: skip
        elif person.crew_id:
            rates = {stages["mounting"]: 250_000, stages["completed"]: 150_000}
            rules.set_rule(SYSTEM, person.id, start, rates=rates)
        elif not person.is_external:
            rules.set_rule(SYSTEM, person.id, start, salary=3_500_000, percent=500)


def _measure(orders: int) -> None:
    this = month_of()
    year = [this.previous]
    while len(year) < 12:
        year.append(year[-1].previous)
    for month in reversed(year):
        payroll.close_month(SYSTEM, month.period)
    last = this.previous
    one = timings(lambda i: compute(last), 10, warmup=1)
    start, end = last.bounds()
    sql = (
        "SELECT order_id, from_stage_id, to_stage_id, at FROM stage_move "
        "WHERE at >= ? AND at < ? ORDER BY at, id"
    ).replace("?", database.obj.param)
    base = timings(lambda i: database.execute_sql(sql, (start, end)).fetchall(), 10, warmup=1)
    row(f"one month computed ({orders} orders in two years)", one, base)
    row("this month's sheet, 12 closed months behind", timings(lambda i: payroll.sheet(SYSTEM, this), 5, warmup=1),
        target="< 2 s")  # fmt: skip
    cold = timings(lambda i: payroll.recompute(this, fresh=True), 3, warmup=0)
    row("  the same counted afresh (a change, or closing)", cold)
    row("a closed month's sheet (frozen lines)", timings(lambda i: payroll.sheet(SYSTEM, last), 20))
    sheet = payroll.sheet(SYSTEM, last)
    line = max(sheet.lines, key=lambda ln: len(ln.parts))
    row("payslip PDF", timings(lambda i: papers.payslip_pdf(sheet, line), 20), target="< 150 ms")
    row("the month's Excel export", timings(lambda i: papers.sheet_xlsx(sheet), 20))


def main() -> None:
    orders = int(os.environ.get("BENCH_PAY_ORDERS", "20000"))
    print(load(), flush=True)
    for kind in backends():
        print(f"[{kind}] {orders} orders", flush=True)
        with fresh_database(kind):
            generate(orders // 10, orders, seed=27)
            _rules()
            _measure(orders)


if __name__ == "__main__":
    main()
