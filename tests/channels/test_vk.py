"""VK community messages end to end: the Callback API webhook with vkbottle against a fake
VK API on 127.0.0.1 — confirmation, forged secrets refused with nothing written, a stranger
becomes a lead, staff join with an invite, buttons come back as payloads, photos are kept,
and the outbox delivers through VK in the fallback order."""

from __future__ import annotations

import json

import pytest

from bots.vk.transport import VkSender
from bots.vk.webhook import URL
from cli.serve import build_web_app
from core.access import SYSTEM
from core.base.config import AppSection, Config, NotifySection, VkSection
from core.base.interfaces import DeliveryError, OutgoingMessage
from core.base.models import ProcessedUpdate
from core.clients.models import Client, MessengerLink
from core.conversations.models import Dialogue, Message
from core.files.models import Attachment
from core.people.staff import create_invite
from scheduler.transports import build_transports
from tests.bots.conftest import jpeg
from tests.fakes.memory_store import MemoryStore
from tests.fakes.vk_api import FakeVkApi

GROUP, SECRET = 12345, "s3cret-key"


@pytest.fixture
def vk():
    with FakeVkApi() as server:
        yield server


def make_config(vk: FakeVkApi) -> Config:
    return Config(app=AppSection(secret_key="k" * 32),
                  vk=VkSection(token="vk-token", group_id=GROUP, secret=SECRET,
                               confirmation="a1b2c3", api_base=vk.base))  # fmt: skip


@pytest.fixture
def site(db, staff, vk):
    store = MemoryStore()
    return build_web_app(make_config(vk), store).test_client(), store


_events = iter(range(1, 10_000))


def event(peer: int, text: str = "", *, secret: str = SECRET, payload=None, attachments=None):
    message = {"id": 1, "from_id": peer, "peer_id": peer, "text": text,
               "attachments": attachments or []}  # fmt: skip
    if payload is not None:
        message["payload"] = json.dumps({"p": payload})
    return {"type": "message_new", "group_id": GROUP, "secret": secret,
            "event_id": f"ev{next(_events)}", "object": {"message": message}}  # fmt: skip


def test_confirmation_and_forged_secrets(site, vk):
    client, _ = site
    confirm = client.post(URL, json={"type": "confirmation", "group_id": GROUP, "secret": SECRET})
    assert confirm.get_data(as_text=True) == "a1b2c3"
    for forged in (event(501, "привет", secret="wrong"), event(501, "привет", secret=""),
                   {**event(501, "привет"), "group_id": 999}):  # fmt: skip
        assert client.post(URL, json=forged).status_code == 403
    assert client.post(URL, data="not json").status_code == 403
    assert Message.select().count() == 0 and Client.select().count() == 0
    assert ProcessedUpdate.select().count() == 0 and vk.sent == []


def test_a_stranger_in_vk_becomes_a_lead(site, vk, staff):
    client, store = site
    assert client.post(URL, json=event(501, "Сколько стоит баннер?")).get_data(as_text=True) == "ok"
    assert "Как к вам обращаться" in vk.texts_to(501)[-1]
    lead = Client.get(Client.is_lead)
    assert lead.source == "vk" and Dialogue.get(Dialogue.client == lead.id).channel == "vk"
    client.post(URL, json=event(501, "Пётр"))
    client.post(URL, json=event(501, "+7 912 333-22-11"))
    assert "Менеджер свяжется" in vk.texts_to(501)[-1]
    url = vk.media_url("p.jpg", jpeg("red"))
    photo = {"type": "photo", "photo": {"sizes": [{"url": url, "width": 60, "height": 40}]}}
    client.post(URL, json=event(501, "вот макет", attachments=[photo]))
    file = Attachment.get(Attachment.client == lead.id)
    assert store.read(file.storage_key) == jpeg("red")
    again = event(501, "повтор")
    client.post(URL, json=again)
    client.post(URL, json=again)  # VK redelivers: handled once
    assert Message.select().where(Message.text == "повтор").count() == 1


def test_staff_join_with_an_invite_and_buttons_come_back(site, vk, staff):
    client, _ = site
    code = create_invite(SYSTEM, employee_id=staff["manager"].id).code
    client.post(URL, json=event(777, code))
    assert "Вы подключены" in vk.texts_to(777)[-1]
    sent = vk.sent[-1]
    assert "Обращения" in json.dumps(json.loads(sent["keyboard"]), ensure_ascii=False)  # the menu
    link = MessengerLink.get(MessengerLink.external_id == "777")
    assert link.employee_id == staff["manager"].id and link.channel == "vk"
    client.post(URL, json=event(501, "Нужны визитки"))  # a new person writes
    client.post(URL, json=event(777, "🆕 Обращения"))
    keyboard = json.loads(vk.sent[-1]["keyboard"])
    payload = keyboard["buttons"][0][0]["action"]["payload"]["p"]
    client.post(URL, json=event(777, "", payload=payload))
    assert "Заказ №" in vk.texts_to(777)[-1]


def test_the_outbox_sends_through_vk_in_the_fallback_order(db, vk):
    config = make_config(vk)
    assert "vk" in build_transports(config, only=("vk",)) and "vk" in NotifySection().fallback
    sender = VkSender(config)
    assert sender.send(OutgoingMessage("501", "Ваш заказ готов", idempotency_key="n1"))
    sender.send(OutgoingMessage("501", "Ваш заказ готов", idempotency_key="n1"))  # a retry
    assert vk.texts_to(501) == ["Ваш заказ готов"]
    vk.error_for["502"] = (901, "Can't send messages for users without permission")
    with pytest.raises(DeliveryError) as refused:
        sender.send(OutgoingMessage("502", "Привет", idempotency_key="n2"))
    assert refused.value.permanent


def test_every_attachment_of_a_vk_message_is_kept(site, vk, staff):
    """Item 16: two photos, a document, a voice note and a sticker in one message — all kept
    (the files, the sticker as a line), not only the first."""
    client, store = site
    client.post(URL, json=event(601, "Здравствуйте"))
    lead = Client.get(Client.is_lead)

    def photo(name, color):
        url = vk.media_url(name, jpeg(color))
        return {"type": "photo", "photo": {"sizes": [{"url": url, "width": 60, "height": 40}]}}

    parts = [photo("a.jpg", "red"), photo("b.jpg", "blue"),
             {"type": "doc", "doc": {"title": "смета.pdf",
                                     "url": vk.media_url("c.pdf", b"%PDF-1.4 smeta")}},
             {"type": "audio_message", "audio_message": {
                 "duration": 3, "link_ogg": vk.media_url("v.ogg", b"OggS voice")}},
             {"type": "sticker", "sticker": {"sticker_id": 9}}]  # fmt: skip
    client.post(URL, json=event(601, "вот всё", attachments=parts))
    kept = sorted(
        store.read(a.storage_key) for a in Attachment.select().where(Attachment.client == lead.id)
    )
    assert kept == sorted([jpeg("red"), jpeg("blue"), b"%PDF-1.4 smeta", b"OggS voice"])
    lines = [m.text for m in Message.select().where(Message.client == lead.id)]
    assert "вот всё" in lines and "Стикер" in lines


def test_a_malformed_vk_message_is_refused_in_russian(site, vk, staff):
    client, _ = site
    bad = event(602, "x")
    bad["object"]["message"]["attachments"] = "not a list"
    resp = client.post(URL, json=bad)
    assert resp.status_code == 400 and "Неверный запрос" in resp.get_data(as_text=True)
    assert Message.select().count() == 0 and Client.select().count() == 0
