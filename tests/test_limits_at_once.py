"""Issue 29, choke point 3 (items 8, 9): every limit counts first and compares after, so tries
sent at once do not slip past it. Each burst is real HTTP to a real server thread: every
request is sent but its last byte, so all of them are inside the server waiting; then the
last bytes go out together and the answers are counted.

The doors: portal code guesses (per contact and address, per code), code requests (per
contact, the same for a stranger's phone as for a client's, and per address), staff sign-in,
the site widget's minute window and its call-backs."""

from __future__ import annotations

import dataclasses
import re
import socket
import threading
import time
from collections import Counter
from urllib.parse import urlencode

import pytest
import requests

from cli.serve import build_web_app
from core.base.config import Config
from core.clients.clients import create_client
from core.conversations.models import Message, Notification
from core.selfservice.models import PortalCode, PortalSession
from storage.local import LocalStore

pytestmark = pytest.mark.e2e

SITE = "http://firm-site.test"
PHONE = "+7 912 345-67-89"


@pytest.fixture
def site(db, staff, tmp_path):
    from werkzeug.serving import make_server

    config = Config()
    config = dataclasses.replace(
        config,
        app=dataclasses.replace(config.app, data_dir=str(tmp_path), secret_key="burst-secret"),
        web=dataclasses.replace(config.web, trusted_proxies=("127.0.0.1",)),
        widget=dataclasses.replace(
            config.widget, allowed_origins=(SITE,), per_ip_per_minute=8, per_visitor_per_minute=1000
        ),  # fmt: skip
    )
    app = build_web_app(config, LocalStore(tmp_path / "files"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()


def _clear_of_window_edge(seconds: int, burst: float = 8.0) -> None:
    """Start a burst well inside one counting window (the windows are fixed)."""
    left = seconds - time.time() % seconds
    if left < burst:
        time.sleep(left + 0.2)


def _raw(port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Content-Length: {len(body)}",
             "Connection: close", *(f"{k}: {v}" for k, v in headers.items())]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def at_once(port: int, raws: list[bytes]) -> list[int]:
    """Send every request but its last byte, then all the last bytes together; the statuses."""
    socks = []
    for raw in raws:
        sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        sock.sendall(raw[:-1])
        socks.append(sock)
    time.sleep(0.5)  # every request is now read up to its last byte and waiting for it
    for sock, raw in zip(socks, raws, strict=True):
        sock.send(raw[-1:])
    statuses = []
    for sock in socks:
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        sock.close()
        statuses.append(int(data.split(b" ", 2)[1]))
    return statuses


def _portal_form(port: int) -> tuple[str, str]:
    """A browser's session cookie and CSRF token for the portal's sign-in form."""
    http = requests.Session()
    page = http.get(f"http://127.0.0.1:{port}/my/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)[1]
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    return cookie, token


def _portal_posts(port: int, forms: list[dict], address: str = "") -> list[bytes]:
    cookie, token = _portal_form(port)
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    if address:  # as the firm's reverse proxy on 127.0.0.1 passes the visitor's address
        headers["X-Forwarded-For"] = address
    return [_raw(port, "/my/login", urlencode({**f, "csrf_token": token}).encode(), headers)
            for f in forms]  # fmt: skip


def _codes_sent() -> int:
    return Notification.select().where(Notification.text.contains("Код для входа")).count()


def test_fifty_code_guesses_at_once_are_checked_five_times(site, actors):
    port = site
    client = create_client(actors["manager"], "Иванов Иван", PHONE)
    _clear_of_window_edge(900)
    assert at_once(port, _portal_posts(port, [{"contact": PHONE, "action": "send"}])) == [200]
    code = PortalCode.get(PortalCode.client == client.id)
    right = re.search(r"\b(\d{6})\b", Notification.get().text)[1]
    wrong = "000000" if right != "000000" else "111111"
    guesses = [{"contact": PHONE, "code": wrong, "action": "code"}] * 50
    statuses = Counter(at_once(port, _portal_posts(port, guesses)))
    # 5 tries per contact and address: the other 45 are refused before anything is checked
    assert statuses == Counter({429: 45, 401: 5}), statuses
    assert PortalCode.get_by_id(code.id).attempts == 5
    # the right code now finds the door shut: guessing in bursts cannot reach it
    assert at_once(port, _portal_posts(port, [{"contact": PHONE, "code": right, "action": "code"}])) == [429]  # fmt: skip
    assert PortalSession.select().count() == 0


def test_the_right_code_in_a_burst_signs_in_once_and_opens_no_more_checks(site, actors):
    """A right code among the guesses signs in at most once; its success forgets the pair's
    failures (as any sign-in does), so the tries still in flight meet a spent code."""
    port = site
    client = create_client(actors["manager"], "Иванов Иван", PHONE)
    _clear_of_window_edge(900)
    assert at_once(port, _portal_posts(port, [{"contact": PHONE, "action": "send"}])) == [200]
    code = PortalCode.get(PortalCode.client == client.id)
    right = re.search(r"\b(\d{6})\b", Notification.get().text)[1]
    wrong = "000000" if right != "000000" else "111111"
    guesses = [{"contact": PHONE, "code": wrong, "action": "code"}] * 49
    guesses.append({"contact": PHONE, "code": right, "action": "code"})
    statuses = Counter(at_once(port, _portal_posts(port, guesses)))
    checked = statuses[401] + statuses[302]
    assert set(statuses) <= {429, 401, 302} and statuses[302] <= 1, statuses
    # without a sign-in exactly five are let through; with one, at most five more after it
    assert checked == 5 if not statuses[302] else 5 <= checked <= 10, statuses
    assert PortalCode.get_by_id(code.id).attempts <= 5
    assert PortalSession.select().count() == statuses[302]


def test_code_requests_at_once_client_and_stranger_alike(site, actors):
    """Behind the firm's proxy (trusted): each burst from its own visitor's address."""
    port = site
    create_client(actors["manager"], "Иванов Иван", PHONE)
    _clear_of_window_edge(900)

    def burst(contacts: list[str], address: str) -> Counter:
        forms = [{"contact": c, "action": "send"} for c in contacts]
        return Counter(at_once(port, _portal_posts(port, forms, address)))

    client_burst = burst([PHONE] * 8, "203.0.113.1")
    stranger_burst = burst(["+7 999 111-22-33"] * 8, "203.0.113.2")
    # 3 per contact: a client's phone and a stranger's are answered exactly alike
    assert client_burst == stranger_burst == Counter({200: 3, 429: 5}), (
        client_burst,
        stranger_burst,
    )
    assert _codes_sent() == 3  # and a probe over the limit sends the client nothing
    # 10 per address, whatever the contacts
    others = [f"+7 999 222-33-{i:02d}" for i in range(14)]
    assert burst(others, "203.0.113.3") == Counter({200: 10, 429: 4})


def test_staff_sign_in_tries_at_once_are_five(site, staff):
    port = site
    http = requests.Session()
    page = http.get(f"http://127.0.0.1:{port}/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)[1]
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in http.cookies.items()),
               "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
    body = urlencode({"login": "maria", "password": "guess-123456", "csrf_token": token}).encode()
    _clear_of_window_edge(900)
    statuses = Counter(at_once(port, [_raw(port, "/login", body, headers)] * 20))
    assert statuses == Counter({401: 5, 429: 15}), statuses


def test_the_widget_minute_window_holds_under_a_burst(site):
    port = site
    headers = {"Origin": SITE, "Content-Type": "application/json"}
    raws = [_raw(port, "/widget/api/send", f'{{"text": "Сколько стоит баннер? {i}"}}'.encode(),
                 headers) for i in range(14)]  # fmt: skip
    _clear_of_window_edge(60, burst=20)
    statuses = Counter(at_once(port, raws))
    assert statuses == Counter({200: 8, 429: 6}), statuses  # per_ip_per_minute = 8


def test_call_backs_at_once_are_three_per_visitor(site):
    port = site
    visitor = "v" * 30
    headers = {"Origin": SITE, "Content-Type": "application/json", "X-Visitor": visitor}
    body = b'{"phone": "+7 912 000-11-22", "name": "\\u0418\\u0440\\u0438\\u043d\\u0430"}'
    _clear_of_window_edge(3600, burst=20)
    statuses = Counter(at_once(port, [_raw(port, "/widget/api/send", body, headers)] * 7))
    assert statuses == Counter({200: 3, 429: 4}), statuses
    asked = Message.select().where(Message.text.startswith("Прошу перезвонить")).count()
    assert asked == 3  # the refused ones wrote nothing
