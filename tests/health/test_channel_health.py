"""Channel health: a channel that fails for everyone is marked failing once (the director is
told once), new messages skip it at once, the dashboard shows it in Russian with the last
error, and the periodic check sees it come back (the director is told once again)."""

from __future__ import annotations

import threading

from bots.telegram.transport import TelegramSender
from core.base.config import Config, NotifySection, TelegramSection
from core.base.interfaces import DeliveryError
from core.channels import health
from core.channels.models import ChannelState
from core.conversations import outbox
from core.conversations.models import Notification
from scheduler.deliverer import Deliverer
from scheduler.health import check_channels
from scheduler.ratelimit import RateLimiter
from tests.fakes.channels import FakeSender
from tests.fakes.outages import refused_url
from tests.fakes.telegram import FakeTelegram


def _config(api_base: str) -> Config:
    return Config(
        telegram=TelegramSection(token="1:T", api_base=api_base),
        notify=NotifySection(platform_timeout=2.0, fallback=("telegram", "sms", "email")),
    )


def _deliverer(config, *senders):
    return Deliverer({s.channel: s for s in senders}, config, limiter=RateLimiter({}),
                     sleep=lambda s: None)  # fmt: skip


def _director_notes(staff) -> list[str]:
    return [n.text for n in Notification.select().where(
        (Notification.employee == staff["director"].id) & Notification.idempotency_key.startswith("channel:")
    ).order_by(Notification.id)]  # fmt: skip


def test_a_refused_telegram_fails_once_and_the_messages_go_by_sms_at_once(client_tg, staff):
    client, order = client_tg
    Notification.delete().execute()
    config = _config(refused_url())
    sms = FakeSender("sms")
    telegram = TelegramSender(config)
    for n in range(3):
        outbox.notify_client(client, f"Заказ готов {n}", key=f"k{n}", order=order)

    _deliverer(config, telegram, sms).run_once()

    notes = list(Notification.select().where(Notification.audience == "client"))
    assert [(n.status, n.sent_channel) for n in notes] == [("sent", "sms")] * 3
    tried = [a.channel for n in notes for a in n.tries]
    assert tried.count("telegram") == 1  # the first one found it down; the others skipped it
    state = ChannelState.get(ChannelState.channel == "telegram")
    assert state.state == "failing" and "не принимает соединения" in state.last_error
    (told,) = _director_notes(staff)
    assert told.startswith("Telegram не работает: Telegram: сервер не принимает соединения")


def test_a_person_who_blocked_the_bot_is_not_a_failing_channel(client_tg, staff):
    client, order = client_tg
    Notification.delete().execute()
    config = _config("http://unused")
    tg = FakeSender("telegram", DeliveryError("Forbidden: bot was blocked by the user",
                                              permanent=True))  # fmt: skip
    outbox.notify_client(client, "Готово", key="b1", order=order)
    _deliverer(config, tg, FakeSender("sms")).run_once()
    assert health.down() == set() and _director_notes(staff) == []


def test_soft_failures_need_two_in_a_row_and_a_success_resets_them(db, staff):
    assert health.record_failure("vk", "ВКонтакте: сервер ответил ошибкой 502", "server") == "ok"
    assert health.record_ok("vk", 0.1) == "ok"
    assert health.record_failure("vk", "ВКонтакте: сервер ответил ошибкой 502", "server") == "ok"
    assert (
        health.record_failure("vk", "ВКонтакте: сервер ответил ошибкой 503", "server") == "failing"
    )
    assert health.down() == {"vk"} and len(_director_notes(staff)) == 1


def test_slow_answers_make_a_channel_slow_not_failing(db, staff):
    for _ in range(3):
        state = health.record_ok("telegram", 9.0)
    assert state == "slow" and health.down() == set() and _director_notes(staff) == []
    (line,) = [h for h in health.board({"telegram"}) if h.channel == "telegram"]
    assert line.state_name == "медленно"


def test_many_processes_reporting_at_once_tell_the_director_once(db, staff):
    start = threading.Barrier(8)
    errors = []

    def report():
        try:
            start.wait(5)
            health.record_failure("max", "MAX: сервер не ответил вовремя", "timeout")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=report) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(_director_notes(staff)) == 1
    recovered = threading.Barrier(8)

    def back():
        recovered.wait(5)
        health.record_ok("max", 0.2)

    threads = [threading.Thread(target=back) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    notes = _director_notes(staff)
    assert len(notes) == 2 and notes[1].startswith("MAX снова работает")


def test_the_check_sees_telegram_come_back_and_messages_use_it_again(client_tg, staff):
    client, order = client_tg
    Notification.delete().execute()
    fake = FakeTelegram().start_in_thread()
    try:
        down = _config(refused_url())
        assert check_channels({"telegram": TelegramSender(down)}) == {"telegram": False}
        assert health.down() == {"telegram"}
        assert check_channels({"telegram": TelegramSender(down)}) == {"telegram": False}
        assert len(_director_notes(staff)) == 1  # told once, however often it is checked

        up = _config(fake.base)
        assert check_channels({"telegram": TelegramSender(up)}) == {"telegram": True}
        assert health.down() == set()
        notes = _director_notes(staff)
        assert len(notes) == 2 and notes[1].startswith("Telegram снова работает")

        outbox.notify_client(client, "Заказ готов", key="again", order=order)
        _deliverer(up, TelegramSender(up), FakeSender("sms")).run_once()
        note = Notification.get(Notification.idempotency_key == "again")
        assert note.sent_channel == "telegram" and fake.texts()[-1] == "Заказ готов"
    finally:
        fake.stop_thread()


def test_the_dashboard_shows_each_channel_in_russian(client_tg, staff, tmp_path):
    from admin.app import create_app
    from tests.admin.conftest import login
    from tests.fakes.memory_store import MemoryStore

    health.record_failure("telegram", "Telegram: адрес сервера не найден (DNS)", "dns")
    config = Config(telegram=TelegramSection(token="1:T", mode="webhook"))
    app = create_app(config, file_store=MemoryStore(), testing=True)
    page = login(app, "director").get("/admin/").get_data(as_text=True)
    assert "Каналы связи" in page
    assert 'Telegram</strong> — <span class="text-danger">не работает' in page
    assert "адрес сервера не найден (DNS)" in page
    assert 'MAX</strong> — <span class="text-muted">не настроен' in page
    manager = login(app, "manager").get("/admin/").get_data(as_text=True)
    assert "Каналы связи" not in manager  # the director's table
