"""End to end: the real aiogram Bot and Dispatcher, long polling against a fake Bot API
on 127.0.0.1; the webhook blueprint through Flask's test client; the outbox transport."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time

import pytest
from aiogram.types import Update
from flask import Flask

from bots.flows import Deps, texts
from bots.telegram import TelegramSender, build_dispatcher, make_blueprint, make_bot
from bots.telegram.api import BotApi
from core.access import SYSTEM
from core.base.config import Config, TelegramSection
from core.base.interfaces import DeliveryError, OutgoingMessage
from core.base.models import ProcessedUpdate
from core.base.money import rubles
from core.clients.clients import create_client
from core.clients.models import MessengerLink
from core.conversations.models import Notification
from core.files.models import Attachment
from core.money.models import CashMovement
from core.orders.orders import create_order
from core.people.staff import create_invite
from tests.bots.conftest import jpeg
from tests.cli.test_run import ROOT, _free_port, _wait_for
from tests.fakes.memory_store import MemoryStore
from tests.fakes.telegram import FakeTelegram, markup

TOKEN = "123456:TEST-TOKEN"
DIRECTOR, CREW, CLIENT = 1001, 2002, 3003


def config_for(fake: FakeTelegram, **kw) -> Config:
    return Config(telegram=TelegramSection(token=TOKEN, api_base=fake.base, **kw))


async def until(predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)


class Polling:
    """The bot polling the fake; say() pushes one update and waits for its answers."""

    def __init__(self, fake: FakeTelegram, store):
        self.fake, self.store = fake, store

    async def __aenter__(self):
        self.bot = make_bot(config_for(self.fake))
        self.dp = build_dispatcher(Deps(store=self.store, config=config_for(self.fake)))
        self.task = asyncio.create_task(
            self.dp.start_polling(self.bot, handle_signals=False, polling_timeout=1)
        )
        return self

    async def __aexit__(self, *exc):
        await self.dp.stop_polling()
        await self.task
        await self.bot.session.close()

    async def push(self, update: dict, answers: int = 1) -> list[str]:
        before = len(self.fake.sent())
        self.fake.push(update)
        await until(lambda: len(self.fake.sent()) >= before + answers)
        await asyncio.sleep(0.05)
        return self.fake.texts()[before:]


@pytest.fixture
async def fake():
    server = await FakeTelegram().start()
    yield server
    await server.stop()


async def test_the_money_story_over_real_aiogram(fake, staff):
    store = MemoryStore()
    code_d = create_invite(SYSTEM, employee_id=staff["director"].id).code
    code_e = create_invite(SYSTEM, employee_id=staff["executor"].id).code
    async with Polling(fake, store) as bot:
        said = await bot.push(fake.message_update(DIRECTOR, text=f"/start {code_d}"))
        assert "Сергей Директоров" in said[0]
        assert markup(fake.sent()[-1])["keyboard"][1][0]["text"] == "💸 Выдать под отчёт"
        await bot.push(fake.message_update(CREW, text=f"/start {code_e}"))
        await bot.push(fake.message_update(DIRECTOR, text="💸 Выдать под отчёт"))
        buttons = markup(fake.sent()[-1])["inline_keyboard"]
        pay = next(b["callback_data"] for row in buttons for b in row if "Иван" in b["text"])
        await bot.push(fake.button_update(DIRECTOR, pay))
        said = await bot.push(fake.message_update(DIRECTOR, text="10 000"))
        assert "10 000,00 ₽" in said[0]
        fuel = fake.message_update(CREW, photo=jpeg("red"), caption="бензин 1000")
        said = await bot.push(fuel)
        assert "Осталось на руках: 9 000,00 ₽" in said[0]
        said = await bot.push(
            fake.message_update(CREW, photo=jpeg("blue"), caption="материалы 5000")
        )
        assert "Осталось на руках: 4 000,00 ₽" in said[0]
        said = await bot.push(fake.message_update(CREW, text="баланс"))
        assert "На руках: 4 000,00 ₽" in said[0]
        # A redelivered update (same update_id) changes nothing and answers nothing.
        sent = len(fake.sent())
        await bot.dp.feed_update(bot.bot, Update.model_validate(fuel))
        assert len(fake.sent()) == sent
    expenses = list(CashMovement.select().where(CashMovement.kind == "expense"))
    assert [e.amount for e in expenses] == [100_000, 500_000]
    assert [store.read(e.receipt.storage_key) for e in expenses] == [jpeg("red"), jpeg("blue")]
    downloads = [p["file_id"] for m, p in fake.calls if m == "getFile"]
    assert len(downloads) == 2 and all(fake.file_ids[f][1] > 10 for f in downloads)  # largest size


async def test_bad_files_a_failing_update_and_a_blocked_bot(fake, staff):
    class BrokenStore(MemoryStore):
        def save(self, *a, **kw):
            raise OSError("disk full")

    store = BrokenStore()
    code = create_invite(SYSTEM, employee_id=staff["executor"].id).code
    async with Polling(fake, store) as bot:
        await bot.push(fake.message_update(CREW, text=f"/start {code}"))
        said = await bot.push(fake.message_update(CREW, photo=b"x" * 100, caption="бензин 1000",
                                                  photo_size=25 * 1024 * 1024))  # fmt: skip
        assert "больше 20 МБ" in said[0]
        said = await bot.push(
            fake.message_update(CREW, photo=b"%PDF not an image", caption="бензин 1000")
        )
        assert "не является изображением" in said[0]
        said = await bot.push(fake.message_update(CREW, photo=jpeg(), caption="бензин 1000"))
        assert "Извините" in said[0]  # the store broke: apology, nothing half-written
        said = await bot.push(fake.message_update(CREW, text="баланс"))
        assert "На руках: 0,00 ₽" in said[0]  # and the bot carries on
        fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
        fake.push(fake.message_update(CREW, text="баланс"))
        await until(lambda: MessengerLink.get(MessengerLink.external_id == str(CREW)).blocked)
    assert CashMovement.select().count() == 0 and Attachment.select().count() == 0


async def test_a_client_sends_a_photo_and_a_layout_into_the_order(fake, staff, actors):
    store = MemoryStore()
    client = create_client(actors["manager"], "Орлова Анна", "+79120000004")
    order = create_order(actors["manager"], client.id, "Баннер", rubles(3000))
    code = create_invite(actors["manager"], client_id=client.id).code
    async with Polling(fake, store) as bot:
        await bot.push(fake.message_update(CLIENT, text=f"/start {code}"))
        said = await bot.push(fake.message_update(CLIENT, photo=jpeg("red"), caption="Вот стена"))
        assert "Файл получен" in said[0]
        pdf = fake.message_update(CLIENT, document=b"%PDF-1.4 layout", file_name="макет.pdf",
                                  mime="application/pdf")  # fmt: skip
        assert "Файл получен" in (await bot.push(pdf))[0]
        exe = fake.message_update(CLIENT, document=b"MZ\x90", file_name="счёт.exe",
                                  mime="application/x-msdownload", caption="оплата")  # fmt: skip
        assert "Такой файл не принимаем (.exe)" in (await bot.push(exe))[0]
    photo, layout = Attachment.select().order_by(Attachment.id)
    assert (photo.order_id, photo.kind, photo.message.text) == (order.id, "photo", "Вот стена")
    assert store.read(photo.storage_key) == jpeg("red")
    assert (layout.order_id, layout.original_name) == (order.id, "макет.pdf")
    assert store.read(layout.storage_key) == b"%PDF-1.4 layout" and len(store.files) == 2
    told = Notification.select().where(
        (Notification.audience == "staff") & (Notification.employee == order.manager_id)
    )
    assert [n.order_id for n in told] == [order.id, order.id]


async def test_a_replayed_button_tap_or_file_is_silent(fake, staff):
    """A redelivered update is dropped before any call to Telegram: no second
    answerCallbackQuery (Telegram refuses it), no apology, no second download."""
    code = create_invite(SYSTEM, employee_id=staff["executor"].id).code
    async with Polling(fake, MemoryStore()) as bot:
        await bot.push(fake.message_update(CREW, text=f"/start {code}"))
        tap = fake.button_update(CREW, "cancel")
        said = await bot.push(tap)
        assert said == [texts.CANCELLED]
        photo = fake.message_update(CREW, photo=jpeg(), caption="бензин 100")
        await bot.push(photo)
        calls = len(fake.calls)
        for update in (tap, photo):
            await bot.dp.feed_update(bot.bot, Update.model_validate(update))
        await asyncio.sleep(0.2)
        assert [m for m, _ in fake.calls[calls:] if m.lower() != "getupdates"] == []
    assert not any("Извините" in t for t in fake.texts())
    assert len(fake.sent("answerCallbackQuery")) == 1


# --- webhook ------------------------------------------------------------------------------
@pytest.fixture
def threaded_fake():
    server = FakeTelegram().start_in_thread()
    yield server
    server.stop_thread()


def webhook_app(fake: FakeTelegram) -> tuple[Flask, MemoryStore]:
    store = MemoryStore()
    app = Flask(__name__)
    config = config_for(fake, mode="webhook", webhook_secret="s3cret_Token-1")
    app.register_blueprint(make_blueprint(config, store), url_prefix="/telegram")
    return app, store


def test_a_forged_webhook_secret_is_refused(threaded_fake, staff):
    app, _ = webhook_app(threaded_fake)
    code = create_invite(SYSTEM, employee_id=staff["executor"].id).code
    update = threaded_fake.message_update(CREW, text=f"/start {code}")
    client = app.test_client()
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
        assert client.post("/telegram/webhook", json=update, headers=headers).status_code == 403
    assert threaded_fake.calls == [] and ProcessedUpdate.select().count() == 0
    assert MessengerLink.select().count() == 0


def test_the_webhook_processes_once_and_downloads_photos(threaded_fake, staff):
    app, store = webhook_app(threaded_fake)
    code = create_invite(SYSTEM, employee_id=staff["executor"].id).code
    client = app.test_client()
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret_Token-1"}
    join = threaded_fake.message_update(CREW, text=f"/start {code}")
    assert client.post("/telegram/webhook", json=join, headers=headers).status_code == 200
    assert "Вы подключены" in threaded_fake.texts()[-1]
    fuel = threaded_fake.message_update(CREW, photo=jpeg(), caption="бензин 1000")
    for _ in range(2):  # Telegram redelivers after a slow 200
        assert client.post("/telegram/webhook", json=fuel, headers=headers).status_code == 200
    assert CashMovement.select().count() == 1 and len(store.files) == 1
    assert len(threaded_fake.sent()) == 2
    assert client.post("/telegram/webhook", data="nonsense", headers=headers).status_code == 400


def test_a_replayed_button_tap_through_the_webhook_is_silent(threaded_fake, staff):
    app, _ = webhook_app(threaded_fake)
    client = app.test_client()
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret_Token-1"}
    code = create_invite(SYSTEM, employee_id=staff["executor"].id).code
    join = threaded_fake.message_update(CREW, text=f"/start {code}")
    client.post("/telegram/webhook", json=join, headers=headers)
    tap = threaded_fake.button_update(CREW, "cancel")
    assert client.post("/telegram/webhook", json=tap, headers=headers).status_code == 200
    calls = len(threaded_fake.calls)
    assert client.post("/telegram/webhook", json=tap, headers=headers).status_code == 200
    assert threaded_fake.calls[calls:] == []
    assert not any("Извините" in t for t in threaded_fake.texts())


def _brigadir(tmp_path, env, *args) -> tuple[subprocess.Popen, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", *args], cwd=tmp_path, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    seen: list[str] = []
    threading.Thread(target=lambda: seen.extend(iter(proc.stdout.readline, "")),
                     daemon=True).start()  # fmt: skip
    return proc, seen


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def _wait_call(fake: FakeTelegram, method: str, timeout: float = 60) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if fake.sent(method):
            return fake.sent(method)[-1]
        time.sleep(0.1)
    raise AssertionError(f"no {method} in {[m for m, _ in fake.calls]}")


def test_webhook_mode_registers_the_webhook_and_polling_removes_it(
    threaded_fake, tmp_path, database_url, db
):
    """`brigadir web` in webhook mode calls setWebhook with the URL and the secret;
    `brigadir bots` (polling) deletes it before its first getUpdates."""
    env = {
        **os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200",
        "BRIGADIR_DATABASE_URL": database_url, "BRIGADIR_WEB_PORT": str(_free_port()),
        "BRIGADIR_APP_BASE_URL": "https://crm.example.test/",
        "BRIGADIR_TELEGRAM_TOKEN": TOKEN, "BRIGADIR_TELEGRAM_API_BASE": threaded_fake.base,
        "BRIGADIR_TELEGRAM_MODE": "webhook", "BRIGADIR_TELEGRAM_WEBHOOK_SECRET": "s3cret_Token-1",
    }  # fmt: skip
    init = subprocess.run([sys.executable, "-m", "cli", "init"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert init.returncode == 0, init.stdout + init.stderr
    proc, seen = _brigadir(tmp_path, env, "web")
    try:
        params = _wait_call(threaded_fake, "setWebhook")
        _wait_for(proc, seen, "вебхук")
    finally:
        _stop(proc)
    assert params["url"] == "https://crm.example.test/telegram/webhook"
    assert params["secret_token"] == "s3cret_Token-1"
    assert json.loads(params["allowed_updates"]) == ["message", "callback_query"]
    assert params["drop_pending_updates"] == "false"
    assert threaded_fake.webhook["url"] == params["url"]

    calls = len(threaded_fake.calls)
    proc, seen = _brigadir(tmp_path, {**env, "BRIGADIR_TELEGRAM_MODE": "polling"}, "bots")
    try:
        _wait_call(threaded_fake, "getUpdates")
    finally:
        _stop(proc)
    methods = [m for m, _ in threaded_fake.calls[calls:]]
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    assert threaded_fake.sent("deleteWebhook")[-1].get("drop_pending_updates") in (None, "false")
    assert threaded_fake.webhook == {}


# --- transport ----------------------------------------------------------------------------
def test_the_transport_sends_buttons_and_files(threaded_fake):
    sender = TelegramSender(config_for(threaded_fake))
    message_id = sender.send(
        OutgoingMessage(
            address="555", text="Новое задание: заказ №7",
            buttons=[[("Открыть заказ", "order:7")]],
            attachments=[("layout.png", jpeg(), "image/jpeg"), ("form.pdf", b"%PDF-1.4", "application/pdf")],
        )
    )  # fmt: skip
    assert message_id
    sent = threaded_fake.sent()[-1]
    assert markup(sent)["inline_keyboard"][0][0] == {
        "text": "Открыть заказ",
        "callback_data": "order:7",
    }
    assert threaded_fake.sent("sendPhoto")[0]["photo"]["data"] == jpeg()
    assert threaded_fake.sent("sendDocument")[0]["document"]["filename"] == "form.pdf"


@pytest.mark.parametrize(
    ("code", "description", "permanent"),
    [
        (403, "Forbidden: bot was blocked by the user", True),
        (400, "Bad Request: chat not found", True),
        (403, "Forbidden: user is deactivated", True),
        (500, "Internal Server Error", False),
    ],
)
def test_the_transport_tells_permanent_errors(threaded_fake, code, description, permanent):
    sender = TelegramSender(api=BotApi(TOKEN, threaded_fake.base))
    threaded_fake.fail_next("sendMessage", code, description)
    with pytest.raises(DeliveryError) as caught:
        sender.send(OutgoingMessage(address="555", text="Привет"))
    assert caught.value.permanent is permanent and caught.value.retry_after is None


def test_the_transport_honours_retry_after(threaded_fake):
    sender = TelegramSender(config_for(threaded_fake))
    threaded_fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(DeliveryError) as caught:
        sender.send(OutgoingMessage(address="555", text="Привет"))
    assert caught.value.retry_after == 7 and not caught.value.permanent


def test_the_transport_without_a_server_is_a_temporary_error():
    sender = TelegramSender(api=BotApi(TOKEN, "http://127.0.0.1:9", timeout=2))
    with pytest.raises(DeliveryError) as caught:
        sender.send(OutgoingMessage(address="555", text="Привет"))
    assert not caught.value.permanent


async def test_receipts_that_read_themselves_over_real_aiogram(fake, staff, actors):
    """Issue 16 end to end: a receipt photo from the order's card becomes the order's
    expense with the QR's sum and overspend told; the same receipt again is refused; the
    caption and the receipt disagree and the crew chooses; the director disputes an expense
    and the crew hears it in Telegram through the outbox."""
    import random

    from core.base.money import rubles
    from core.clients.clients import create_client
    from core.conversations.models import Notification
    from core.money import expenses
    from core.money.models import DuplicateReceipt, FiscalReceipt
    from core.orders.orders import create_order
    from scheduler.deliverer import Deliverer
    from scheduler.ratelimit import RateLimiter
    from tests.fakes.receipts import Shot, fiscal_text, receipt_photo

    shot = Shot(size=(1600, 1200), angle=35, slant=0.1, blur=1.0, light=0.6, noise=15)

    def photo(kopecks: int, seed: int) -> bytes:
        return receipt_photo(fiscal_text(random.Random(seed), kopecks), shot, seed=seed)

    def tap(label: str) -> dict:
        rows = markup(fake.sent()[-1])["inline_keyboard"]
        data = next(b["callback_data"] for row in rows for b in row if label in b["text"])
        return fake.button_update(CREW, data)

    store = MemoryStore()
    client = create_client(actors["manager"], "Петров Пётр", "+79120000001")
    order = create_order(actors["manager"], client.id, "Подключение дома", rubles(30000),
                         executor_id=staff["executor"].id)  # fmt: skip
    code_e = create_invite(SYSTEM, employee_id=staff["executor"].id).code
    cable = photo(rubles(1500), seed=1)
    async with Polling(fake, store) as bot:
        await bot.push(fake.message_update(CREW, text=f"/start {code_e}"))
        await bot.push(fake.message_update(CREW, text=f"/order {order.number}"))
        await bot.push(tap("Расход по заказу"))
        said = await bot.push(fake.message_update(CREW, photo=cable, caption="кабель"))
        assert "Материалы — 1 500,00 ₽ (кабель)" in said[0]
        assert f"По заказу №{order.number}" in said[0] and "по QR-коду" in said[0]
        assert "Перерасход 1 500,00 ₽" in said[0]  # nothing was on hand
        said = await bot.push(fake.message_update(CREW, photo=cable, caption="материалы"))
        assert "Этот чек уже записан" in said[0] and "Иван Монтажников, 1 500,00 ₽" in said[0]
        said = await bot.push(fake.message_update(CREW, photo=photo(rubles(800), 2),
                                                  caption="бензин 1000"))  # fmt: skip
        assert "В подписи 1 000,00 ₽, а в чеке 800,00 ₽" in said[0]
        said = await bot.push(tap("по чеку"))
        assert "Бензин — 800,00 ₽" in said[0]
        fuel = CashMovement.get(CashMovement.amount == rubles(800))
        expenses.review(actors["director"], fuel.id, "disputed", "Где заправлялись?")
        deliverer = Deliverer({"telegram": TelegramSender(config_for(fake))}, config_for(fake),
                              sleep=lambda s: None, limiter=RateLimiter({}))  # fmt: skip
        before = len(fake.sent())
        await asyncio.to_thread(deliverer.run_once)
        told = [p["text"] for p in fake.sent()[before:] if str(p["chat_id"]) == str(CREW)]
        assert any("оспорил" in t and "800,00 ₽" in t and "Где заправлялись" in t for t in told)
    assert FiscalReceipt.select().count() == 2 and DuplicateReceipt.select().count() == 1
    assert CashMovement.get(CashMovement.amount == rubles(1500)).order_id == order.id
    assert Attachment.select().count() == 2 and len(store.files) == 2
    assert Notification.select().where(Notification.text.contains("Перерасход")).count() >= 1


async def test_voice_audio_video_stickers_and_places_are_kept_not_dropped(fake, staff, actors):
    """Item 16: every kind of message a client sends is kept — the file, or a line that says
    what it was — and the bot says «передано» only for what was kept."""
    store = MemoryStore()
    client = create_client(actors["manager"], "Орлова Анна", "+79120000004")
    order = create_order(actors["manager"], client.id, "Баннер", rubles(3000))
    code = create_invite(actors["manager"], client_id=client.id).code
    sent = {
        "voice": (b"OggS voice", {"duration": 3, "mime_type": "audio/ogg"}),
        "audio": (b"ID3 song", {"duration": 60, "mime_type": "audio/mpeg", "title": "Песня"}),
        "video": (b"\x00\x00\x00\x18ftypmp42 video", {"duration": 5, "width": 640,
                                                      "height": 480, "mime_type": "video/mp4"}),
        "video_note": (b"\x00\x00\x00\x18ftypmp42 round", {"duration": 4, "length": 240}),
    }  # fmt: skip
    async with Polling(fake, store) as bot:
        await bot.push(fake.message_update(CLIENT, text=f"/start {code}"))
        for kind, (data, fields) in sent.items():
            said = await bot.push(
                fake.message_update(CLIENT, extra={kind: fake.media(data, **fields)})
            )
            assert "Файл получен" in said[0], kind
        sticker = {"file_id": "S1", "file_unique_id": "S1u", "type": "regular", "width": 512,
                   "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"}  # fmt: skip
        said = await bot.push(fake.message_update(CLIENT, extra={"sticker": sticker}))
        assert "передано" in said[0]
        place = {"latitude": 55.751244, "longitude": 37.618423}
        said = await bot.push(fake.message_update(CLIENT, extra={"location": place}))
        assert "передано" in said[0]
        big = fake.media(b"x", size=30 * 1024 * 1024, duration=600, width=640, height=480,
                         mime_type="video/mp4")  # fmt: skip
        said = await bot.push(fake.message_update(CLIENT, extra={"video": big}))
        assert "передано" in said[0]
    kept = {a.original_name: store.read(a.storage_key)
            for a in Attachment.select().where(Attachment.order == order.id)}  # fmt: skip
    assert sorted(kept.values()) == sorted(data for data, _ in sent.values())
    assert {n.split("_")[0] for n in kept} == {"voice", "audio", "video"}
    assert len(store.files) == 4
    from core.conversations.models import Message

    lines = [m.text for m in Message.select().where(Message.order == order.id).order_by(Message.id)]
    assert "Стикер 👍" in lines
    assert any(t.startswith("📍 Геопозиция: 55.751244, 37.618423") for t in lines)
    assert any(t.startswith("Видео — больше 20 МБ") for t in lines)


@pytest.mark.parametrize(
    "body",
    [b"[]", b"{broken", b'{"update_id": "1", "message": {}}', b'{"update_id": 5, "message": 7}',
     "\xff".encode("latin-1")],
)  # fmt: skip
def test_a_malformed_webhook_update_is_refused_in_russian(threaded_fake, staff, body):
    app, _ = webhook_app(threaded_fake)
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret_Token-1",
               "Content-Type": "application/json"}  # fmt: skip
    resp = app.test_client().post("/telegram/webhook", data=body, headers=headers)
    assert resp.status_code == 400 and "Неверный запрос" in resp.get_data(as_text=True)
    assert ProcessedUpdate.select().count() == 0 and threaded_fake.calls == []
