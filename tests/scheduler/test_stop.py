"""`brigadir scheduler` and `brigadir run` stop promptly: SIGTERM or Ctrl+C finishes the message in hand,
hands the lease over and exits within 3 s, even in a batch paced at the SMS rate; a
standby scheduler takes over within 5 s."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core.base.models import Setting
from core.clients.models import Client
from core.conversations.models import Notification
from tests.fakes.http import FakeHTTPServer, Reply

ROOT = Path(__file__).resolve().parents[2]


class SlowSmsRu(FakeHTTPServer):
    """An SMS.ru-shaped gateway that takes `delay` seconds per message."""

    def __init__(self, delay: float):
        self.delay = delay
        self.answered = 0
        super().__init__(self._handle)

    @property
    def sends(self) -> list:
        """The messages asked for (the scheduler's channel check asks for the balance too)."""
        return [r for r in self.requests if r.path == "/sms/send"]

    def _handle(self, req):
        if req.path == "/my/balance":  # the periodic channel check (scheduler.health)
            return Reply(200, {"status": "OK", "status_code": 100, "balance": 100.0})
        time.sleep(self.delay)
        phone = req.form["to"]
        self.answered += 1
        item = {"status": "OK", "status_code": 100, "sms_id": f"id-{self.answered}"}
        return Reply(200, {"status": "OK", "status_code": 100, "sms": {phone: item}})


def _seed(n: int) -> None:
    Notification.delete().execute()
    Client.insert_many(
        [{"name": f"Абонент {i}", "phone": f"+7912{i:07d}"} for i in range(n)]
    ).execute()
    ids = [c.id for c in Client.select(Client.id).where(Client.name.startswith("Абонент "))]
    Notification.insert_many(
        [{"audience": "client", "client": c, "text": f"Заказ готов {i}", "idempotency_key": f"s:{i}"}
         for i, c in enumerate(ids)]
    ).execute()  # fmt: skip


class Scheduler:
    """`python -m cli scheduler` over the test database, its output collected."""

    def __init__(self, tmp_path, database_url, gateway_url, command="scheduler"):
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BRIGADIR_DATABASE_URL": database_url,
            "BRIGADIR_SMS_PROVIDER": "smsru",
            "BRIGADIR_SMS_API_ID": "KEY",
            "BRIGADIR_SMS_URL": gateway_url,
            "BRIGADIR_SMS_PER_SECOND": "2",
            "BRIGADIR_NOTIFY_FALLBACK": "sms",
            "BRIGADIR_NOTIFY_DELIVER_EVERY_SECONDS": "0.5",
            "BRIGADIR_WEB_PORT": str(_free_port()),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cli", command], cwd=tmp_path, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _holder() -> str:
    row = Setting.get_or_none(Setting.key == "lease:scheduler")
    return (row.value or {}).get("holder", "") if row else ""


def _wait_for(predicate, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, f"timed out waiting for {what}"
        time.sleep(0.02)
    return time.monotonic() - started


@pytest.mark.parametrize("command", ["scheduler", "run"])
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_stop_finishes_the_message_in_hand_and_exits_within_3_s(
    tmp_path, db, database_url, stop_signal, command
):
    _seed(40)
    with SlowSmsRu(delay=0.4) as gateway:
        worker = Scheduler(tmp_path, database_url, gateway.url, command)
        try:
            _wait_for(lambda: len(gateway.sends) >= 2, 60, "the first SMS")
            stopped = time.monotonic()
            worker.proc.send_signal(stop_signal)
            worker.proc.wait(timeout=15)
            took = time.monotonic() - stopped
        finally:
            if worker.proc.poll() is None:
                worker.proc.kill()
        requests = len(gateway.sends)

    assert worker.proc.returncode == 0, worker.output
    assert took <= 3, f"stopped in {took:.1f} s\n{worker.output}"
    assert "Остановлено." in worker.output
    sent = Notification.select().where(Notification.status == "sent").count()
    assert sent == requests < 40  # the message in hand was finished and written; no more
    assert not Notification.select().where(Notification.status == "sending").exists()
    assert _holder() == ""  # the lease was handed back


def test_a_standby_takes_over_within_5_s_when_the_holder_is_stopped(tmp_path, db, database_url):
    _seed(60)
    with SlowSmsRu(delay=0.05) as gateway:
        first = Scheduler(tmp_path, database_url, gateway.url)
        second = None
        try:
            _wait_for(lambda: f":{first.proc.pid}:" in _holder(), 60, "the first to hold")
            second = Scheduler(tmp_path, database_url, gateway.url)
            _wait_for(lambda: "Планировщик запущен" in second.output, 60, "the standby")
            assert f":{first.proc.pid}:" in _holder()  # the second one stands by
            first.proc.send_signal(signal.SIGTERM)
            assert first.proc.wait(timeout=10) == 0
            before = len(gateway.sends)
            took = _wait_for(lambda: f":{second.proc.pid}:" in _holder(), 10, "the takeover")
            _wait_for(lambda: len(gateway.sends) > before, 10, "delivery to resume")
        finally:
            for proc in (first.proc, second.proc if second else None):
                if proc is not None and proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
                    proc.wait(timeout=15)
    assert took <= 5, f"the standby took over after {took:.1f} s"
