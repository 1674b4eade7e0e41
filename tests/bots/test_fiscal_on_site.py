"""Issue 25 item 5 on site: cash a crew member takes from the client in the bot gets its fiscal
receipt too — a full settlement with the card advance offset, the crew member as cashier —
registered later by the register, never inside the bot's answer."""

from __future__ import annotations

from core.base.money import rubles
from core.money import fiscal_checks
from core.money.models import FiscalCheck
from tests.bots.test_collect_on_site import _visit_today
from tests.core.test_fiscal_checks import _body, _run, atol, register  # noqa: F401 - fixtures


def test_cash_on_site_gets_its_receipt(join, staff, actors, register, atol):  # noqa: F811
    visit = _visit_today(actors)  # 9 000 ₽, 2 000 ₽ paid by card in advance
    crew = join("executor")
    crew.tap(f"order:{visit.order.number}")
    crew.tap(crew.button("Получил оплату"))
    crew.say("7000")
    assert atol.requests == []  # the bot answered without asking the register
    on_site = FiscalCheck.select().order_by(FiscalCheck.id.desc()).get()
    assert (on_site.sign, on_site.amount, on_site.status) == (
        "full_payment",
        rubles(7000),
        "queued",
    )
    assert on_site.receipt["cashier"] == staff["executor"].name
    _run(register)
    body = _body(atol)
    assert body["payments"] == [{"type": 0, "sum": 7000.0}, {"type": 2, "sum": 2000.0}]
    assert body["total"] == 9000.0 and body["cashier"] == staff["executor"].name
    assert FiscalCheck.get_by_id(on_site.id).status == "done"
    assert fiscal_checks.path_of(on_site.payment, visit.order) == "register"
