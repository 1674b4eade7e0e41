"""The MAX bot end to end: the webhook with maxapi against a fake MAX Bot API on 127.0.0.1 —
a forged secret refused with nothing written, a stranger becomes a lead (a verified contact,
a typed phone), staff join through the start link, the menu and buttons come back, and the
outbox delivers through MAX."""

from __future__ import annotations

import itertools

import pytest

from bots.maxbot.transport import MaxSender
from bots.maxbot.webhook import HEADER, URL
from cli.serve import build_web_app
from core.access import SYSTEM
from core.base.config import AppSection, Config, MaxSection, NotifySection
from core.base.interfaces import DeliveryError, OutgoingMessage
from core.base.models import ProcessedUpdate
from core.clients.clients import create_client
from core.clients.models import Client, MessengerLink
from core.conversations.models import Message
from core.files.models import Attachment
from core.people.staff import create_invite
from scheduler.transports import build_transports
from tests.bots.conftest import jpeg
from tests.fakes.max_api import FakeMaxApi
from tests.fakes.memory_store import MemoryStore

SECRET = "max-secret"
_mids = itertools.count(1)


@pytest.fixture
def fake():
    with FakeMaxApi() as server:
        yield server


def make_config(fake: FakeMaxApi) -> Config:
    return Config(app=AppSection(secret_key="k" * 32),
                  max=MaxSection(token="max-token", secret=SECRET, api_base=fake.url))  # fmt: skip


@pytest.fixture
def site(db, staff, fake):
    store = MemoryStore()
    return build_web_app(make_config(fake), store).test_client(), store


def said(user: int, text: str = "", attachments=None) -> dict:
    return {"update_type": "message_created", "timestamp": 1, "message": {
        "sender": {"user_id": user, "name": "Пётр"},
        "recipient": {"chat_id": 1, "chat_type": "dialog"},
        "body": {"mid": f"mid-in-{next(_mids)}", "seq": 1, "text": text,
                 "attachments": attachments or []}}}  # fmt: skip


def post(client, update, secret=SECRET):
    return client.post(URL, json=update, headers={HEADER: secret} if secret else {})


def test_a_forged_secret_is_refused_with_nothing_written(site, fake):
    client, _ = site
    for secret in ("wrong", None):
        assert post(client, said(42, "привет"), secret).status_code == 403
    assert Message.select().count() == 0 and Client.select().count() == 0
    assert ProcessedUpdate.select().count() == 0 and fake.sent == []


def test_a_stranger_in_max_becomes_a_lead(site, fake, staff):
    client, store = site
    assert post(client, said(42, "Сколько стоит баннер?")).status_code == 200
    assert "Как к вам обращаться" in fake.texts_to(42)[-1]
    lead = Client.get(Client.is_lead)
    assert lead.source == "max" and lead.name == "Пётр"
    post(client, said(42, "Пётр"))
    ask = fake.sent[-1]
    assert ask["attachments"][0]["payload"]["buttons"][0][0]["type"] == "request_contact"
    url = fake.media_url("p.jpg", jpeg("green"))
    post(client, said(42, "макет", [{"type": "image", "payload": {"url": url}}]))
    assert store.read(Attachment.get(Attachment.client == lead.id).storage_key) == jpeg("green")
    post(client, said(42, "+7 912 444-55-66"))
    assert Client.get_by_id(lead.id).phone == "+79124445566"


def test_a_verified_contact_joins_a_known_client_someone_elses_does_not(site, fake, actors):
    client, _ = site
    known = create_client(actors["manager"], "Орлова Анна", "+79120000004")
    card = "BEGIN:VCARD\nTEL;TYPE=cell:+79120000004\nEND:VCARD"
    other = {"type": "contact", "payload": {"vcf_info": card, "max_info": {"user_id": 99}}}
    post(client, said(43, "", [other]))  # a card forwarded from somebody else
    assert MessengerLink.get_or_none(MessengerLink.client == known.id) is None
    own = {"type": "contact", "payload": {"vcf_info": card, "max_info": {"user_id": 44}}}
    post(client, said(44, "", [own]))
    assert MessengerLink.get(MessengerLink.external_id == "44").client_id == known.id


def test_staff_join_by_the_start_link_and_the_menu_works(site, fake, staff):
    client, _ = site
    code = create_invite(SYSTEM, employee_id=staff["manager"].id).code
    post(client, {"update_type": "bot_started", "timestamp": 5, "user": {"user_id": 7},
                  "payload": code})  # fmt: skip
    assert "Вы подключены" in fake.texts_to(7)[-1]
    menu = fake.sent[-1]["attachments"][0]["payload"]["buttons"]
    leads = next(b for row in menu for b in row if "Обращения" in b["text"])
    post(client, said(42, "Нужны визитки"))
    post(client, {"update_type": "message_callback", "timestamp": 6,
                  "callback": {"callback_id": "cb1", "payload": leads["payload"],
                               "user": {"user_id": 7}}})  # fmt: skip
    assert "Новые обращения" in fake.texts_to(7)[-1]
    order_button = fake.sent[-1]["attachments"][0]["payload"]["buttons"][0][0]
    post(client, {"update_type": "message_callback", "timestamp": 7,
                  "callback": {"callback_id": "cb2", "payload": order_button["payload"],
                               "user": {"user_id": 7}}})  # fmt: skip
    assert "Заказ №" in fake.texts_to(7)[-1]


def test_the_outbox_sends_through_max(db, fake):
    config = make_config(fake)
    assert "max" in build_transports(config, only=("max",)) and "max" in NotifySection().fallback
    sender = MaxSender(config)
    assert sender.send(OutgoingMessage("42", "Ваш заказ готов")) == "mid.1"
    fake.status_for["43"] = 403
    with pytest.raises(DeliveryError) as refused:
        sender.send(OutgoingMessage("43", "Привет"))
    assert refused.value.permanent


def test_every_attachment_of_a_message_is_kept(site, fake, actors, staff):
    """Item 16: three files and a place in one message — all kept, not only the first."""
    client, store = site
    known = create_client(actors["manager"], "Орлова Анна", "+79120000004")
    from core.base.money import rubles
    from core.orders.orders import create_order

    order = create_order(actors["manager"], known.id, "Баннер", rubles(3000))
    code = create_invite(actors["manager"], client_id=known.id).code
    post(client, {"update_type": "bot_started", "timestamp": 7, "user": {"user_id": 55},
                  "payload": code})  # fmt: skip
    parts = [
        {"type": "image", "payload": {"url": fake.media_url("a.jpg", jpeg("red"))}},
        {"type": "image", "payload": {"url": fake.media_url("b.jpg", jpeg("blue"))}},
        {"type": "file", "filename": "смета.pdf",
         "payload": {"url": fake.media_url("c.pdf", b"%PDF-1.4 smeta")}},
        {"type": "location", "latitude": 55.75, "longitude": 37.61},
    ]  # fmt: skip
    assert post(client, said(55, "вот всё", parts)).status_code == 200
    kept = [
        store.read(a.storage_key) for a in Attachment.select().where(Attachment.order == order.id)
    ]
    assert sorted(kept) == sorted([jpeg("red"), jpeg("blue"), b"%PDF-1.4 smeta"])
    lines = [m.text for m in Message.select().where(Message.order == order.id)]
    assert "вот всё" in lines and any(t.startswith("📍 Геопозиция: 55.750000") for t in lines)
    assert sum("Файл получен" in t for t in fake.texts_to(55)) == 1  # said once, not thrice


@pytest.mark.parametrize(
    "body",
    [b"[1, 2]", b"{not json", "\xff".encode("latin-1"),
     b'{"update_type": "message_created", "message": {"sender": {"user_id": 5},'
     b' "body": {"mid": "m1", "attachments": "not a list"}}}',
     b'{"update_type": "message_created", "message": "text"}'],
)  # fmt: skip
def test_a_malformed_update_is_refused_in_russian_and_writes_nothing(site, fake, body):
    client, _ = site
    resp = client.post(URL, data=body, headers={HEADER: SECRET, "Content-Type": "application/json"})
    assert resp.status_code == 400 and "Неверный запрос" in resp.get_data(as_text=True)
    assert Message.select().count() == 0 and ProcessedUpdate.select().count() == 0
