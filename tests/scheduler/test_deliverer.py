from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from core.base.clock import utcnow
from core.base.config import Config, NotifySection
from core.base.interfaces import DeliveryError
from core.clients.models import Client, MessengerLink
from core.conversations import delivery, outbox
from core.conversations.models import DeliveryAttempt, Message, Notification
from core.tasks.models import Task
from scheduler.deliverer import CHAT_INTERVAL, Deliverer
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
    from core.base.money import rubles
    from core.clients import clients
    from core.orders import orders

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
    assert task.assignee_id == staff["manager"].id and "Позвонить клиенту" in task.title
    assert [m.address for m in staff_tg.sent] == ["777"]
    assert "не дошло" in staff_tg.sent[0].text
    assert "нет ни мессенджера, ни телефона, ни почты" in staff_tg.sent[0].text


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


def test_the_manager_is_told_every_channel_tried_in_russian_and_gets_one_task_per_order(
    client_tg, staff
):
    client, order = client_tg
    _clear_outbox()
    MessengerLink.create(channel="telegram", external_id="777", employee=staff["manager"])
    tg = FakeSender(
        "telegram", *[DeliveryError("Forbidden: bot was blocked by the user", permanent=True)]
    )
    sms = FakeSender("sms", *[DeliveryError("SMS.ru 207: нельзя", permanent=True)] * 2)
    email = FakeSender("email", *[DeliveryError("550 mailbox unavailable", permanent=True)] * 2)
    first = _note(client, order, text="Ваш заказ готов", key="k1")
    second = _note(client, order, text="Напоминаем: заказ ждёт вас", key="k2")
    d = _deliverer(tg, sms, email)
    for _ in range(4):
        d.run_once()

    assert {Notification.get_by_id(n.id).status for n in (first, second)} == {"failed"}
    told = [m.text for m in tg.sent if m.address == "777"]
    assert len(told) == 2
    assert "пробовали: Telegram, SMS, e-mail" in told[0]  # the order they were tried in
    assert "пробовали: SMS, e-mail" in told[1]  # Telegram was blocked by then: not tried
    assert "+79123456789" in told[0] and "не дошло" in told[0]
    tasks = Task.select().where((Task.kind == "call_client") & (Task.order == order.id))
    assert tasks.count() == 1  # one open call task per order, not one per message


def _clock():
    """A virtual clock: sleeping moves it, so pacing is tested without waiting."""
    now = [1000.0]

    def sleep(seconds):
        now[0] += max(seconds, 1e-4)

    return (lambda: now[0]), sleep


def _paced(*senders, telegram=30.0, mailing=10.0):
    clock, sleep = _clock()
    limiter = RateLimiter(
        {"telegram": telegram, "sms": 1000, "mailing": mailing},
        {"telegram": CHAT_INTERVAL},
        clock=clock,
    )
    d = Deliverer({s.channel: s for s in senders}, FAST, limiter=limiter, sleep=sleep, clock=clock)
    return d, clock


class TimedSender(FakeSender):
    """Records the virtual time of each send."""

    def __init__(self, channel, clock, *script):
        super().__init__(channel, *script)
        self.clock, self.at = clock, []

    def send(self, message):
        self.at.append((self.clock(), message.address, message.text))
        return super().send(message)


def _chat_clients(n, prefix="Чат"):
    Client.insert_many([{"name": f"{prefix} {i}"} for i in range(n)]).execute()
    ids = [c.id for c in Client.select().where(Client.name.startswith(prefix + " "))]
    MessengerLink.insert_many(
        [{"channel": "telegram", "external_id": f"c{i}", "client": c} for i, c in enumerate(ids)]
    ).execute()
    return ids


def test_a_chat_waiting_for_its_slot_does_not_hold_up_the_others(db):
    _clear_outbox()
    ids = _chat_clients(40)
    rows = [(ids[0], f"first {k}") for k in range(5)] + [(c, "hello") for c in ids[1:]]
    Notification.insert_many(
        [{"audience": "client", "client": c, "text": t, "idempotency_key": f"hol:{i}"}
         for i, (c, t) in enumerate(rows)]
    ).execute()  # fmt: skip
    d, clock = _paced(telegram=20.0)
    tg = TimedSender("telegram", clock)
    d.transports = {"telegram": tg}
    start = clock()

    d.run_once()

    assert len(tg.sent) == len(rows)
    # the 39 other chats went out at the channel's pace while chat c0 waited its turns
    others = [t for t, chat, _ in tg.at if chat != "c0"]
    assert max(others) - start < 40 / 20.0 + 0.2
    mine = [t for t, chat, _ in tg.at if chat == "c0"]
    assert [text for _, chat, text in tg.at if chat == "c0"] == [f"first {k}" for k in range(5)]
    assert min(b - a for a, b in zip(mine, mine[1:], strict=False)) >= CHAT_INTERVAL - 1e-9
    gaps = [b[0] - a[0] for a, b in zip(tg.at, tg.at[1:], strict=False)]
    assert min(gaps) >= 1 / 20.0 - 1e-9  # never above the channel's rate


def test_a_mailing_of_2000_does_not_delay_a_readiness_message_or_a_staff_task(db, staff):
    _clear_outbox()
    ids = _chat_clients(2000, prefix="Подписчик")
    Notification.insert_many(
        [{"audience": "client", "client": c, "text": "Скидки до пятницы", "kind": "mailing",
          "idempotency_key": f"mail:{c}"} for c in ids]
    ).execute()  # fmt: skip
    MessengerLink.create(channel="telegram", external_id="staff-1", employee=staff["manager"])
    d, clock = _paced(telegram=25.0, mailing=10.0)
    written = {}

    class Writer(TimedSender):
        def send(self, message):
            if len(self.at) == 100:  # mid-mailing, the web app writes two urgent messages
                written["at"] = clock()
                outbox.notify_client(Client.get_by_id(ids[-1]), "Ваш заказ готов", key="ready")
                outbox.notify_staff(staff["manager"], "Новое задание", key="task")
            return super().send(message)

    tg = Writer("telegram", clock)
    d.transports = {"telegram": tg}
    d.run_once(limit=200)

    urgent = {text: t for t, _, text in tg.at if text in ("Ваш заказ готов", "Новое задание")}
    assert set(urgent) == {"Ваш заказ готов", "Новое задание"}
    # out at the next look at the outbox, ahead of the ~1900 mailing messages still queued
    assert max(urgent.values()) - written["at"] < 1.0
    mailing = [t for t, _, text in tg.at if text.startswith("Скидки до пятницы")]  # + how to stop
    assert (len(mailing) - 1) / (mailing[-1] - mailing[0]) <= 10.0 + 1e-6  # its own pace


def test_messages_to_one_client_arrive_in_the_order_written_also_across_a_fallback(client_tg):
    client, order = client_tg
    _clear_outbox()
    _note(client, order, text="Заказ принят", key="k1")
    _note(client, order, text="Заказ готов", key="k2")
    tg = FakeSender(
        "telegram",
        DeliveryError("HTTP 502"),  # "принят" has to wait for a retry on Telegram…
        DeliveryError("HTTP 502"),
        DeliveryError("HTTP 502"),
    )
    sms = FakeSender("sms", DeliveryError("SMS-шлюз: HTTP 503"))  # …then on SMS
    config = replace(FAST, notify=replace(FAST.notify, max_attempts=3))
    d = _deliverer(tg, sms, config=config)

    for _ in range(6):
        d.run_once()
        Notification.update(next_attempt_at=utcnow()).where(
            Notification.status == "pending"
        ).execute()
    d.run_once()

    delivered = (
        DeliveryAttempt.select(DeliveryAttempt, Notification)
        .join(Notification)
        .where(DeliveryAttempt.ok)
        .order_by(DeliveryAttempt.id)
    )
    arrived = [(a.notification.text, a.channel) for a in delivered]
    # "готов" waited for "принят" though Telegram was up for it all along
    assert arrived == [("Заказ принят", "sms"), ("Заказ готов", "telegram")]
