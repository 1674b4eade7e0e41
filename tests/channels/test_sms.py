from __future__ import annotations

import time

import pytest

from bots.sms.text import fit, is_gsm7, segments, translit
from bots.sms.transport import HttpFormSender, SmscSender, SmsRuSender, build
from core.base.config import Config, SmsSection
from core.base.interfaces import DeliveryError, OutgoingMessage
from tests.fakes.http import FakeHTTPServer, Reply


def smsru_fake(code_for=lambda phone: 100, status=200):
    def handle(req):
        if status != 200:
            return Reply(status, "oops")
        phone = req.form["to"]
        code = code_for(phone)
        if code == 100:
            item = {"status": "OK", "status_code": 100, "sms_id": f"000-{phone[-4:]}"}
        else:
            item = {
                "status": "ERROR",
                "status_code": code,
                "status_text": "Неправильно указан номер",
            }
        return Reply(200, {"status": "OK", "status_code": 100, "sms": {phone: item}, "balance": 10})

    return FakeHTTPServer(handle)


def test_smsru_sends_the_documented_request_and_returns_the_sms_id():
    with smsru_fake() as fake:
        sender = SmsRuSender("KEY", base_url=fake.url, sender="Brigadir")
        sms_id = sender.send(OutgoingMessage("8 (912) 345-67-89", "Заказ №5 готов"))
    (req,) = fake.requests
    assert req.path == "/sms/send"
    assert req.form == {
        "api_id": "KEY",
        "to": "79123456789",
        "msg": "Заказ №5 готов",
        "json": "1",
        "from": "Brigadir",
    }
    assert sms_id == "000-6789"


@pytest.mark.parametrize("raw", ["+7 (912) 345 67 89", "8-912-345-67-89", "9123456789"])
def test_phones_in_strange_formats_are_normalized(raw):
    with smsru_fake() as fake:
        SmsRuSender("KEY", base_url=fake.url).send(OutgoingMessage(raw, "Привет"))
    assert fake.requests[0].form["to"] == "79123456789"


@pytest.mark.parametrize("raw", ["12", "позвоните мне", "+7 000"])
def test_an_invalid_phone_is_a_permanent_error_and_nothing_is_sent(raw):
    with smsru_fake() as fake:
        with pytest.raises(DeliveryError) as err:
            SmsRuSender("KEY", base_url=fake.url).send(OutgoingMessage(raw, "Привет"))
    assert err.value.permanent and fake.requests == []


@pytest.mark.parametrize(
    ("code", "permanent"),
    [(202, True), (203, True), (205, True), (207, True), (209, True), (201, False), (204, False),
     (206, False), (220, False), (230, False), (231, False)],
)  # fmt: skip
def test_smsru_codes_follow_its_published_list(code, permanent):
    with smsru_fake(code_for=lambda p: code) as fake:
        with pytest.raises(DeliveryError) as err:
            SmsRuSender("KEY", base_url=fake.url).send(OutgoingMessage("+79123456789", "x"))
    assert err.value.permanent is permanent and str(code) in str(err.value)


def smsc_fake(answer=lambda form: {"id": 42, "cnt": 1}, status=200):
    return FakeHTTPServer(lambda req: Reply(status, answer(req.form)))


def test_smsc_sends_the_documented_request_and_returns_the_message_id():
    with smsc_fake() as fake:
        sender = SmscSender("shop", "secret", base_url=fake.url, sender="Brigadir")
        assert (
            sender.send(OutgoingMessage("8 (912) 345-67-89", "Заказ №5 готов")) == "42:79123456789"
        )
    (req,) = fake.requests
    assert req.path == "/sys/send.php"
    assert req.form == {
        "login": "shop",
        "psw": "secret",
        "phones": "79123456789",
        "mes": "Заказ №5 готов",
        "fmt": "3",
        "charset": "utf-8",
        "sender": "Brigadir",
    }


@pytest.mark.parametrize(
    ("code", "permanent", "retry_after"),
    [(6, True, None), (7, True, None), (8, True, None), (1, False, None), (2, False, None),
     (3, False, None), (4, False, None), (9, False, 10)],
)  # fmt: skip
def test_smsc_error_codes_decide_permanent_retry_or_pause(code, permanent, retry_after):
    answer = {"error": "описание", "error_code": code}
    if code in (3, 6, 7, 8):
        answer["id"] = 17  # SMSC names the message id with these errors
    with smsc_fake(lambda form: answer) as fake:
        with pytest.raises(DeliveryError) as err:
            SmscSender("u", "p", base_url=fake.url).send(OutgoingMessage("+79123456789", "x"))
    assert err.value.permanent is permanent and err.value.retry_after == retry_after
    assert str(code) in str(err.value) and str(err.value).startswith("SMSC")
    # a wrong login or an empty account is the channel's failure, not this message's
    assert (err.value.outage is not None) is (code in (2, 3, 4))


def test_provider_codes_decide_permanent_or_retry():
    with smsru_fake(code_for=lambda p: 202) as fake:
        with pytest.raises(DeliveryError) as err:
            SmsRuSender("KEY", base_url=fake.url).send(OutgoingMessage("+79123456789", "x"))
        assert err.value.permanent and "202" in str(err.value)
    with smsru_fake(code_for=lambda p: 201) as fake:  # no money on the account: fixable
        with pytest.raises(DeliveryError) as err:
            SmsRuSender("KEY", base_url=fake.url).send(OutgoingMessage("+79123456789", "x"))
        assert not err.value.permanent
    with smsru_fake(status=500) as fake:
        with pytest.raises(DeliveryError) as err:
            SmsRuSender("KEY", base_url=fake.url).send(OutgoingMessage("+79123456789", "x"))
        assert not err.value.permanent


def test_a_gateway_that_hangs_is_a_retryable_timeout():
    with FakeHTTPServer(lambda req: (time.sleep(1.5), Reply(200, "late"))[1]) as fake:
        sender = HttpFormSender(fake.url + "/send", timeout=0.3)
        with pytest.raises(DeliveryError) as err:
            sender.send(OutgoingMessage("+79123456789", "x"))
    assert not err.value.permanent and err.value.outage == "timeout"
    assert "не ответил вовремя" in str(err.value)


def test_generic_form_gateway_posts_the_fields_and_translits_when_asked():
    with FakeHTTPServer(lambda req: Reply(200, "id-42\n")) as fake:
        sender = HttpFormSender(
            fake.url + "/send", login="u", password="p", sender="Shop", use_translit=True
        )
        assert sender.send(OutgoingMessage("+79123456789", "Заказ №7 готов")) == "id-42"
    form = fake.requests[0].form
    assert form == {
        "login": "u",
        "password": "p",
        "sender": "Shop",
        "phone": "79123456789",
        "text": "Zakaz N7 gotov",
    }
    with FakeHTTPServer(lambda req: Reply(400, "bad phone")) as fake:
        with pytest.raises(DeliveryError) as err:
            HttpFormSender(fake.url).send(OutgoingMessage("+79123456789", "x"))
        assert err.value.permanent


def test_segments_count_gsm7_and_ucs2():
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2 and segments("a" * 306) == 2
    assert segments("я" * 70) == 1 and segments("я" * 71) == 2 and segments("я" * 134) == 2
    assert segments("я" * 135) == 3
    assert segments("[" * 80) == 1 and segments("[" * 81) == 2  # extension chars take two
    assert not is_gsm7("Щит") and is_gsm7(translit("Щит готов, Ёлка"))
    assert translit("Щит готов, Ёлка") == "Shchit gotov, Elka"


def test_a_long_text_is_cut_to_the_part_limit():
    text = "Очень длинное сообщение. " * 40
    cut = fit(text, 3)
    assert segments(cut) <= 3 and cut.endswith("…")


def test_build_picks_the_provider_from_config():
    assert build(Config()) is None
    assert isinstance(build(Config(sms=SmsSection(provider="smsru", api_id="K"))), SmsRuSender)
    assert isinstance(
        build(Config(sms=SmsSection(provider="http", url="http://x"))), HttpFormSender
    )
    smsc = build(Config(sms=SmsSection(provider="smsc", login="u", password="p")))
    assert isinstance(smsc, SmscSender) and smsc.base_url == "https://smsc.ru"
    assert build(Config(sms=SmsSection(provider="smsc", login="u"))) is None  # no password
