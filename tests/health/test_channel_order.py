"""The firm's order of channels in Настройки → Каналы связи: Russia today's by default (MAX,
Telegram, VK, SMS, e-mail; no Viber), saved by the director, refused in Russian when wrong
(nothing written); the client's own last channel first. The order is one setting of the
registry (notify.fallback): the Каналы связи page, Сообщения клиентам and config.toml are the
same value, the deliverer reads it at each pass, and a value pinned in the file wins."""

from __future__ import annotations

import pytest

from core.base import runtime, settings
from core.base.config import Config, load_config
from core.base.errors import ValidationError
from core.base.models import Setting
from core.base.money import rubles
from core.channels import prefs
from core.clients.clients import create_client
from core.clients.models import MessengerLink
from core.conversations import delivery, outbox, threads
from core.orders.orders import create_order
from scheduler.deliverer import Deliverer, channel_order
from scheduler.ratelimit import RateLimiter
from tests.admin.conftest import login
from tests.fakes.channels import FakeSender
from tests.fakes.memory_store import MemoryStore


def _app():
    from admin.app import create_app

    return create_app(Config(), file_store=MemoryStore(), testing=True)


def test_the_default_is_russia_today_without_viber(db):
    assert channel_order(Config()) == ("max", "telegram", "vk", "sms", "email")


def test_the_director_sets_the_order_and_turns_viber_on(staff, actors):
    director = login(_app(), "director")
    page = director.get("/admin/settings/channels/").get_data(as_text=True)
    assert "Каналы связи" in page and "Viber заблокирован в России" in page
    reply = director.post("/admin/settings/channels/", data={
        "place_telegram": "1", "place_viber": "2", "place_sms": "3", "place_max": "",
        "mode_telegram": "webhook",
    })  # fmt: skip
    assert reply.status_code == 302
    assert channel_order(Config()) == ("telegram", "viber", "sms")
    # The mode is the registry's telegram.mode: what `brigadir run` reads at its next start.
    assert runtime.refresh().telegram.mode == "webhook" == prefs.channel_mode("telegram")
    assert prefs.channel_mode("vk") == prefs.channel_mode("max") == "webhook"  # no polling yet

    client = create_client(actors["manager"], "Ольга", "+7 912 111-22-33", email="o@example.test")
    for channel, uid in (("max", "11"), ("viber", "v22"), ("telegram", "33")):
        MessengerLink.create(channel=channel, external_id=uid, client=client)
    note = outbox.notify_client(client, "Готово", key="k")
    routes = delivery.routes_for(note, channel_order(Config()))
    assert [r.channel for r in routes] == ["telegram", "viber", "sms", "web"][: len(routes)]
    assert "max" not in [r.channel for r in routes]  # left out of the firm's order


def test_a_wrong_order_is_refused_in_russian_and_nothing_written(staff):
    director = login(_app(), "director")
    for data, words in (
        ({"place_telegram": "1", "place_sms": "1x"}, "место — число от 1 до 9"),
        ({}, "Оставьте хотя бы один канал"),
        ({"place_sms": "1", "mode_telegram": "carrier-pigeon"}, "выберите опрос или вебхук"),
    ):
        page = director.post("/admin/settings/channels/", data=data).get_data(as_text=True)
        assert words in page
    assert (
        Setting.select().where(Setting.key.in_(["notify.fallback", "telegram.mode"])).count() == 0
    )
    manager = login(_app(), "manager")
    assert manager.get("/admin/settings/channels/").status_code in (302, 403)


def test_the_channel_the_client_last_wrote_from_comes_first(staff, actors):
    client = create_client(actors["manager"], "Павел", "+7 912 444-55-66")
    MessengerLink.create(channel="telegram", external_id="77", client=client)
    MessengerLink.create(channel="vk", external_id="88", client=client)
    order = create_order(actors["manager"], client.id, "Баннер", rubles(100))
    note = outbox.notify_client(client, "Готово", key="k1", order=order)
    firm = ("max", "telegram", "vk", "sms", "email")
    assert [r.channel for r in delivery.routes_for(note, firm)][:2] == ["telegram", "vk"]
    threads.record_incoming(client.id, "Когда будет готово?", channel="vk", order_id=order.id)
    assert [r.channel for r in delivery.routes_for(note, firm)][:2] == ["vk", "telegram"]


def _pass(config, *channels) -> dict[str, FakeSender]:
    senders = {c: FakeSender(c) for c in channels}
    Deliverer(senders, config, limiter=RateLimiter({}), sleep=lambda s: None).run_once()
    return senders


def test_one_order_in_both_places_of_nastroyki_and_the_deliverer_follows_it(staff, actors):
    """Saved on Каналы связи, then changed in Сообщения клиентам (the registry's form saves
    through settings.save): both pages show the last one, and a running deliverer uses it
    at its next pass, without a restart."""
    director = login(_app(), "director")
    director.post("/admin/settings/channels/", data={"place_telegram": "1", "place_sms": "2"})
    client = create_client(actors["manager"], "Инна", "+7 912 777-88-99")
    MessengerLink.create(channel="telegram", external_id="501", client=client)
    config = Config()
    outbox.notify_client(client, "Первое", key="first")
    assert [len(s.sent) for s in _pass(config, "telegram", "sms").values()] == [1, 0]

    settings.save({"notify.fallback": "SMS\nTelegram"})  # Настройки → Сообщения клиентам
    assert settings.fields()["notify.fallback"].live  # saving it restarts nothing
    page = director.get("/admin/settings/channels/").get_data(as_text=True)
    assert 'name="place_sms" value="1"' in page and 'name="place_telegram" value="2"' in page
    outbox.notify_client(client, "Второе", key="second")
    senders = _pass(config, "telegram", "sms")
    assert [m.text for m in senders["sms"].sent] == ["Второе"] and not senders["telegram"].sent


def test_an_order_pinned_in_config_toml_wins_and_is_not_editable(actors, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[notify]\nfallback = ["sms", "email"]\n', encoding="utf-8")
    settings.put("notify.fallback", ["telegram"])  # stored before the file said it
    runtime.init(load_config(path))
    assert channel_order(runtime.config()) == ("sms", "email")
    with pytest.raises(ValidationError, match="задано в файле настроек"):
        prefs.save_channel_order(actors["director"], ["max"])
    assert channel_order(runtime.config()) == ("sms", "email")
