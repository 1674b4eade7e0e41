"""A firm at its peak, growing: a mixed load on one running `brigadir run` (web, Telegram
webhook, scheduler with its deliverer) at 10 000, 100 000 and 1 000 000 orders.

Who is on it at once (each person a thread with its own HTTP session, pausing between steps
as people do):
- 20 managers on admin pages (order tabs, searches, cards, clients, the dashboard) and moving
  an order to its next stage now and then (which writes client messages to the outbox);
- 50 crew members in the web chat (their tasks, the cash on hand, an expense in words);
- 200 clients in the web chat (a question, an answer);
- Telegram posting updates to the webhook (a fake Telegram on 127.0.0.1 that also takes the
  bot's replies and the outbox's messages);
- the scheduler delivering the outbox to that Telegram.
Per kind: requests per second and p50/p95 latency; for the outbox, messages sent and how long
a message waited in the outbox (p95). The goal: p95 ≤ 100 ms for every kind and the cost flat
as the data grows.

Baselines from the same run, under the same load from the same threads: a plain Flask-Admin
order list (ModelView out of the box) served by its own process over the same database, and a
bare aiogram echo webhook (aiogram's own aiohttp handler) answering the same update stream.

    BENCH_PEAK_SIZES=10000,100000,1000000 BENCH_PEAK_SECONDS=60 python -m bench peak"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

from bench.common import load, p95, prepared_folder
from bench.real import _token, _wait_up, http_session

ROOT = Path(__file__).resolve().parents[1]
SIZES = [int(s) for s in os.environ.get("BENCH_PEAK_SIZES", "10000,100000,1000000").split(",")]
KINDS = os.environ.get("BENCH_PEAK_DBS", "sqlite").split(",")
SECONDS = float(os.environ.get("BENCH_PEAK_SECONDS", "60"))
MANAGERS, CREWS, CLIENTS = 20, 50, 200
TG_USERS = 100
SECRET = "peak-secret"
ADMIN_PAGES = [
    "/admin/order/", "/admin/order/?tab=all", "/admin/order/?tab=archive",
    "/admin/order/?search=ива", "/admin/order/?search=912", "/admin/order/?page=7",
    "/admin/client/", "/admin/client/?search=пет", "/admin/", "/admin/order/card/?id={order}",
    "/admin/client/card/?id={client}", "/admin/task/", "/admin/inbox/",
]  # fmt: skip


class Tally:
    """Latencies per kind, thread-safe; counted only inside the measuring window."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.open = False

    def timed(self, kind: str, call) -> None:
        started = time.perf_counter()
        try:
            ok = call()
        except requests.RequestException:
            ok = False
        elapsed = (time.perf_counter() - started) * 1000
        if not self.open:
            return
        with self.lock:
            self.ms[kind].append(elapsed)
            if not ok:
                self.errors[kind] += 1


def _python(code: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         env=env, check=True)  # fmt: skip
    return out.stdout.strip().splitlines()[-1]


SETUP = """
import json, sys
from core.access import SYSTEM
from core.base import db, runtime
from core.base.config import load_config
from core.people.models import Employee
from core.people.staff import create_employee, create_invite
config = load_config(sys.argv[1]); runtime.init(config); db.connect(config.database_url)
managers, codes = [], []
for n in range(%(managers)d):
    login = f"peak{n}"
    if not Employee.get_or_none(Employee.login == login):
        create_employee(SYSTEM, f"Менеджер нагрузки {n}", "manager", login=login,
                        password="peak-password-1")
    managers.append(login)
for n in range(%(crews)d):
    e = Employee.get_or_none(Employee.name == f"Монтажник нагрузки {n}")
    e = e or create_employee(SYSTEM, f"Монтажник нагрузки {n}", "executor")
    codes.append(create_invite(SYSTEM, employee_id=e.id).code)
print(json.dumps({"managers": managers, "codes": codes}))
"""


def _configure(config: Path, telegram_port: int) -> None:
    text = re.sub(r"\n\[telegram\][^\[]*", "\n", config.read_text(encoding="utf-8"))
    port = re.search(r"port = (\d+)", text).group(1)
    text = text.replace("[app]\n", f'[app]\nbase_url = "https://127.0.0.1:{port}"\n', 1)
    text += (
        f'\n[telegram]\ntoken = "42:PEAK"\napi_base = "http://127.0.0.1:{telegram_port}"\n'
        f'mode = "webhook"\nwebhook_secret = "{SECRET}"\n'
    )
    config.write_text(text, encoding="utf-8")


def _start(config: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "cli", "--config", str(config), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)  # fmt: skip


def _move_next(s: requests.Session, base: str, order: int) -> bool:
    """The order card's «next stage» button: the card, then its move form as it stands."""
    card = s.get(f"{base}/admin/order/card/?id={order}", timeout=30)
    select = re.search(r'<select[^>]*name="stage".*?</select>', card.text, re.S)
    chosen = select and re.search(
        r'<option[^>]*selected[^>]*value="(\d+)"|<option[^>]*value="(\d+)"[^>]*selected',
        select.group(0),
    )
    if card.status_code != 200 or not chosen:
        return card.status_code in (200, 404)
    stage = chosen.group(1) or chosen.group(2)
    form = {"id": order, "stage": stage, "comment": "", "csrf_token": _token(card.text)}
    return s.post(f"{base}/admin/order/move/", data=form, timeout=30).status_code in (200, 302)


def _manager(base: str, login: str, size: int, tally: Tally, stop: threading.Event, kind: str):
    rnd = random.Random(login)
    s = http_session(base, login, "peak-password-1") if login != "-" else requests.Session()
    pages = ADMIN_PAGES if login != "-" else ["/admin/order/", "/admin/order/?page=7"]
    while not stop.is_set():
        order = rnd.randint(1, size)
        if login != "-" and rnd.random() < 0.1:
            tally.timed("admin: next stage (card + move)", lambda o=order: _move_next(s, base, o))
        else:
            url = rnd.choice(pages).format(order=order, client=rnd.randint(1, max(size // 10, 100)))
            tally.timed(kind, lambda u=url: s.get(base + u, timeout=30).status_code in (200, 404))
        stop.wait(rnd.uniform(1.0, 3.0))


def _chat(base: str, who: str, lines: list[str], tally, stop, code: str | None = None):
    rnd = random.Random(who)
    s = requests.Session()
    page = s.get(f"{base}/chat/", timeout=30).text
    meta = re.search(r'name="csrf-token" content="([^"]+)"', page)
    headers = {"X-CSRFToken": meta.group(1) if meta else "", "X-Requested-With": "fetch"}

    def say(text: str) -> bool:
        resp = s.post(f"{base}/chat/api/send", json={"text": text}, headers=headers, timeout=30)
        return resp.status_code == 200

    if code:
        say(f"/start {code}")
    kind = "web chat, crew" if code else "web chat, client"
    while not stop.is_set():
        stop.wait(rnd.uniform(3.0, 12.0) if code else rnd.uniform(10.0, 40.0))
        tally.timed(kind, lambda: say(rnd.choice(lines)))


def _webhook(base: str, tally: Tally, stop: threading.Event, path: str, kind: str, rate: float):
    """Telegram's side: updates from TG_USERS people posted at `rate` per second."""
    rnd = random.Random(kind)
    s = requests.Session()
    n = 0
    while not stop.is_set():
        n += 1
        chat = 700_000 + rnd.randint(1, TG_USERS)
        update = {"update_id": n, "message": {
            "message_id": n, "date": int(time.time()), "text": rnd.choice(["Добрый день", "Когда будет готово?", "спасибо"]),
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": f"Гость{chat}"},
        }}  # fmt: skip
        tally.timed(kind, lambda u=update: s.post(
            base + path, json=u, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}, timeout=30
        ).status_code == 200)  # fmt: skip
        stop.wait(rnd.expovariate(rate))


def _plain_admin_server(config: Path, port: int) -> subprocess.Popen:
    code = "import sys; from bench.peak import _serve_plain; _serve_plain(sys.argv[1], int(sys.argv[2]))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", code, str(config), str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)  # fmt: skip


def _serve_plain(config_path: str, port: int) -> None:
    """Flask-Admin out of the box over the same orders, on the same threaded server."""
    from flask import Flask
    from flask_admin import Admin
    from flask_admin.contrib.peewee import ModelView
    from werkzeug.serving import make_server

    from core.base import db, runtime
    from core.base.config import load_config
    from core.orders.models import Order

    config = load_config(config_path)
    runtime.init(config)
    db.connect(config.database_url)
    app = Flask(__name__)
    app.secret_key = "plain"
    Admin(app, url="/admin").add_view(ModelView(Order, endpoint="order"))
    app.teardown_appcontext(lambda _exc: db.release())

    @app.get("/login")
    def up():
        return "ok"

    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


def _bare_aiogram(port: int, telegram_base: str) -> subprocess.Popen:
    code = (
        "import sys; from bench.peak import _serve_echo; _serve_echo(int(sys.argv[1]), sys.argv[2])"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", code, str(port), telegram_base],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)  # fmt: skip


def _serve_echo(port: int, telegram_base: str) -> None:
    """aiogram's own webhook handler with an echo router: the floor for a Telegram update."""
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler
    from aiohttp import web

    bot = Bot("42:PEAK", session=AiohttpSession(api=TelegramAPIServer.from_base(telegram_base)))
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "…")

    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=SECRET).register(app, path="/hook")
    app.router.add_get("/login", lambda _r: web.Response(text="ok"))
    web.run_app(app, host="127.0.0.1", port=port, print=None)


def _outbox_figures(config: Path, since: float) -> str:
    code = """
import json, sys
from datetime import datetime
from core.base import db, runtime
from core.base.config import load_config
from core.conversations.models import Notification
config = load_config(sys.argv[1]); runtime.init(config); db.connect(config.database_url)
since = datetime.utcfromtimestamp(float(sys.argv[2]))
rows = list(Notification.select(Notification.created_at, Notification.sent_at)
            .where(Notification.created_at >= since))
waits = sorted((r.sent_at - r.created_at).total_seconds() * 1000 for r in rows if r.sent_at)
print(json.dumps({"written": len(rows), "sent": len(waits), "waits": waits}))
"""
    data = json.loads(_python(code, str(config), str(since)))
    waits = data["waits"]
    if not waits:
        return f"  outbox: {data['written']} written, none sent in the window"
    return (
        f"  outbox: {data['written']} written, {data['sent']} sent; waited in the outbox "
        f"p50 {statistics.median(waits):.0f} ms, p95 {p95(waits):.0f} ms"
    )


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _report(tally: Tally, seconds: float) -> None:
    print(f"  {'kind':<34}{'req/s':>7}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
    for kind in sorted(tally.ms):
        ms = tally.ms[kind]
        print(
            f"  {kind:<34}{len(ms) / seconds:7.1f}{statistics.median(ms):9.1f}"
            f"{p95(ms):9.1f}{tally.errors[kind]:8d}"
        )


def run_size(size: int, kind: str = "sqlite") -> None:
    sys.path.insert(0, str(ROOT))
    from tests.fakes.telegram import FakeTelegram

    config, _password = prepared_folder(size, kind)
    port = int(re.search(r"port = (\d+)", config.read_text()).group(1))
    fake = FakeTelegram()
    fake.start_in_thread()
    _configure(config, fake.port)
    people = json.loads(_python(SETUP % {"managers": MANAGERS, "crews": CREWS}, str(config)))
    plain_port, echo_port = _free_port(), _free_port()
    procs = [_start(config, "run"), _plain_admin_server(config, plain_port),
             _bare_aiogram(echo_port, fake.base)]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    stop = threading.Event()
    tally = Tally()
    try:
        _wait_up(base, procs[0])
        _wait_up(f"http://127.0.0.1:{plain_port}", procs[1])
        _wait_up(f"http://127.0.0.1:{echo_port}", procs[2])
        threads = [
            threading.Thread(target=_manager, args=(base, login, size, tally, stop, "admin page"))
            for login in people["managers"]
        ]
        threads += [
            threading.Thread(
                target=_manager,
                args=(
                    f"http://127.0.0.1:{plain_port}",
                    "-",
                    size,
                    tally,
                    stop,
                    "baseline: plain Flask-Admin list",
                ),
            )  # fmt: skip
            for _ in range(3)
        ]
        threads += [
            threading.Thread(
                target=_chat,
                args=(base, f"crew{n}", ["мои задачи", "баланс", "бензин 500"], tally, stop, code),
            )  # fmt: skip
            for n, code in enumerate(people["codes"])
        ]
        threads += [
            threading.Thread(
                target=_chat,
                args=(
                    base,
                    f"client{n}",
                    ["Добрый день!", "Когда будет готово?", "Спасибо"],
                    tally,
                    stop,
                ),
            )  # fmt: skip
            for n in range(CLIENTS)
        ]
        threads += [
            threading.Thread(target=_webhook, args=(base, tally, stop, "/telegram/webhook",
                             "Telegram webhook", 2.0)),
            threading.Thread(target=_webhook, args=(f"http://127.0.0.1:{echo_port}", tally, stop,
                             "/hook", "baseline: bare aiogram webhook", 2.0)),
        ]  # fmt: skip
        for t in threads:
            t.daemon = True
            t.start()
        time.sleep(10)  # everyone signed in and talking
        tally.open, started = True, time.time()
        time.sleep(SECONDS)
        tally.open = False
        name = "SQLite" if kind == "sqlite" else "PostgreSQL"
        print(f"\n{size} orders, {name}, {SECONDS:.0f} s of a firm's peak; {load()}")
        _report(tally, SECONDS)
        print(_outbox_figures(config, started))
    finally:
        stop.set()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
        fake.stop_thread()


def main() -> None:
    for kind in KINDS:
        for size in SIZES:
            run_size(size, kind)


if __name__ == "__main__":
    main()
