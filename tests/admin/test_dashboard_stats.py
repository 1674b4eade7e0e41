"""The dashboard: every pipeline in use gets its stage chart with the archive told apart;
"Кто сколько выполнил" counts finished orders and their sums, not stage moves."""

from __future__ import annotations

import re
from datetime import timedelta

from core.base import settings
from core.base.clock import utcnow
from core.base.money import format_money, rubles
from core.orders import orders, stats
from core.orders.models import Stage


def _finish(actor, order, codes):
    for code in codes:
        orders.move_order(actor, order.id, code)


def test_finished_orders_counted_once_with_their_sums(world, actors, staff):
    boss = actors["director"]
    # Иван finishes one order after many moves, one back-and-forth included.
    _finish(boss, world["mine"], ["in_work", "done", "in_work", "done", "issued", "archive"])
    # The crew's order only moves along: work, but nothing finished (not yet «Выдан»).
    _finish(boss, world["foreign"], ["in_work", "done", "in_work", "done"])
    # The subcontractor's order is finished too.
    _finish(boss, world["sub"], ["archive"])
    now = utcnow()
    rows = stats.finished_by(boss, now - timedelta(hours=1), now + timedelta(hours=1))
    by_who = {r.who: (r.orders, r.total) for r in rows}
    assert by_who == {
        "Иван Монтажников": (1, rubles(8000)),
        "ООО «Сувенир-Принт»": (1, rubles(9000)),
    }
    assert stats.finished_by(boss, now + timedelta(hours=1), now + timedelta(hours=2)) == []


def test_finished_sums_absent_when_money_is_hidden_from_the_role(world, actors):
    _finish(actors["director"], world["mine"], ["archive"])
    settings.put("hidden_fields", {"manager": ["cost"], "executor": []})
    now = utcnow()
    rows = stats.finished_by(actors["manager"], now - timedelta(hours=1), now + timedelta(hours=1))
    assert [(r.who, r.orders, r.total) for r in rows] == [("Иван Монтажников", 1, None)]


def test_dashboard_charts_every_pipeline_in_use_without_the_archive_bar(as_role, world, actors):
    from admin.views import dashboard

    dashboard._stats_cache.clear()  # figures cached a minute per process by earlier tests
    boss = actors["director"]
    big = orders.create_order(boss, world["c1"].id, "Подключение дома", rubles(30000),
                              pipeline="installation", executor_id=world["mine"].executor_id)  # fmt: skip
    orders.move_order(boss, big.id, "mounting")
    for _ in range(6):  # an archive many times the live stages
        done = orders.create_order(boss, world["c2"].id, "Старый заказ", rubles(100))
        orders.move_order(boss, done.id, "archive")
    html = as_role("director").get("/admin/").get_data(as_text=True)
    cards = re.findall(r'class="card card-section by-stage">(.*?)</div></div></div>', html, re.S)
    assert len(cards) == 2
    printing = next(c for c in cards if "Полиграфия" in c)
    assert "Архив" not in re.sub(r'<p class="small text-muted mb-0 archived">.*?</p>', "", printing)
    assert "В архиве: 6" in printing
    installation = next(c for c in cards if "Техприсоединение" in c)
    assert "Монтаж" in installation and "В архиве: 0" in installation
    finished = html[html.index('id="finished"') :]
    finished = finished[: finished.index("</table>")]
    assert "Без исполнителя</td><td>6</td>" in finished
    assert format_money(rubles(600)) in finished
    assert Stage.get(Stage.code == "archive").order_count == 6
