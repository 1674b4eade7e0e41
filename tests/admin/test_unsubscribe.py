"""Issue 23, item 5: every mailing says how to stop mailings — e-mail with RFC 8058's
List-Unsubscribe and List-Unsubscribe-Post headers (a mail service's one-click POST
unsubscribes, with no sign-in and no CSRF token), SMS with the short link, a messenger with
the word «стоп»; the portal has a switch. Messages about the client's own orders carry none
of it and still come."""

from __future__ import annotations

import dataclasses
import email
from email import policy

from bots.email.transport import SmtpSender
from core.base.config import Config, NotifySection
from core.clients.clients import mailing_choice, unsubscribe_token
from core.clients.models import Client, MessengerLink
from core.conversations import bulk, outbox
from core.conversations.models import Notification
from scheduler.deliverer import Deliverer
from scheduler.ratelimit import RateLimiter
from tests.admin.test_portal import sign_in
from tests.fakes.channels import FakeSender
from tests.fakes.mail import SmtpSink

BASE = "https://crm.example.test"


def _config(*fallback: str) -> Config:
    config = Config(notify=NotifySection(fallback=fallback))
    return dataclasses.replace(config, app=dataclasses.replace(config.app, base_url=BASE))


def _deliver(config, *senders) -> None:
    Deliverer({s.channel: s for s in senders}, config, limiter=RateLimiter({}),
              sleep=lambda s: None).run_once()  # fmt: skip


def test_a_mailing_letter_has_one_click_unsubscribe_and_a_readiness_letter_none(app, world):
    client = world["c1"]
    Client.update(email="ivanov@example.test").where(Client.id == client.id).execute()
    Notification.delete().execute()
    outbox.notify_client(client, "Скидка 10% на баннеры", key="m1", kind=bulk.MAILING)
    outbox.notify_client(client, "Заказ готов", key="r1", order=world["own"])
    with SmtpSink() as sink:
        smtp = SmtpSender("127.0.0.1", sink.port, sender="shop@example.test")
        _deliver(_config("email"), smtp)
        letters = [
            email.message_from_bytes(raw, policy=policy.default) for _, _, raw in sink.messages
        ]
    (mailing,) = [m for m in letters if "Скидка" in m.get_content()]
    (ready,) = [m for m in letters if "готов" in m.get_content()]
    url = f"{BASE}/my/u/{unsubscribe_token(client.id)}"
    assert mailing["List-Unsubscribe"] == f"<{url}>"
    assert mailing["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Отписаться от рассылок: {url}" in mailing.get_content()
    assert ready["List-Unsubscribe"] is None and "Отписаться" not in ready.get_content()

    # What a mail service does on «Отписаться» (RFC 8058 §3.2): a POST, no cookies, no token.
    http = app.test_client()
    path = url.removeprefix(BASE)
    assert http.get(path).status_code == 200 and not Client.get_by_id(client.id).opt_out
    resp = http.post(path, data={"List-Unsubscribe": "One-Click"})
    assert resp.status_code == 200 and "Вы отписаны" in resp.get_data(as_text=True)
    after = Client.get_by_id(client.id)
    assert after.opt_out and "по ссылке из письма" in mailing_choice(after)
    assert http.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200  # twice: fine


def test_a_wrong_link_writes_nothing(app, world):
    http = app.test_client()
    good = unsubscribe_token(world["c1"].id)
    for token in (f"{world['c2'].id}-{good.partition('-')[2]}", "1-0000", "x", "9" * 50):
        resp = http.post(f"/my/u/{token}", data={"List-Unsubscribe": "One-Click"})
        assert resp.status_code == 404 and "Ссылка для отписки неверна" in resp.get_data(
            as_text=True
        )
    assert not Client.select().where(Client.opt_out).exists()


def test_sms_carries_the_short_link_and_a_messenger_the_word(app, world):
    sms_client, tg_client = world["c1"], world["c2"]
    Client.update(phone=None).where(Client.id == tg_client.id).execute()
    MessengerLink.create(channel="telegram", external_id="77", client=tg_client)
    Notification.delete().execute()
    for client in (sms_client, tg_client):
        outbox.notify_client(client, "Скидка", key=f"m{client.id}", kind=bulk.MAILING)
    sms, telegram = FakeSender("sms"), FakeSender("telegram")
    _deliver(_config("telegram", "sms"), sms, telegram)
    (text,) = [m.text for m in sms.sent]
    assert text == f"Скидка Отписаться: {BASE}/my/u/{unsubscribe_token(sms_client.id)}"
    assert [m.text for m in telegram.sent] == [
        "Скидка\n\nНе хотите получать рассылки — напишите «стоп»."
    ]
    app.test_client().post(text.rpartition(BASE)[2])  # the link from the SMS, tapped
    assert Client.get_by_id(sms_client.id).opt_out_via == "link"


def test_the_portal_switch(app, world):
    portal = sign_in(app, world["c1"])
    page = portal.get("/my/").get_data(as_text=True)
    assert "Вы получаете рассылки" in page and "Отписаться от рассылок" in page
    assert portal.post("/my/mailings", data={"wanted": "0"}).status_code == 302
    client = Client.get_by_id(world["c1"].id)
    assert client.opt_out and "в личном кабинете" in mailing_choice(client)
    page = portal.get("/my/").get_data(as_text=True)
    assert "вам не приходят" in page and "Получать рассылки" in page
    portal.post("/my/mailings", data={"wanted": "1"})
    assert not Client.get_by_id(world["c1"].id).opt_out
    # without the form's token nothing changes
    assert portal.client.post("/my/mailings", data={"wanted": "0"}).status_code in (400, 403)
    assert not Client.get_by_id(world["c1"].id).opt_out
