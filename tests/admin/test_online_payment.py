"""Online payment through the real `yookassa` SDK against a fake YooKassa on 127.0.0.1:
an idempotence key per payment, the client sent to the confirmation page, the result taken
only from a notification that comes from YooKassa's addresses and agrees with the API;
recorded once; forged, replayed and mismatched notifications write nothing; 54-ФЗ receipt
data when turned on; refunds from the admin."""

from __future__ import annotations

import dataclasses
import threading

import pytest
import requests
from werkzeug.serving import make_server

from core.base.config import Config, YookassaSection
from core.conversations.models import Notification
from core.money.models import OnlinePayment, Payment
from core.orders.models import Order
from tests.admin.conftest import login
from tests.admin.test_portal import sign_in
from tests.fakes.yookassa import YOOKASSA_IP, FakeYooKassa


@pytest.fixture
def fake():
    with FakeYooKassa() as server:
        yield server


def make_app(tmp_path, store, fake, **yk):
    from admin.app import create_app

    config = Config()
    section = YookassaSection(shop_id=fake.shop_id, shop_secret=fake.secret, api_url=fake.api_url,
                              trusted_proxies=("127.0.0.1",), **yk)  # fmt: skip
    config = dataclasses.replace(
        config,
        app=dataclasses.replace(config.app, data_dir=str(tmp_path), secret_key="test-secret"),
        yookassa=section,
    )
    return create_app(config, file_store=store, testing=True)


@pytest.fixture
def pay_app(db, staff, store, tmp_path, fake):
    from core.base.security import hash_password
    from core.people.models import Employee
    from tests.admin.conftest import LOGINS, PASSWORDS

    for key in ("executor", "executor2"):
        Employee.update(login=LOGINS[key], password_hash=hash_password(PASSWORDS[key])).where(
            Employee.id == staff[key].id
        ).execute()
    return make_app(tmp_path, store, fake)


def start(app, world, fake) -> tuple[str, OnlinePayment]:
    portal = sign_in(app, world["c1"])
    resp = portal.post(f"/my/orders/{world['own'].id}/pay")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    row = OnlinePayment.get()
    assert resp.headers["Location"] == f"{fake.url}/checkout/{row.external_id}"
    return row.external_id, row


def notify(app, body, *, peer="127.0.0.1", forwarded=YOOKASSA_IP):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return app.test_client().post(
        "/yookassa/notify", json=body, headers=headers, environ_base={"REMOTE_ADDR": peer}
    )


def test_payment_is_created_once_per_key_and_the_client_is_sent_to_pay(pay_app, world, fake):
    pid, row = start(pay_app, world, fake)
    create = [r for r in fake.requests if r.path == "/v3/payments" and r.method == "POST"]
    assert len(create) == 1 and create[0].headers["Idempotence-Key"] == row.idempotence_key
    body = create[0].json()
    assert body["amount"] == {"value": "3000.00", "currency": "RUB"}
    assert body["metadata"]["order_id"] == str(world["own"].id)  # the SDK adds its cms_name
    assert body["metadata"]["online_payment"] == str(row.id)
    assert body["confirmation"]["return_url"].endswith(f"/my/orders/{world['own'].id}/paid")
    assert "receipt" not in body  # receipts are off unless the firm turns them on
    # a second click within the half hour gets the same page, not a second charge
    portal = sign_in(pay_app, world["c1"])
    again = portal.post(f"/my/orders/{world['own'].id}/pay")
    assert again.headers["Location"].endswith(pid) and OnlinePayment.select().count() == 1
    page = portal.get(f"/my/orders/{world['own'].id}").get_data(as_text=True)
    assert "платёж обрабатывается" in page  # back from YooKassa before its notification


def test_verified_notification_records_the_payment_once(pay_app, world, fake):
    pid, row = start(pay_app, world, fake)
    fake.succeed(pid)
    first = notify(pay_app, fake.notification(pid))
    assert first.status_code == 200 and first.json["result"] == "recorded"
    replay = notify(pay_app, fake.notification(pid))
    assert replay.status_code == 200 and replay.json["result"] == "already recorded"
    order = Order.get_by_id(world["own"].id)
    assert order.debt == 0 and order.paid == 300_000
    payment = Payment.get(Payment.order == order.id)
    assert payment.method == "online" and Payment.select().count() == 1
    assert OnlinePayment.get_by_id(row.id).payment_id == payment.id
    assert Notification.select().where(Notification.text.contains("получена. Спасибо")).count() == 1
    # the API was asked each time; the posted body was never the source of truth
    assert len([r for r in fake.requests if r.path == f"/v3/payments/{pid}"]) == 2


def test_concurrent_duplicate_notifications_record_once(pay_app, world, fake):
    pid, _ = start(pay_app, world, fake)
    fake.succeed(pid)
    srv = make_server("127.0.0.1", 0, pay_app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    fake.notify_url = f"http://127.0.0.1:{srv.server_port}/yookassa/notify"
    try:
        threads = [threading.Thread(target=fake.send_notification, args=(pid,)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        srv.shutdown()
    assert [s for s, _ in fake.notified] == [200] * 6
    assert Payment.select().count() == 1 and Order.get_by_id(world["own"].id).paid == 300_000


def _nothing_written(world):
    assert Payment.select().count() == 0
    assert Order.get_by_id(world["own"].id).paid == 0
    assert OnlinePayment.select().where(OnlinePayment.status == "succeeded").count() == 0


def test_forged_success_is_not_believed(pay_app, world, fake):
    pid, _ = start(pay_app, world, fake)
    forged = fake.notification(pid)  # the API still says pending
    forged["object"].update(status="succeeded", paid=True)
    resp = notify(pay_app, forged)
    assert resp.status_code == 200 and resp.json["result"] == "pending"
    _nothing_written(world)


def test_wrong_amount_is_refused(pay_app, world, fake):
    pid, _ = start(pay_app, world, fake)
    fake.succeed(pid)
    fake.payments[pid]["amount"] = {"value": "1.00", "currency": "RUB"}
    resp = notify(pay_app, fake.notification(pid))
    assert resp.status_code == 400 and "не совпадает" in resp.json["error"]
    _nothing_written(world)


def test_someone_elses_metadata_is_refused(pay_app, world, fake):
    pid, _ = start(pay_app, world, fake)
    fake.succeed(pid)
    fake.payments[pid]["metadata"]["order_id"] = str(world["foreign"].id)
    assert notify(pay_app, fake.notification(pid)).status_code == 400
    _nothing_written(world)


def test_unknown_payment_is_refused(pay_app, world, fake):
    start(pay_app, world, fake)
    body = {"type": "notification", "event": "payment.succeeded",
            "object": {"id": "2f000000-0000-0000-0000-000000000000", "status": "succeeded",
                       "paid": True, "amount": {"value": "3000.00", "currency": "RUB"}}}  # fmt: skip
    resp = notify(pay_app, body)
    assert resp.status_code == 400 and "Неизвестный" in resp.json["error"]
    for junk in (None, {}, {"object": "x"}, {"object": {"id": 5}}):
        assert notify(pay_app, junk).status_code == 400
    _nothing_written(world)


@pytest.mark.parametrize(
    "peer,forwarded",
    [
        ("127.0.0.1", "8.8.8.8"),  # through our proxy, but not from YooKassa
        ("127.0.0.1", None),  # the proxy itself
        ("10.1.2.3", YOOKASSA_IP),  # an untrusted peer claiming a YooKassa address
    ],
)
def test_untrusted_address_is_refused_before_anything(pay_app, world, fake, peer, forwarded):
    pid, _ = start(pay_app, world, fake)
    fake.succeed(pid)
    asked = len(fake.requests)
    resp = notify(pay_app, fake.notification(pid), peer=peer, forwarded=forwarded)
    assert resp.status_code == 403
    assert len(fake.requests) == asked  # not even the API was asked
    _nothing_written(world)


def test_receipt_data_when_turned_on(db, staff, store, tmp_path, fake, world):
    app = make_app(tmp_path, store, fake, receipts=True, vat_code=4, tax_system_code=2)
    start(app, world, fake)
    body = next(r for r in fake.requests if r.path == "/v3/payments").json()
    receipt = body["receipt"]
    assert receipt["customer"] == {"phone": "79123456789"}
    assert receipt["tax_system_code"] == 2
    (item,) = receipt["items"]
    assert item["amount"] == {"value": "3000.00", "currency": "RUB"} and item["vat_code"] == 4
    assert item["description"].startswith(f"Заказ №{world['own'].number}")
    assert OnlinePayment.get().receipt["items"][0]["description"] == item["description"]


def test_refund_from_the_admin(pay_app, world, fake):
    pid, row = start(pay_app, world, fake)
    fake.succeed(pid)
    notify(pay_app, fake.notification(pid))
    director = login(pay_app, "director")
    card = director.get(f"/admin/order/card/?id={world['own'].id}").get_data(as_text=True)
    assert f"/admin/online/?order={world['own'].id}" in card  # from the order card
    page = director.get(f"/admin/online/?order={world['own'].id}").get_data(as_text=True)
    assert pid in page and "Вернуть" in page
    resp = director.post(f"/admin/online/refund/{row.id}", data={"amount": "1 000"})
    assert resp.status_code == 302
    assert fake.refunds[0]["payment_id"] == pid
    assert fake.refunds[0]["amount"] == {"value": "1000.00", "currency": "RUB"}
    order = Order.get_by_id(world["own"].id)
    assert order.paid == 200_000 and order.debt == 100_000
    too_much = director.post(f"/admin/online/refund/{row.id}", data={"amount": "5 000"})
    assert too_much.status_code == 302 and len(fake.refunds) == 1
    executor = login(pay_app, "executor")
    assert executor.post(f"/admin/online/refund/{row.id}", data={"amount": "1"}).status_code == 403
    assert len(fake.refunds) == 1


def test_fake_checkout_page_pays_and_returns(pay_app, world, fake):
    pid, _ = start(pay_app, world, fake)
    srv = make_server("127.0.0.1", 0, pay_app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    fake.notify_url = f"http://127.0.0.1:{srv.server_port}/yookassa/notify"
    try:
        resp = requests.post(f"{fake.url}/checkout/{pid}/pay", allow_redirects=False, timeout=10)
    finally:
        srv.shutdown()
    assert resp.status_code == 302 and fake.notified == [(200, pid)]
    assert Order.get_by_id(world["own"].id).debt == 0


def test_foreign_order_cannot_be_paid_and_refund_events_write_nothing(pay_app, world, fake):
    portal = sign_in(pay_app, world["c1"])
    assert portal.post(f"/my/orders/{world['foreign'].id}/pay").status_code == 404
    assert OnlinePayment.select().count() == 0 and not fake.requests
    event = {"type": "notification", "event": "refund.succeeded", "object": {"id": "x" * 36}}
    resp = notify(pay_app, event)
    assert resp.status_code == 200 and resp.json["result"] == "ignored"
    assert notify(pay_app, event, forwarded="8.8.8.8").status_code == 403


@pytest.mark.parametrize("cash", [3000, 1000], ids=["all-in-cash", "part-in-cash"])
def test_cash_on_site_beside_a_pending_online_payment(pay_app, world, fake, actors, cash):
    """Item 24: the client started paying online, the crew took cash on site, then the online
    payment came: the books keep what was owed, the portal shows the online payment to be
    returned instead of «Оплатить», and the client is told."""
    from core.base.money import rubles
    from core.money.payments import add_payment

    pid, row = start(pay_app, world, fake)
    add_payment(actors["manager"], world["own"].id, rubles(cash), method="cash")
    fake.succeed(pid)
    assert notify(pay_app, fake.notification(pid)).json["result"] == "recorded"

    order = Order.get_by_id(world["own"].id)
    assert order.paid == rubles(cash) and Payment.select().count() == 1  # the books are right
    told = Notification.select().where(
        (Notification.audience == "client") & Notification.text.contains("уже оплачен на месте")
    )
    assert told.count() == 1 and "3 000,00 ₽" in told.get().text
    page = sign_in(pay_app, world["c1"]).get(f"/my/orders/{order.id}").get_data(as_text=True)
    assert "Онлайн-оплата 3 000,00 ₽ получена" in page and "мы вернём" in page
    assert 'id="pay"' not in page  # not asked to pay a second time


def test_back_from_yookassa_the_order_is_paid_without_its_notification(pay_app, world, fake):
    """No public address: YooKassa's notification never reaches the firm. The client's return
    fetches the payment and records it (once: a late notification finds it recorded)."""
    pid, row = start(pay_app, world, fake)
    back = fake.payments[pid]["confirmation"]["return_url"]
    assert back.endswith(f"/my/orders/{world['own'].id}/paid")
    portal = sign_in(pay_app, world["c1"])
    assert portal.get(back).status_code == 302  # not paid yet: nothing recorded
    assert Order.get_by_id(world["own"].id).debt == 300_000
    fake.succeed(pid)  # paid at YooKassa; no notification sent
    resp = portal.get(back)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(
        f"/my/orders/{world['own'].id}"
    )
    assert Order.get_by_id(world["own"].id).debt == 0 and Payment.select().count() == 1
    page = portal.get(f"/my/orders/{world['own'].id}").get_data(as_text=True)
    assert "Оплата получена" in page and "платёж обрабатывается" not in page
    assert notify(pay_app, fake.notification(pid)).json["result"] == "already recorded"
    assert Payment.select().count() == 1
    foreign = back.replace(f"/orders/{world['own'].id}/", f"/orders/{world['foreign'].id}/")
    asked = len(fake.requests)
    assert portal.get(foreign).status_code == 404  # not their order
    assert len(fake.requests) == asked  # and YooKassa not even asked


def test_the_periodic_check_settles_pending_payments_no_notification_reached(pay_app, world, fake):
    from datetime import timedelta

    from core.base.clock import utcnow

    pid, row = start(pay_app, world, fake)
    job = _job(fake)
    fake.succeed(pid)
    assert job() == {}  # a fresh payment is left to its notification for two minutes
    OnlinePayment.update(created_at=utcnow() - timedelta(minutes=3)).execute()
    assert job() == {"recorded": 1}
    assert job() == {}  # succeeded: not asked again
    order = Order.get_by_id(world["own"].id)
    assert order.debt == 0 and Payment.get(Payment.order == order.id).method == "online"
    assert Notification.select().where(Notification.text.contains("получена. Спасибо")).count() == 1
    asked = [r for r in fake.requests if r.path == f"/v3/payments/{pid}"]
    assert len(asked) == 1


def test_the_periodic_check_cancels_and_leaves_the_unpaid_and_the_mismatched(pay_app, world, fake):
    from datetime import timedelta

    from core.base.clock import utcnow

    pid, row = start(pay_app, world, fake)
    OnlinePayment.update(created_at=utcnow() - timedelta(minutes=3)).execute()
    job = _job(fake)
    assert job() == {"pending": 1}  # not paid yet: stays pending, asked again next time
    fake.payments[pid]["amount"]["value"] = "1.00"  # the API disagrees with our row
    fake.payments[pid].update(status="succeeded", paid=True)
    assert job() == {"mismatch": 1} and Payment.select().count() == 0
    fake.payments[pid].update(
        status="canceled", paid=False, amount={"value": "3000.00", "currency": "RUB"}
    )
    assert job() == {"canceled": 1}
    assert OnlinePayment.get_by_id(row.id).status == "canceled" and job() == {}
    assert Order.get_by_id(world["own"].id).debt == 300_000


def _job(fake):
    from scheduler.app import PendingPayments

    section = YookassaSection(shop_id=fake.shop_id, shop_secret=fake.secret, api_url=fake.api_url)
    return PendingPayments(dataclasses.replace(Config(), yookassa=section))


def test_the_scheduler_checks_pending_payments_where_yookassa_is_set_up(db, fake):
    from scheduler.app import PendingPayments, build_scheduler

    section = YookassaSection(shop_id=fake.shop_id, shop_secret=fake.secret, api_url=fake.api_url)
    for config, expected in (
        (Config(), False),
        (dataclasses.replace(Config(), yookassa=section), True),
    ):
        scheduler = build_scheduler(config, {})
        scheduler.start(paused=True)
        jobs = {job.id: job for job in scheduler.get_jobs()}
        scheduler.shutdown(wait=False)
        assert ("check_payments" in jobs) is expected
        if expected:
            assert jobs["check_payments"].trigger.interval.total_seconds() == PendingPayments.EVERY
