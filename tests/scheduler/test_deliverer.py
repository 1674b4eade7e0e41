from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from core import delivery, outbox
from core.clock import utcnow
from core.config import Config, NotifySection
from core.interfaces import DeliveryError
from core.models import Client, DeliveryAttempt, Message, MessengerLink, Notification, Task
from scheduler.deliverer import Deliverer
from scheduler.ratelimit import RateLimiter
from tests.fakes.channels import FakeSender

FAST = Config(
    notify=NotifySection(
        telegram_per_second=1000,
        viber_per_second=1000,
        email_per_second=1000,
        retry_base_seconds=60,
    )
)


def _deliverer(*senders, config=FAST, **kw):
    # No pacing unless a test is about pacing: the fake sleep does not move the clock.
    kw.setdefault("limiter", RateLimiter({}))
    return Deliverer({s.channel: s for s in senders}, config, sleep=lambda s: None, **kw)


def _note(client, order=None, text="Ваш заказ готов", key="k1", **kw):
    return outbox.notify_client(client, text, key=key, order=order, **kw)


def _clear_outbox():
    Notification.delete().execute()


def test_it_sends_by_the_first_channel_and_threads_the_message(client_tg):
    client, order = client_tg
    _clear_outbox()
    note = _note(client, order)
    tg, sms = FakeSender("telegram"), FakeSender("sms")

    stats = _deliverer(tg, sms).run_once()

    note = Notification.get_by_id(note.id)
    assert (stats.sent, note.status, note.sent_channel, note.external_id) == (
        1,
        "sent",
        "telegram",
        "telegram-1",
    )
    assert [m.address for m in tg.sent] == ["5001"] and sms.sent == []
    assert tg.sent[0].idempotency_key == "k1"
    thread = Message.get(Message.notification == note.id)
    assert (thread.order_id, thread.channel, thread.external_id) == (
        order.id,
        "telegram",
        "telegram-1",
    )
    assert [(a.channel, a.ok) for a in DeliveryAttempt.select()] == [("telegram", True)]


def test_a_blocked_bot_falls_back_to_sms_and_marks_the_link(client_tg):
    client, order = client_tg
    _clear_outbox()
    note = _note(client, order)
    tg = FakeSender(
        "telegram", DeliveryError("Forbidden: bot was blocked by the user", permanent=True)
    )
    sms = FakeSender("sms")
    d = _deliverer(tg, sms)

    d.run_once()
    d.run_once()

    note = Notification.get_by_id(note.id)
    assert (note.status, note.sent_channel, note.failed_channels) == ("sent", "sms", ["telegram"])
    assert [m.address for m in sms.sent] == ["+79123456789"]
    assert MessengerLink.get(MessengerLink.client == client.id).blocked
    attempts = [(a.channel, a.ok) for a in DeliveryAttempt.select().order_by(DeliveryAttempt.id)]
    assert attempts == [("telegram", False), ("sms", True)]
    # the next message does not even try Telegram
    _note(client, order, key="k2")
    d.run_once()
    assert len(tg.tries) == 1 and len(sms.sent) == 2


def test_transient_errors_back_off_exponentially_then_fall_back(client_tg):
    client, order = client_tg
    _clear_outbox()
    note = _note(client, order)
    config = replace(FAST, notify=replace(FAST.notify, max_attempts=3))
    tg = FakeSender("telegram", *[DeliveryError("HTTP 500")] * 3)
    sms = FakeSender("sms")
    d = _deliverer(tg, sms, config=config)

    delays = []
    for _ in range(3):
        before = utcnow()
        d.run_once()
        row = Notification.get_by_id(note.id)
        delays.append(round((row.next_attempt_at - before).total_seconds()))
        Notification.update(next_attempt_at=utcnow()).where(Notification.id == note.id).execute()
    d.run_once()

    assert delays[:2] == [60, 120]  # the third failure used up max_attempts: next channel now
    row = Notification.get_by_id(note.id)
    assert (row.status, row.sent_channel, row.failed_channels) == ("sent", "sms", ["telegram"])
    assert not MessengerLink.get(MessengerLink.client == client.id).blocked  # 500s do not block
    assert DeliveryAttempt.select().count() == 4


def test_retry_after_pauses_the_channel_without_counting_an_attempt(client_tg):
    client, order = client_tg
    _clear_outbox()
    note = _note(client, order)
    tg = FakeSender("telegram", DeliveryError("Too Many Requests", retry_after=7))
    d = _deliverer(tg)

    d.run_once()

    row = Notification.get_by_id(note.id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert 6 <= (row.next_attempt_at - utcnow()).total_seconds() <= 7.5
    assert d.limiter.delay("telegram", "another-chat") > 5  # the whole sender waits


def test_a_client_with_no_channel_fails_and_the_manager_is_told(actors, staff):
    from core import clients, orders
    from core.money import rubles

    client = clients.create_client(actors["manager"], "Без Связи", "+7 912 000-11-22")
    Client.update(phone=None).where(Client.id == client.id).execute()
    order = orders.create_order(actors["manager"], client.id, "Визитки", rubles(500))
    _clear_outbox()
    note = _note(Client.get_by_id(client.id), order)
    staff_tg = FakeSender("telegram")
    MessengerLink.create(channel="telegram", external_id="777", employee=staff["manager"])

    d = _deliverer(staff_tg)
    d.run_once()
    d.run_once()

    assert Notification.get_by_id(note.id).status == "failed"
    task = Task.get(Task.kind == "call_client")
    assert task.assignee_id == staff["manager"].id and "позвоните" in task.title
    assert [m.address for m in staff_tg.sent] == ["777"]
    assert "не дойти" in staff_tg.sent[0].text


def test_a_claimed_row_is_not_claimed_twice_and_a_stale_claim_is_recovered(client_tg):
    client, order = client_tg
    _clear_outbox()
    note = _note(client, order)
    assert delivery.claim(note.id, "a")
    assert not delivery.claim(note.id, "b")
    assert delivery.reclaim_stale(300) == 0
    Notification.update(claimed_at=utcnow() - timedelta(seconds=301)).execute()
    assert delivery.reclaim_stale(300) == 1
    assert delivery.claim(note.id, "b")
    # a's late outcome does not overwrite b's claim
    verdict = delivery.Verdict("sent", 1, utcnow())
    assert not delivery.finish(Notification.get_by_id(note.id), "a", None, verdict)


def test_backoff_is_capped():
    assert delivery.backoff(1, base=60, cap=3600) == timedelta(seconds=60)
    assert delivery.backoff(4, base=60, cap=3600) == timedelta(seconds=480)
    assert delivery.backoff(30, base=60, cap=3600) == timedelta(seconds=3600)


def test_pacing_spaces_sends_per_channel_and_per_chat():
    clock = [100.0]
    limiter = RateLimiter({"telegram": 20}, {"telegram": 1.0}, clock=lambda: clock[0])
    limiter.sent("telegram", "a", at=100.0)
    assert abs(limiter.delay("telegram", "b") - 0.05) < 1e-9  # 20/s for the bot
    assert abs(limiter.delay("telegram", "a") - 1.0) < 1e-9  # 1/s for one chat
    clock[0] = 101.0
    assert limiter.delay("telegram", "a") == 0
    limiter.pause("telegram", 30)
    assert limiter.delay("telegram", "c") == 30
    assert limiter.delay("sms", "c") == 0


def test_over_http_a_telegram_block_falls_back_to_an_sms_gateway(client_tg):
    from bots.sms.transport import SmsRuSender
    from tests.fakes.http import FakeHTTPServer, Reply
    from tests.fakes.telegram_like import CountingTelegram, TelegramLikeSender

    client, order = client_tg
    _clear_outbox()
    note = _note(client, order)
    ok = {
        "status": "OK",
        "status_code": 100,
        "sms": {"79123456789": {"status": "OK", "status_code": 100, "sms_id": "s-1"}},
    }
    with CountingTelegram() as tg, FakeHTTPServer(lambda r: Reply(200, ok)) as gateway:
        tg.blocked.add("5001")
        d = _deliverer(TelegramLikeSender(tg.url), SmsRuSender("K", base_url=gateway.url))
        d.run_once()
        d.run_once()
    note = Notification.get_by_id(note.id)
    assert (note.status, note.sent_channel, note.external_id) == ("sent", "sms", "s-1")
    assert MessengerLink.get(MessengerLink.client == client.id).blocked
    assert "blocked by the user" in DeliveryAttempt.get(DeliveryAttempt.channel == "telegram").error
