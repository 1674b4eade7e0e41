"""`brigadir run` when Telegram cannot be reached at start (blocked, no DNS, refused): it
does not exit with a traceback; the admin and the web chat serve, the channel is marked
failing with a Russian reason, and the bot keeps trying by itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests

from core.channels.models import ChannelState
from tests.cli.test_run import ROOT, _free_port, _wait_for
from tests.fakes.outages import dns_url, refused_url


@pytest.mark.parametrize(("api", "reason"), [
    (dns_url, "адрес сервера не найден"), (refused_url, "сервер не принимает соединения"),
], ids=["dns", "refused"])  # fmt: skip
def test_run_goes_on_when_telegram_is_unreachable_at_start(tmp_path, database_url, db, api, reason):
    port = _free_port()
    env = {**os.environ, "BRIGADIR_DATABASE_URL": database_url, "BRIGADIR_WEB_PORT": str(port),
           "PYTHONPATH": str(ROOT), "COLUMNS": "200", "BRIGADIR_TELEGRAM_TOKEN": "1:TOKEN",
           "BRIGADIR_TELEGRAM_API_BASE": api()}  # fmt: skip
    init = subprocess.run([sys.executable, "-m", "cli", "init", "--demo"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert init.returncode == 0, init.stdout + init.stderr
    proc = subprocess.Popen([sys.executable, "-m", "cli", "run"], cwd=tmp_path, env=env,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    seen: list[str] = []
    threading.Thread(
        target=lambda: seen.extend(iter(proc.stdout.readline, "")), daemon=True
    ).start()
    try:
        _wait_for(proc, seen, "Ctrl+C")
        out = _wait_for(proc, seen, reason, timeout=60)
        time.sleep(1)
        assert proc.poll() is None, "".join(seen)  # still running
        assert requests.get(f"http://127.0.0.1:{port}/login", timeout=10).status_code == 200
        assert requests.get(f"http://127.0.0.1:{port}/chat/", timeout=10).status_code == 200
        assert "Traceback" not in out and "TelegramNetworkError" not in out
        state = ChannelState.get(ChannelState.channel == "telegram")
        assert state.state == "failing" and reason in state.last_error
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0 and "Traceback" not in "".join(seen)
