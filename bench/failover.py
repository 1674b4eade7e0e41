"""Failover benchmark (prints figures; not a test): a readiness message to a client whose
first channel (Telegram) is failing reaches them by the next one (SMS) — target ≤ 5 s from
the moment it is queued to the moment the SMS gateway has it.

The real deliverer loop (scheduler.deliverer.Deliverer.serve, as `brigadir run` runs it),
the real Telegram and SMS.ru transports over HTTP, Telegram failing four ways: its address
not resolving, its port refusing, a server that accepts and never answers (slowed to death,
the default 4 s platform_timeout), and a channel already known failing (skipped at once).

    python -m bench failover
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.base import db as dbmod  # noqa: E402
from core.base.config import Config, NotifySection, SmsSection, TelegramSection  # noqa: E402
from core.channels import health  # noqa: E402
from core.channels.models import ChannelState  # noqa: E402
from core.clients.models import Client, MessengerLink  # noqa: E402
from core.conversations import outbox  # noqa: E402
from core.setup import prepare  # noqa: E402
from scheduler.deliverer import Deliverer  # noqa: E402
from scheduler.transports import build_transports  # noqa: E402
from tests.fakes.http import FakeHTTPServer, Reply  # noqa: E402
from tests.fakes.outages import BlackHole, dns_url, refused_url  # noqa: E402

TARGET = 5.0
RUNS = 5


class SmsRu(FakeHTTPServer):
    """SMS.ru's /sms/send, answering at once; records when each message arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        super().__init__(self._handle)

    def _handle(self, req):
        if req.path == "/my/balance":
            return Reply(200, {"status": "OK", "status_code": 100, "balance": 50.0})
        phone = req.form["to"]
        self.arrived.setdefault(req.form["msg"], time.monotonic())
        item = {"status": "OK", "status_code": 100, "sms_id": f"id-{len(self.arrived)}"}
        return Reply(200, {"status": "OK", "status_code": 100, "sms": {phone: item}})


def _one(label: str, telegram_url: str, sms: SmsRu, *, known_failing: bool = False) -> None:
    config = Config(
        telegram=TelegramSection(token="1:T", api_base=telegram_url),
        sms=SmsSection(provider="smsru", api_id="KEY", url=sms.url),
        notify=replace(NotifySection(), deliver_every_seconds=0.2),
    )
    figures = []
    for run in range(RUNS):
        ChannelState.delete().execute()
        if known_failing:
            health.record_failure("telegram", "Telegram: сервер не отвечает", "timeout")
        client = Client.create(
            name=f"Клиент {label} {run}", phone=f"+7912{run:03d}{len(label):04d}"
        )
        MessengerLink.create(channel="telegram", external_id=f"{run}{len(label)}", client=client)
        stop = threading.Event()
        deliverer = Deliverer(build_transports(config, only=("telegram", "sms")), config)
        loop = threading.Thread(target=deliverer.serve, args=(stop,), daemon=True)
        loop.start()
        time.sleep(0.5)  # the loop idles, as it does between messages
        text = f"Заказ {label} {run} готов"
        queued = time.monotonic()
        outbox.notify_client(client, text, key=f"{label}:{run}")
        while text not in sms.arrived and time.monotonic() - queued < 60:
            time.sleep(0.01)
        figures.append(sms.arrived.get(text, float("inf")) - queued)
        stop.set()
        loop.join(10)
    worst = max(figures)
    verdict = "ok" if worst <= TARGET else "OVER"
    print(f"{label:<40} median {sorted(figures)[len(figures) // 2]:5.2f} s  "
          f"worst {worst:5.2f} s  (target ≤ {TARGET:.0f} s: {verdict})", flush=True)  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, SmsRu() as sms, BlackHole() as hole:
        dbmod.connect(f"sqlite:///{tmp}/bench.db")
        prepare()
        print(f"readiness message to a client whose first channel fails, {RUNS} runs each:")
        _one("Telegram: address does not resolve", dns_url(), sms)
        _one("Telegram: connection refused", refused_url(), sms)
        _one("Telegram: accepts, never answers", hole.url, sms)
        _one("Telegram: already known failing", hole.url, sms, known_failing=True)
        dbmod.disconnect()


if __name__ == "__main__":
    main()
