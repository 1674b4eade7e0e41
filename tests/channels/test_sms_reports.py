"""Issue 23, item 1: SMS delivery reports, asked for (no public address needed). The real
SMS.ru transport sends and then asks /sms/status as SMS.ru publishes it; a report that the
SMS never arrived marks the client's phone undeliverable for SMS and sends the message by the
next channel at once; a delivered one and one still on its way are left as they are."""

from __future__ import annotations

from bots.sms.transport import SmsRuSender
from core.base.config import Config, NotifySection, SmsSection
from core.channels.models import ContactProblem
from core.clients.clients import create_client
from core.clients.models import MessengerLink
from core.conversations import delivery, outbox
from core.conversations.models import Notification
from scheduler.app import build_scheduler, sms_reports
from scheduler.deliverer import Deliverer
from scheduler.ratelimit import RateLimiter
from tests.fakes.channels import FakeSender
from tests.fakes.http import FakeHTTPServer, Reply


class SmsRu(FakeHTTPServer):
    """SMS.ru's /sms/send and /sms/status (json=1); `reports` sets each id's status code."""

    TEXTS = {103: "Сообщение доставлено", 102: "Сообщение в пути",
             107: "Сообщение не может быть доставлено: неизвестная причина"}  # fmt: skip

    def __init__(self) -> None:
        self.sent: dict[str, str] = {}  # sms_id -> phone
        self.reports: dict[str, int] = {}
        super().__init__(self._handle)

    def _handle(self, req):
        if req.form.get("api_id") != "KEY":
            return Reply(
                200, {"status": "ERROR", "status_code": 200, "status_text": "Неправильный api_id"}
            )
        if req.path == "/sms/send":
            sms_id = f"0000{len(self.sent) + 1}-1000{len(self.sent) + 1}"
            self.sent[sms_id] = req.form["to"]
            item = {"status": "OK", "status_code": 100, "sms_id": sms_id}
            return Reply(
                200,
                {"status": "OK", "status_code": 100, "sms": {req.form["to"]: item}, "balance": 9.5},
            )
        if req.path == "/sms/status":
            found = {}
            for sms_id in req.form["sms_id"].split(","):
                code = self.reports.get(sms_id, 102)
                found[sms_id] = {
                    "status": "OK",
                    "status_code": code,
                    "status_text": self.TEXTS[code],
                }
            return Reply(200, {"status": "OK", "status_code": 100, "sms": found, "balance": 9.5})
        return Reply(404, {"status": "ERROR", "status_code": 404})


def test_an_undelivered_sms_report_sends_the_message_by_the_next_channel(actors):
    m = actors["manager"]
    lost = create_client(m, "Потерянный Телефон", "+79120000091")
    MessengerLink.create(channel="vk", external_id="910", client=lost)
    fine = create_client(m, "Дошло", "+79120000092")
    slow = create_client(m, "В Пути", "+79120000093")
    notes = [
        outbox.notify_client(c, f"Заказ готов, {c.name}", key=f"r{c.id}")
        for c in (lost, fine, slow)
    ]
    config = Config(notify=NotifySection(fallback=("sms", "vk")))
    vk = FakeSender("vk")
    with SmsRu() as gateway:
        sms = SmsRuSender("KEY", base_url=gateway.url)
        deliverer = Deliverer(
            {"sms": sms, "vk": vk}, config, limiter=RateLimiter({}), sleep=lambda s: None
        )
        deliverer.run_once()
        ids = {n.id: Notification.get_by_id(n.id).external_id for n in notes}
        assert all(ids.values()) and not vk.sent
        gateway.reports = {ids[notes[0].id]: 107, ids[notes[1].id]: 103}

        assert sms_reports(sms) == 1
        asked = [r for r in gateway.requests if r.path == "/sms/status"]
        assert len(asked) == 1 and set(asked[0].form["sms_id"].split(",")) == set(ids.values())
        deliverer.run_once()

    back = Notification.get_by_id(notes[0].id)
    assert (back.status, back.sent_channel) == ("sent", "vk") and "sms" in back.failed_channels
    assert [msg.text for msg in vk.sent] == ["Заказ готов, Потерянный Телефон"]
    (problem,) = ContactProblem.select()
    assert (problem.client_id, problem.channel, problem.address) == (lost.id, "sms", "+79120000091")
    assert "не может быть доставлено" in problem.reason
    for other in notes[1:]:  # delivered, and still on its way: left as they are
        assert Notification.get_by_id(other.id).sent_channel == "sms"
    later = outbox.notify_client(lost, "Оплата получена", key="paid")
    assert [r.channel for r in delivery.routes_for(later, ("sms", "vk"))] == ["vk"]


def test_the_scheduler_asks_for_reports_where_the_gateway_gives_them(db):
    from scheduler.transports import build_transports

    with_sms = Config(sms=SmsSection(provider="smsru", api_id="KEY"))
    for config, expected in ((Config(), False), (with_sms, True)):
        scheduler = build_scheduler(config, build_transports(config, only=("sms",)))
        scheduler.start(paused=True)
        has = any(job.id == "sms_reports" for job in scheduler.get_jobs())
        scheduler.shutdown(wait=False)
        assert has is expected


class Smsc(FakeHTTPServer):
    """SMSC.ru's /sys/send.php and /sys/status.php with fmt=3 (JSON), as SMSC publishes them:
    status 1 delivered, 0 waiting, 20 cannot be delivered (with err, the reason's code)."""

    def __init__(self) -> None:
        self.reports: dict[tuple[str, str], int] = {}
        self.next_id = 100
        super().__init__(self._handle)

    def _handle(self, req):
        if (req.form.get("login"), req.form.get("psw")) != ("firm", "pw"):
            return Reply(200, {"error": "authorise error", "error_code": 2})
        if req.path == "/sys/send.php":
            self.next_id += 1
            return Reply(200, {"id": self.next_id, "cnt": 1})
        if req.path == "/sys/status.php":
            status = self.reports.get((req.form["id"], req.form["phone"]), 0)
            return Reply(200, {"status": status, "last_date": "07.12.2026 10:00:00",
                               "last_timestamp": 1796626800, "err": 253 if status == 20 else 0})  # fmt: skip
        return Reply(404, {"error": "not found", "error_code": 404})


def test_smsc_reports_work_the_same_way(actors):
    from bots.sms.transport import SmscSender

    lost = create_client(actors["manager"], "Недоступный", "+79120000094")
    MessengerLink.create(channel="telegram", external_id="940", client=lost)
    kept = create_client(actors["manager"], "Доступный", "+79120000095")
    notes = [outbox.notify_client(c, "Заказ готов", key=f"s{c.id}") for c in (lost, kept)]
    config = Config(notify=NotifySection(fallback=("sms", "telegram")))
    telegram = FakeSender("telegram")
    with Smsc() as gateway:
        sms = SmscSender("firm", "pw", base_url=gateway.url)
        deliverer = Deliverer({"sms": sms, "telegram": telegram}, config, limiter=RateLimiter({}),
                              sleep=lambda s: None)  # fmt: skip
        deliverer.run_once()
        ref = Notification.get_by_id(notes[0].id).external_id
        assert ref == f"{gateway.next_id - 1}:79120000094"  # id and phone: SMSC asks for both
        gateway.reports[(str(gateway.next_id - 1), "79120000094")] = 20
        gateway.reports[(str(gateway.next_id), "79120000095")] = 1
        assert sms_reports(sms) == 1
        deliverer.run_once()
    assert (
        Notification.get_by_id(notes[0].id).sent_channel == "telegram" and len(telegram.sent) == 1
    )
    assert Notification.get_by_id(notes[1].id).sent_channel == "sms"
    (problem,) = ContactProblem.select()
    assert problem.client_id == lost.id and "статус 20" in problem.reason
