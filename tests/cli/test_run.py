"""`brigadir run` as a newcomer starts it: one process serving the admin and the web chat,
with the scheduler inside, printing where to go and how to log in; Ctrl+C stops it."""

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
import requests

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(proc: subprocess.Popen, seen: list[str], needle: str, timeout: float = 90) -> str:
    """Wait until the process has printed needle (a reader thread collects its lines)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = "".join(seen)
        if needle in text:
            return text
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"no {needle!r} in output:\n{''.join(seen)}")


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_run_serves_admin_and_chat_and_stops_cleanly(tmp_path, database_url, db, stop_signal):
    port = _free_port()
    env = {
        **os.environ,
        "BRIGADIR_DATABASE_URL": database_url,
        "BRIGADIR_WEB_PORT": str(port),
        "PYTHONPATH": str(ROOT),
        "COLUMNS": "200",
    }
    init = subprocess.run(
        [sys.executable, "-m", "cli", "init", "--demo"], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert init.returncode == 0, init.stdout + init.stderr
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "run"], cwd=tmp_path, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    seen: list[str] = []
    reader = threading.Thread(
        target=lambda: seen.extend(iter(proc.stdout.readline, "")), daemon=True
    )
    reader.start()
    try:
        out = _wait_for(proc, seen, "Ctrl+C")
        assert f"http://127.0.0.1:{port}/admin/" in out and "логин director, пароль" in out
        assert f"http://127.0.0.1:{port}/chat/" in out and "код приглашения" in out
        login = requests.get(f"http://127.0.0.1:{port}/login", timeout=10)
        assert login.status_code == 200 and "Вход" in login.text
        # a production server, not Werkzeug's development one (which names itself)
        assert "werkzeug" not in login.headers.get("Server", "").lower()
        chat = requests.get(f"http://127.0.0.1:{port}/chat/", timeout=10)
        assert chat.status_code == 200
    finally:
        proc.send_signal(stop_signal)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    reader.join(timeout=5)
    assert proc.returncode == 0 and "Остановлено" in "".join(seen)
