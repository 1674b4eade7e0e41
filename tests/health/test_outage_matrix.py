"""Issue 29, choke point 4: the outside world cannot stop the product. A matrix of every
messaging platform (Telegram, MAX, ВКонтакте, Viber, SMS, SMTP) × every way it fails (no
DNS, refused, timeout, 5xx, a token it refuses) × when (at start, before it ever answered;
while running, after it delivered): the real adapter meets the failure through the same name
and port, the channel alone is marked failing with a Russian reason, the director is told
once, the client's message goes by the next channel, and the channel comes back by itself
(the periodic check) and carries messages again. A second test takes every platform down at
once at start: the admin, the portal and the web chat go on."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from core.base.clock import utcnow
from core.base.config import (
    Config,
    ImapSection,
    MaxSection,
    NotifySection,
    SmsSection,
    SmtpSection,
    TelegramSection,
    ViberSection,
    VkSection,
)
from core.channels import health
from core.channels.models import ChannelState
from core.clients.models import MessengerLink
from core.conversations import outbox
from core.conversations.models import Notification
from scheduler.deliverer import Deliverer
from scheduler.health import IDLE_SECONDS, check_channels
from scheduler.ratelimit import RateLimiter
from scheduler.transports import build_transports
from tests.fakes.channels import FakeSender
from tests.fakes.http import FakeHTTPServer, Reply
from tests.fakes.max_api import FakeMaxApi
from tests.fakes.memory_store import MemoryStore
from tests.fakes.outages import server_error
from tests.fakes.switch import ScriptedImap, ScriptedSmtp, Switch, resolving
from tests.fakes.telegram import FakeTelegram
from tests.fakes.viber_api import FakeViberApi
from tests.fakes.vk_api import FakeVkApi

PLATFORMS = ("telegram", "max", "vk", "viber", "sms", "email")
FAILURES = ("dns", "refused", "timeout", "5xx", "token")
MOMENTS = ("at_start", "while_running")
# what the director reads for each failure (core.channels.health keeps the adapter's words)
REASON = {
    "dns": "адрес сервера не найден",
    "refused": "сервер не принимает соединения",
    "timeout": "сервер не ответил вовремя",
    "5xx": "сервер ответил",
    "token": "неверный токен или ключ доступа",
}
SOFT = {"5xx"}  # a 5xx is a failure only the second time in a row (health.FAIL_AFTER)
WAIT = 1.0  # seconds a platform is given to answer


def _smsru(req):
    if req.path.endswith("/my/balance"):
        return Reply(200, {"status": "OK", "status_code": 100, "balance": 250.5})
    phone = req.form.get("to", "")
    return Reply(200, {"status": "OK", "status_code": 100, "sms": {
        phone: {"status": "OK", "status_code": 100, "sms_id": "000-1"}}})  # fmt: skip


REFUSALS = {  # each platform's own answer to a token it does not know
    "telegram": Reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"}),
    "max": Reply(401, {"code": "verify.token", "message": "Invalid access_token"}),
    "vk": Reply(200, {"error": {"error_code": 5, "error_msg": "User authorization failed"}}),
    "viber": Reply(200, {"status": 2, "status_message": "invalidAuthToken"}),
    "sms": Reply(200, {"status": "ERROR", "status_code": 200, "status_text": "Неверный api_id"}),
}


@dataclass
class Platform:
    """One platform behind its switch: the servers that play each mode, and what it got."""

    name: str
    switch: Switch
    servers: list[Any]
    delivered: Any  # () -> the texts the working platform received

    def stop(self) -> None:
        self.switch.close()
        for server in self.servers:
            if isinstance(server, FakeTelegram):
                server.stop_thread()
            elif isinstance(server, FakeHTTPServer):
                server.__exit__(None, None, None)
            else:
                server.close()


def _http(handler) -> FakeHTTPServer:
    return FakeHTTPServer(handler).__enter__()


def start_platform(name: str) -> Platform:
    if name == "email":
        ok, token, broken = ScriptedSmtp("ok"), ScriptedSmtp("token"), ScriptedSmtp("5xx")
        switch = Switch(name, {"ok": ok.port, "token": token.port, "5xx": broken.port})
        return Platform(name, switch, [ok, token, broken], lambda: [
            re.sub(r"=\r?\n", "", b.decode(errors="replace")) for b in ok.letters])  # fmt: skip
    refusal = REFUSALS[name]
    token = _http(lambda req: refusal)
    broken = server_error().__enter__()
    if name == "telegram":
        ok: Any = FakeTelegram().start_in_thread()
        port, delivered = ok.port, ok.texts
    elif name == "sms":
        ok = _http(_smsru)
        port = ok.port
        delivered = lambda: [r.form.get("msg", "") for r in ok.requests if "sms/send" in r.path]  # noqa: E731
    else:
        ok = {"max": lambda: FakeMaxApi(token="max-token"), "vk": FakeVkApi, "viber": FakeViberApi}[name]()  # fmt: skip
        ok.__enter__()
        port = ok.port
        delivered = {
            "max": lambda: [m.get("text", "") for m in ok.sent],
            "vk": lambda: [m.get("message", "") for m in ok.sent],
            "viber": lambda: [m.get("text", "") for m in ok.sent],
        }[name]
    switch = Switch(name, {"ok": port, "token": token.port, "5xx": broken.port})
    return Platform(name, switch, [ok, token, broken], delivered)


def platform_config(platforms: dict[str, Platform], fallback: tuple[str, ...]) -> Config:
    """The firm's config with each platform's address at its switch."""
    url = {name: p.switch.url for name, p in platforms.items()}
    sections: dict[str, Any] = {"notify": NotifySection(platform_timeout=WAIT, fallback=fallback)}
    if "telegram" in url:
        sections["telegram"] = TelegramSection(token="1:T", api_base=url["telegram"])
    if "max" in url:
        sections["max"] = MaxSection(token="max-token", api_base=url["max"])
    if "vk" in url:
        sections["vk"] = VkSection(token="vk-token", group_id=1, api_base=url["vk"] + "/method/")
    if "viber" in url:
        sections["viber"] = ViberSection(token="viber-token", api_base=url["viber"] + "/pa")
    if "sms" in url:
        sections["sms"] = SmsSection(provider="smsru", api_id="sms-key", url=url["sms"])
    if "email" in url:
        switch = platforms["email"].switch
        sections["smtp"] = SmtpSection(host=switch.host, port=switch.port, user="office",
                                       password="secret", sender="office@firm.test",
                                       starttls=False, timeout=int(WAIT))  # fmt: skip
    return Config(**sections)


@pytest.fixture
def reachable(client_tg):
    """The client of client_tg, reachable on every platform of the matrix."""
    client, order = client_tg
    for channel, address in (("max", "6001"), ("vk", "7001"), ("viber", "viber-user-1")):
        MessengerLink.create(channel=channel, external_id=address, client=client)
    Notification.delete().execute()
    return client, order


def _deliverer(config: Config, senders: dict) -> Deliverer:
    return Deliverer(senders, config, limiter=RateLimiter({}), sleep=lambda s: None)


def _director_told(staff) -> list[str]:
    return [n.text for n in Notification.select().where(
        (Notification.employee == staff["director"].id) & Notification.idempotency_key.startswith("channel:")
    ).order_by(Notification.id)]  # fmt: skip


def _went(key: str) -> Notification:
    return Notification.get(Notification.idempotency_key == key)


def _minutes_pass(channel: str) -> None:
    """Minutes pass: the periodic check looks again at a channel it has not heard from for a
    while, and a message put off after a failure is due again."""
    ago = utcnow() - timedelta(seconds=IDLE_SECONDS + 1)
    ChannelState.update(checked_at=ago).where(ChannelState.channel == channel).execute()
    Notification.update(next_attempt_at=utcnow()).where(Notification.status == "pending").execute()


def _state(channel: str) -> ChannelState:
    return ChannelState.get(ChannelState.channel == channel)


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("name", PLATFORMS)
def test_a_failing_platform_degrades_its_channel_only(
    monkeypatch, reachable, staff, name, failure, moment
):
    client, order = reachable
    other = "email" if name == "sms" else "sms"  # the client's next channel, a fake that works
    platform = start_platform(name)
    try:
        with resolving(monkeypatch):
            config = platform_config({name: platform}, (name, other))
            (sender,) = build_transports(config, only=(name,)).values()
            backup = FakeSender(other)
            senders = {name: sender, other: backup}

            if moment == "while_running":  # it works and carries a message first
                assert check_channels(senders) == {name: True}
                outbox.notify_client(client, "Заказ принят", key="before", order=order)
                _deliverer(config, senders).run_once()
                assert _went("before").sent_channel == name
                assert any("Заказ принят" in t for t in platform.delivered())
                outbox.notify_client(client, "Макет готов", key="during", order=order)

            platform.switch.set(failure)
            if moment == "while_running":  # the send meets the failure; the client still hears
                _deliverer(config, senders).run_once()
                if failure not in SOFT:
                    assert _went("during").sent_channel == other
            for _ in range(2 if failure in SOFT else 1):  # the periodic check (and at start)
                _minutes_pass(name)
                check_channels({name: sender})
            state = _state(name)
            assert state.state == "failing", (state.state, state.last_error)
            assert REASON[failure] in state.last_error, state.last_error
            assert not re.search(r"[A-Za-z]{4,} [a-z]{4,} [a-z]{4,}", state.last_error), (
                state.last_error
            )
            assert health.down() == {name}  # that channel only
            (told,) = _director_told(staff)
            assert told.startswith(f"{health.NAMES[name]} не работает")
            (line,) = [h for h in health.board({name, other}) if h.channel == name]
            assert line.state_name == "не работает"

            # while it is down, a new message goes by the next channel at once
            outbox.notify_client(client, "Счёт выставлен", key="down", order=order)
            _deliverer(config, senders).run_once()
            down = _went("down")
            assert down.sent_channel == other, (down.status, down.tries, down.next_attempt_at)
            assert [a.channel for a in _went("down").tries] == [other]  # not even tried

            platform.switch.set("ok")  # the platform comes back; nobody touches anything
            assert check_channels({name: sender}) == {name: True}
            assert _state(name).state == "ok" and health.down() == set()
            told = _director_told(staff)
            assert len(told) == 2 and told[1].startswith(f"{health.NAMES[name]} снова работает")
            outbox.notify_client(client, "Можно забирать", key="after", order=order)
            _deliverer(config, senders).run_once()
            assert _went("after").sent_channel == name
            assert any("Можно забирать" in t for t in platform.delivered())
    finally:
        platform.stop()


def test_every_platform_down_at_start_leaves_the_admin_portal_and_web_chat_working(
    monkeypatch, reachable, staff, actors
):
    from admin.app import create_app
    from bots.web.delivery import WebChatSender
    from core.base.money import rubles
    from core.clients.models import Client
    from core.conversations import threads
    from core.orders.orders import create_order
    from tests.admin.conftest import login
    from tests.bots.test_webchat import make_app
    from tests.fakes.memory_store import MemoryStore
    from tests.health.test_reaching_clients import HEADERS, _poll_texts

    platforms = {name: start_platform(name) for name in PLATFORMS}
    failure_of = dict(
        zip(PLATFORMS, ("dns", "refused", "timeout", "5xx", "token", "dns"), strict=True)
    )
    try:
        with resolving(monkeypatch):
            for name, platform in platforms.items():
                platform.switch.set(failure_of[name])
            config = platform_config(platforms, PLATFORMS)
            senders = build_transports(config)
            assert set(PLATFORMS) <= set(senders)
            check_channels(senders)
            _minutes_pass("viber")
            check_channels(senders)  # the 5xx one needs a second look
            assert health.down() == set(PLATFORMS)

            page = login(create_app(config, file_store=MemoryStore(), testing=True), "director")
            html = page.get("/admin/").get_data(as_text=True)
            for name in PLATFORMS:
                assert (
                    f'{health.NAMES[name]}</strong> — <span class="text-danger">не работает' in html
                )
            assert page.get("/my/login").status_code == 200  # the portal's door

            # the web chat: a visitor writes, the manager answers, the answer reaches him there
            browser = make_app(MemoryStore(), csrf=False).test_client()
            browser.post("/chat/api/send", json={"text": "Нужна вывеска"}, headers=HEADERS)
            browser.post("/chat/api/send", json={"text": "Пётр"}, headers=HEADERS)
            lead = Client.get(Client.is_lead)
            web_order = create_order(actors["manager"], lead.id, "Вывеска", rubles(5_000))
            threads.ask_client(actors["manager"], web_order.id, "Какой размер вывески?")
            _deliverer(config, {**senders, "web": WebChatSender()}).run_once()
            assert "Какой размер вывески?" in _poll_texts(browser)

            for platform in platforms.values():
                platform.switch.set("ok")
            health_now = check_channels(senders)
            assert health_now == dict.fromkeys(PLATFORMS, True) and health.down() == set()
    finally:
        for platform in platforms.values():
            platform.stop()


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("failure", FAILURES)
def test_a_failing_mail_server_stops_only_the_mail_it_brings(
    monkeypatch, reachable, staff, failure, moment
):
    """IMAP in the same matrix: the mail job is the check. A wrong password or a server out of
    reach is «Почта (приём) не работает» with the reason, the rest goes on, and the next
    poll that gets in says it works again."""
    from bots.email import mailboxes as mail

    client, order = reachable
    monkeypatch.setattr(mail, "IMAP_TIMEOUT", WAIT)  # a silent server is given up on
    servers = {mood: ScriptedImap(mood) for mood in ("ok", "token", "5xx")}
    switch = Switch("imap", {mood: server.port for mood, server in servers.items()})
    try:
        with resolving(monkeypatch):
            config = Config(
                imap=ImapSection(host=switch.host, port=switch.port, user="office@firm.test",
                                 password="secret", ssl=False),
                notify=NotifySection(platform_timeout=WAIT, fallback=("sms",)),
            )  # fmt: skip
            poll = mail.build_poller(config, MemoryStore())
            assert poll is not None
            if moment == "while_running":
                assert poll() == 0 and servers["ok"].logins == 1
                assert _state("imap").state == "ok"

            switch.set(failure)
            for _ in range(2 if failure in SOFT else 1):  # the mail job, every minute
                poll()
            state = _state("imap")
            assert state.state == "failing", (state.state, state.last_error)
            assert REASON[failure] in state.last_error, state.last_error
            assert health.down() == {"imap"}
            (told,) = _director_told(staff)
            assert told.startswith("Почта (приём) не работает")

            outbox.notify_client(client, "Заказ готов", key="mail-down", order=order)
            _deliverer(config, {"sms": FakeSender("sms")}).run_once()
            assert _went("mail-down").sent_channel == "sms"

            switch.set("ok")
            poll()
            assert _state("imap").state == "ok" and health.down() == set()
            assert _director_told(staff)[1].startswith("Почта (приём) снова работает")
    finally:
        switch.close()
        for server in servers.values():
            server.close()


DISK_REASON = {  # storage.yadisk_store's words for each failure
    "dns": "Нет связи с Яндекс Диском",
    "refused": "Нет связи с Яндекс Диском",
    "timeout": "не ответил вовремя",
    "5xx": "временно недоступен",
    "token": "Токен Яндекс Диска недействителен",
}


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("failure", FAILURES)
def test_a_failing_yandex_disk_keeps_files_local_and_comes_back(
    monkeypatch, tmp_path, staff, failure, moment
):
    """Yandex Disk in the same matrix: the sync job and the periodic check are the checks.
    While the disk is out of reach the files stay on the local disk (the product reads them
    from there), the director sees «Яндекс Диск не работает» with the reason, and when the
    disk is back the waiting files go up by themselves."""
    from scheduler.app import _sync_files
    from scheduler.health import disk_probe
    from storage.local import LocalStore
    from storage.sync import SpoolQueue, SyncingStore
    from storage.yadisk_store import YandexDiskStore
    from tests.fakes.yadisk import FakeYandexDisk

    good, revoked = FakeYandexDisk("GOOD-TOKEN"), FakeYandexDisk("ANOTHER-TOKEN")
    good.start(), revoked.start()
    broken = server_error().__enter__()
    port = lambda fake: int(fake.base_url.rsplit(":", 1)[1])  # noqa: E731
    switch = Switch("yadisk", {"ok": port(good), "token": port(revoked), "5xx": broken.port})
    try:
        with resolving(monkeypatch):
            remote = YandexDiskStore("GOOD-TOKEN", base_url=switch.url, timeout=WAIT,
                                     n_retries=0, retry_interval=0)  # fmt: skip
            store = SyncingStore(LocalStore(tmp_path / "files"), remote, SpoolQueue(tmp_path / "q"))
            check = {"yadisk": disk_probe(store)}
            if moment == "while_running":
                store.save("Заказы/1", "макет.pdf", b"%PDF first", "application/pdf")
                _sync_files(store)
                assert _state("yadisk").state == "ok" and len(good.files) == 1

            switch.set(failure)
            kept = store.save("Заказы/2", "счёт.pdf", b"%PDF second", "application/pdf")
            _sync_files(store)  # the minute's sync meets the failure
            for _ in range(2 if failure in SOFT else 1):  # the periodic check (and at start)
                _minutes_pass("yadisk")
                check_channels({}, check)
            state = _state("yadisk")
            assert state.state == "failing", (state.state, state.last_error)
            assert DISK_REASON[failure] in state.last_error, state.last_error
            assert health.down() == {"yadisk"}
            assert _director_told(staff)[0].startswith("Яндекс Диск не работает")
            assert store.read(kept.key) == b"%PDF second"  # the file is there for everyone

            switch.set("ok")
            assert check_channels({}, check) == {"yadisk": True}
            assert _state("yadisk").state == "ok" and health.down() == set()
            later = time.time() + 3600  # the waiting file's back-off is over
            monkeypatch.setattr(
                store, "sync_pending", lambda: SyncingStore.sync_pending(store, later)
            )
            _sync_files(store)
            assert b"%PDF second" in good.files.values() and store.queue.items() == []
    finally:
        switch.close()
        good.stop(), revoked.stop(), broken.__exit__(None, None, None)


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("failure", FAILURES)
def test_yookassa_out_of_reach_fails_the_payment_quickly_and_comes_back(
    monkeypatch, db, staff, failure, moment
):
    """YooKassa in the same matrix: whatever way it fails, a client's «Оплатить» gets its
    answer (GatewayError, shown in Russian by the portal) within seconds — a YooKassa that
    accepts and never answers held the request for good —, the director's board shows
    «ЮKassa» failing with the reason (from the payment itself and the periodic check of the
    shop), and after its return the check and the next payment say it works again."""
    import threading

    from checkout import yookassa as gateway_module
    from core.base.config import YookassaSection
    from core.base.interfaces import GatewayError
    from tests.fakes.yookassa import FakeYooKassa

    monkeypatch.setattr(gateway_module, "TIMEOUT", (WAIT, WAIT))
    good = FakeYooKassa().__enter__()
    revoked = FakeYooKassa(secret="another_secret").__enter__()
    broken = server_error().__enter__()
    switch = Switch("yookassa", {"ok": good.port, "token": revoked.port, "5xx": broken.port})
    try:
        with resolving(monkeypatch):
            pay = gateway_module.YooKassaGateway(
                YookassaSection(shop_id="123456", shop_secret="test_secret",
                                api_url=switch.url + "/v3")
            )  # fmt: skip

            def create(key: str):
                return pay.create(90_000, "Заказ №1", key, "https://firm.test/my/", {"order": "1"})

            if moment == "while_running":
                assert create("first").status == "pending"
            switch.set(failure)
            outcome: list[BaseException | object] = []
            attempt = threading.Thread(target=lambda: outcome.append(_caught(create, "down")))
            attempt.start()
            attempt.join(WAIT * 8)
            assert not attempt.is_alive(), "the payment waits for an answer that never comes"
            assert isinstance(outcome[0], GatewayError), outcome
            for _ in range(1 if failure in SOFT else 0):  # the periodic check, a minute later
                _minutes_pass("yookassa")
                check_channels({}, {"yookassa": pay.check})
            state = _state("yookassa")
            assert state.state == "failing", (state.state, state.last_error)
            assert REASON[failure] in state.last_error, state.last_error
            assert health.down() == {"yookassa"}
            assert _director_told(staff)[0].startswith("ЮKassa не работает")
            switch.set("ok")
            assert check_channels({}, {"yookassa": pay.check}) == {"yookassa": True}
            assert _state("yookassa").state == "ok" and health.down() == set()
            assert _director_told(staff)[1].startswith("ЮKassa снова работает")
            assert create("again").status == "pending"
    finally:
        switch.close()
        for server in (good, revoked, broken):
            server.__exit__(None, None, None)


def _caught(call, *args) -> BaseException | object:
    try:
        return call(*args)
    except Exception as exc:  # noqa: BLE001 - the test looks at what it was
        return exc
