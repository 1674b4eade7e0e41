"""A file sent to a client reaches them on every channel: attached where the channel
carries files (e-mail, Telegram), as a download link where it does not (SMS, Viber), and
the text never promises an attachment that is not there."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest

from bots.sms.transport import SmsRuSender
from bots.viber.transport import ViberSender
from core.base import settings
from core.base.clock import utcnow
from core.base.config import AppSection, Config, NotifySection
from core.base.interfaces import DeliveryError, OutgoingMessage
from core.base.money import rubles
from core.clients import clients
from core.clients.models import Client, MessengerLink
from core.conversations.models import Notification
from core.documents import issue
from core.files.models import FileLink
from core.orders import orders
from scheduler.deliverer import Deliverer
from storage.local import LocalStore
from tests.channels.test_sms import smsru_fake
from tests.fakes.channels import FakeSender

BASE = "https://shop.example.test"
LINK = re.compile(re.escape(BASE) + r"/f/([A-Za-z0-9_-]+)")


@pytest.fixture
def store(tmp_path):
    return LocalStore(tmp_path / "files")


@pytest.fixture
def invoice(actors, store):
    """An invoice queued for a client reachable by SMS only."""
    settings.put("company", {
        "name": "ООО «Печатный двор»", "inn": "7701234567", "kpp": "770101001",
        "address": "г. Москва, ул. Тверская, д. 7", "bank": "ПАО «Сбербанк»", "bik": "044525225",
        "account": "40702810938000012345", "corr_account": "30101810400000000225",
    })  # fmt: skip
    client = clients.create_client(actors["manager"], "Смс Только", "+79120000061")
    order = orders.create_order(actors["manager"], client.id, "Баннер", rubles(5_000))
    document = issue.issue_document(actors["manager"], "order_form", order.id, store)
    Notification.delete().execute()
    issue.send_document(actors["manager"], document.id)
    return client, document


def _config(base_url=BASE, **notify):
    return Config(
        app=AppSection(base_url=base_url), notify=NotifySection(email_per_second=1000, **notify)
    )


def test_an_sms_carries_a_download_link_that_serves_that_file_only(invoice, store, tmp_path):
    client, document = invoice
    with smsru_fake() as fake:
        sms = SmsRuSender("KEY", base_url=fake.url)
        Deliverer({"sms": sms}, _config(), store=store, sleep=lambda s: None).run_once()
        (req,) = fake.requests
    text = req.form["msg"]
    assert "вложени" not in text
    token = LINK.search(text).group(1)
    assert "Ссылка действует до" in text

    from admin.app import create_app

    app = create_app(_config(), file_store=store, testing=True)
    web = app.test_client()  # no login
    resp = web.get(f"/f/{token}")
    assert resp.status_code == 200 and resp.data == store.read(document.storage_key)
    assert resp.data.startswith(b"%PDF") and "attachment" in resp.headers["Content-Disposition"]
    assert web.get(f"/f/{token[:-2]}xx").status_code == 404
    assert web.get("/f/" + "A" * 200).status_code == 404
    FileLink.update(expires_at=utcnow() - timedelta(minutes=1)).execute()
    assert web.get(f"/f/{token}").status_code == 404  # expired


def test_a_resend_reuses_the_link_and_telegram_gets_the_file_itself(invoice, store):
    client, document = invoice
    note = Notification.get()
    with smsru_fake() as fake:
        sms = SmsRuSender("KEY", base_url=fake.url)
        Deliverer({"sms": sms}, _config(), store=store, sleep=lambda s: None).run_once()
        Notification.update(status="pending").where(Notification.id == note.id).execute()
        Deliverer({"sms": sms}, _config(), store=store, sleep=lambda s: None).run_once()
        first, second = (LINK.search(r.form["msg"]).group(1) for r in fake.requests)
    assert first == second and FileLink.select().count() == 1

    MessengerLink.create(channel="telegram", external_id="555", client=client)
    Notification.update(status="pending", failed_channels=[]).where(
        Notification.id == note.id
    ).execute()
    telegram = FakeSender("telegram")
    Deliverer(
        {"telegram": telegram, "sms": sms}, _config(), store=store, sleep=lambda s: None
    ).run_once()
    (sent,) = telegram.sent
    assert [name for name, _, _ in sent.attachments] == [document.storage_key.rsplit("/", 1)[-1]]
    assert "/f/" not in sent.text and "вложени" not in sent.text


def test_with_no_link_possible_the_file_goes_by_e_mail_not_as_an_empty_promise(invoice, store):
    client, document = invoice
    Client.update(email="sms-only@example.test").where(Client.id == client.id).execute()
    sms, mail = FakeSender("sms"), FakeSender("email")
    config = _config(base_url="", fallback=("sms", "email"))
    Deliverer({"sms": sms, "email": mail}, config, store=store, sleep=lambda s: None).run_once()
    Deliverer({"sms": sms, "email": mail}, config, store=store, sleep=lambda s: None).run_once()
    assert sms.sent == []
    (letter,) = mail.sent
    assert letter.attachments and letter.attachments[0][1] == store.read(document.storage_key)
    note = Notification.get()
    assert note.status == "sent" and note.sent_channel == "email" and "sms" in note.failed_channels


def test_transports_that_cannot_carry_a_file_refuse_one_instead_of_dropping_it():
    message = OutgoingMessage(
        "+79120000061", "Счёт", attachments=[("счёт.pdf", b"%PDF", "application/pdf")]
    )
    with smsru_fake() as fake:
        with pytest.raises(DeliveryError) as err:
            SmsRuSender("KEY", base_url=fake.url).send(message)
        assert err.value.permanent and fake.requests == []
    viber = ViberSender(Config(), api=object())  # never reached: refused before any call
    with pytest.raises(DeliveryError) as err:
        viber.send(dataclasses.replace(message, address="viber-user"))
    assert err.value.permanent
