"""Production as README's «На своём сервере» sets it up: `brigadir run` behind Caddy (the
Debian package) with HTTPS, the shipped deploy/Caddyfile and deploy/brigadir.service.

Caddy runs with its internal CA on 127.0.0.1 (a real certificate chain the client checks, no
Let's Encrypt); the program is the real `brigadir run` process. Checked through the proxy:
the admin over HTTPS with its security headers and a Secure session cookie, Telegram's webhook
registered at the https base_url and an update taken through the proxy, the site widget from
another https origin (SameSite=None; Secure), and the client's address as the program sees it
with [web] trusted_proxies — a forged X-Forwarded-For cannot pass for YooKassa."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from core.base import db as dbmod
from core.base.ratelimit import RateCount
from core.setup import prepare
from tests.conftest import _wipe, need_service
from tests.fakes.telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
SITE = "https://shop.example"  # the firm's own site that embeds the widget
CLIENT = "127.0.0.2"  # the visitor's address (all of 127/8 is this machine's loopback)
YOOKASSA_ADDRESS = "185.71.76.1"  # inside YooKassa's published networks
SECRET = "webhook-secret-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(check, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"не дождались: {what}")


class _From(HTTPAdapter):
    """Requests sent from another loopback address, as a visitor's would come from theirs."""

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (CLIENT, 0)
        super().init_poolmanager(*args, **kwargs)


def _caddy(tmp: Path, https_port: int, app_port: int) -> subprocess.Popen:
    """Caddy with the shipped site block; only the global options are the test's own."""
    caddyfile = tmp / "Caddyfile"
    caddyfile.write_text(
        "{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n\tauto_https disable_redirects\n"
        f"\thttp_port {_free_port()}\n\thttps_port {https_port}\n"
        f"\tstorage file_system {tmp / 'caddy'}\n}}\n"
        f"import {ROOT / 'deploy' / 'Caddyfile'}\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "HOME": str(tmp),
        "BRIGADIR_SITE": f"https://127.0.0.1:{https_port}",
        "BRIGADIR_UPSTREAM": f"127.0.0.1:{app_port}",
    }
    return subprocess.Popen(
        ["caddy", "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
        cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def behind_caddy(tmp_path_factory, database_url, _schema):
    """One firm behind one Caddy for the module's checks (starting them takes half a minute)."""
    if dbmod.database.obj is not _schema:  # as the db fixture does (tests/conftest.py)
        dbmod.disconnect()
        dbmod.database.initialize(_schema)
    _wipe(_schema)
    prepare()
    tmp_path = tmp_path_factory.mktemp("server")
    if shutil.which("caddy") is None:
        need_service("Caddy", "нет команды caddy (apt-get install caddy)")
    telegram = FakeTelegram().start_in_thread()
    https_port, app_port = _free_port(), _free_port()
    base = f"https://127.0.0.1:{https_port}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "COLUMNS": "200",
        "BRIGADIR_DATABASE_URL": database_url,
        "BRIGADIR_WEB_PORT": str(app_port),
        "BRIGADIR_APP_BASE_URL": base,
        "BRIGADIR_WEB_HTTPS": "true",
        "BRIGADIR_WEB_TRUSTED_PROXIES": "127.0.0.1",
        "BRIGADIR_TELEGRAM_TOKEN": "123456:TEST",
        "BRIGADIR_TELEGRAM_MODE": "webhook",
        "BRIGADIR_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "BRIGADIR_TELEGRAM_API_BASE": telegram.base,
        "BRIGADIR_WIDGET_ALLOWED_ORIGINS": SITE,
        "BRIGADIR_YOOKASSA_SHOP_ID": "123456",
        "BRIGADIR_YOOKASSA_SHOP_SECRET": "test_secret",
    }
    init = subprocess.run([sys.executable, "-m", "cli", "init"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert init.returncode == 0, init.stdout + init.stderr
    app = subprocess.Popen([sys.executable, "-m", "cli", "run"], cwd=tmp_path, env=env, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    out: list[str] = []
    threading.Thread(target=lambda: out.extend(iter(app.stdout.readline, "")), daemon=True).start()
    caddy = _caddy(tmp_path, https_port, app_port)
    ca = tmp_path / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    try:
        _wait(lambda: "Ctrl+C" in "".join(out) or app.poll() is not None, "brigadir run")
        assert app.poll() is None, "".join(out)

        def answers() -> bool:
            try:
                return requests.get(f"{base}/login", verify=str(ca), timeout=5).ok
            except (requests.ConnectionError, OSError):
                return caddy.poll() is not None  # stop waiting: Caddy has failed
            except requests.exceptions.SSLError:
                return False

        _wait(answers, "Caddy по https")
        assert caddy.poll() is None, caddy.stderr.read()
        yield {"base": base, "ca": str(ca), "telegram": telegram, "out": out}
    finally:
        _stop(caddy)
        _stop(app)
        telegram.stop_thread()


def test_the_admin_is_served_over_https_with_security_headers(behind_caddy):
    base, ca = behind_caddy["base"], behind_caddy["ca"]
    page = requests.get(f"{base}/login", verify=ca, timeout=10)
    assert page.status_code == 200 and "Вход" in page.text
    headers = page.headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "werkzeug" not in headers.get("Server", "").lower()
    session = page.raw.headers.getlist("Set-Cookie")
    assert session and all("Secure" in c and "HttpOnly" in c for c in session), session
    with pytest.raises(requests.exceptions.SSLError):  # a real chain: untrusted without the CA
        requests.get(f"{base}/login", timeout=10)


def test_telegram_webhook_is_registered_at_the_https_address_and_works(behind_caddy):
    base, ca, telegram = behind_caddy["base"], behind_caddy["ca"], behind_caddy["telegram"]
    url = f"{base}/telegram/webhook"
    assert telegram.webhook.get("url") == url, telegram.calls
    assert telegram.webhook.get("secret_token") == SECRET
    update = telegram.message_update(7001, text="/start")
    forged = requests.post(url, json=update, verify=ca, timeout=10)
    assert forged.status_code in (401, 403)  # without Telegram's secret header
    taken = requests.post(
        url, json=update, verify=ca, timeout=10, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert taken.status_code == 200
    _wait(lambda: any(p.get("chat_id") in (7001, "7001") for p in telegram.sent()), "ответ бота")


def test_widget_from_another_https_site_gets_a_cross_site_secure_cookie(behind_caddy):
    base, ca = behind_caddy["base"], behind_caddy["ca"]
    visitor = requests.Session()
    visitor.mount("https://", _From())
    sent = visitor.post(
        f"{base}/widget/api/send",
        json={"text": "Сколько стоит визитка?"},
        headers={"Origin": SITE, "X-Forwarded-For": "10.9.9.9"},  # forged: Caddy drops it
        verify=ca,
        timeout=10,
    )
    assert sent.status_code == 200, sent.text
    assert sent.headers["Access-Control-Allow-Origin"] == SITE
    assert sent.headers["Access-Control-Allow-Credentials"] == "true"
    cookie = sent.headers["Set-Cookie"]
    assert "Secure" in cookie and "SameSite=None" in cookie, cookie
    # the program counted the visitor's own address (Caddy's X-Forwarded-For, believed because
    # Caddy is in [web] trusted_proxies), neither the proxy's nor the forged one
    keys = [row.key for row in RateCount.select(RateCount.key)]
    assert any(k.startswith(f"widget:ip:{CLIENT}/") for k in keys), keys
    assert not any("10.9.9.9" in k or "widget:ip:127.0.0.1/" in k for k in keys), keys


def test_yookassa_notification_is_judged_by_the_address_caddy_saw(behind_caddy):
    base, ca = behind_caddy["base"], behind_caddy["ca"]
    sender = requests.Session()
    sender.mount("https://", _From())
    resp = sender.post(
        f"{base}/yookassa/notify",
        json={"event": "payment.succeeded", "object": {"id": "2d0c4d3e-000f-5000-8000-1"}},
        headers={"X-Forwarded-For": YOOKASSA_ADDRESS},  # pretending to be YooKassa
        verify=ca,
        timeout=10,
    )
    assert resp.status_code == 403, resp.text
    assert f"({CLIENT})" in resp.json()["error"]  # the sender's real address, through the proxy


def test_the_shipped_systemd_unit_is_valid(tmp_path):
    if shutil.which("systemd-analyze") is None:
        need_service("systemd-analyze", "нет systemd")
    text = (ROOT / "deploy" / "brigadir.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/brigadir/.venv/bin/brigadir run" in text
    assert "Restart=on-failure" in text and "StandardOutput" not in text  # logs go to journald
    # the same unit where this checkout lives (verify wants the program and the user to exist)
    unit = tmp_path / "brigadir.service"
    program = str(Path(sys.executable).parent / "brigadir")
    here = text.replace("/opt/brigadir/.venv/bin/brigadir", program)
    here = here.replace("/opt/brigadir", str(ROOT)).replace("=brigadir\n", "=root\n")
    unit.write_text(here, encoding="utf-8")
    checked = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                             text=True, timeout=60)  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
