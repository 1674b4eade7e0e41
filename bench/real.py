"""Speed as people get it: the pages through a running `brigadir web` over HTTP (the threaded
server `brigadir run` uses, and `brigadir web --gunicorn`), beside the same pages through the
Flask test client in the same run over the same database (the bench's own figure).

A manager signs in through the real login form; one keep-alive HTTP session asks each page
RUNS times in turn. The difference between the columns is what a person pays on top of the
bench: the server, the connection, a cold database cache per request, the headers' counters.

    BENCH_SIZES=1000000 BENCH_CACHE=/some/dir python -m bench real

Targets (issue 22): every list page p50 ≤ 25 ms on SQLite through the real server."""

from __future__ import annotations

import contextlib
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import requests

from bench.common import backends, load, p95, prepared_folder, sizes

RUNS = int(os.environ.get("BENCH_REAL_RUNS", "40"))
PAGES = {
    "orders, open": "/admin/order/",
    "orders, archive tab": "/admin/order/?tab=archive",
    "orders, all": "/admin/order/?tab=all",
    "orders, page 19": "/admin/order/?page=18",
    "orders, client letters «ива»": "/admin/order/?search=ива",
    "orders, phone digits": "/admin/order/?search=912",
    "clients": "/admin/client/",
    "clients, letters «пет»": "/admin/client/?search=пет",
    "order card": "/admin/order/card/?id={order}",
    "dashboard": "/admin/",
}


def _wait_up(base: str, proc: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{base}/login", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("the server did not answer")


def _token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def http_session(base: str, login: str, password: str) -> requests.Session:
    s = requests.Session()
    resp = s.post(
        f"{base}/login",
        data={
            "login": login,
            "password": password,
            "csrf_token": _token(s.get(f"{base}/login").text),
        },
        allow_redirects=False,
    )
    assert resp.status_code == 302, f"login failed: {resp.status_code}"
    return s


def _urls(order_id: int) -> dict[str, str]:
    return {label: url.format(order=order_id) for label, url in PAGES.items()}


def measure(get, urls: dict[str, str], runs: int = RUNS) -> dict[str, list[float]]:
    """Milliseconds per page, the pages asked in turn (no page twice in a row, as people do)."""
    out: dict[str, list[float]] = {label: [] for label in urls}
    for url in urls.values():  # warm-up: one of each
        get(url)
    for _ in range(runs):
        for label, url in urls.items():
            started = time.perf_counter()
            status = get(url)
            out[label].append((time.perf_counter() - started) * 1000)
            assert status == 200, (url, status)
    return out


def _server(config: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "--config", str(config), "web", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip


def through_server(config: Path, port: int, password: str, urls, *args: str):
    proc = _server(config, *args)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(base, proc)
        s = http_session(base, "maria", "demo-password")
        return measure(lambda url: s.get(base + url, timeout=30).status_code, urls)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def through_test_client(config: Path, urls):
    """The bench's way: the same app in this process, the Flask test client."""
    code = (
        "import json,sys;from bench.real import _in_process;"
        "print(json.dumps(_in_process(sys.argv[1], json.loads(sys.argv[2]))))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    import json

    out = subprocess.run(
        [sys.executable, "-c", code, str(config), json.dumps(urls)],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def _in_process(config_path: str, urls: dict[str, str]) -> dict[str, list[float]]:
    from bench.common import logged_in
    from cli.serve import build_web_app
    from core.base import db as dbmod
    from core.base import runtime
    from core.base.config import load_config
    from storage import build_store

    config = load_config(config_path)
    runtime.init(config)
    dbmod.connect(config.database_url)
    client = logged_in(build_web_app(config, build_store(config)))
    return measure(lambda url: client.get(url).status_code, urls)


def _row(label: str, columns: list[list[float]]) -> str:
    cells = "".join(
        f" {sorted(c)[len(c) // 2]:7.1f} / {p95(c):6.1f}" if c else " " * 16 for c in columns
    )
    return f"  {label:<32}{cells}"


def main() -> None:
    for kind in backends():
        for size in sizes():
            run(kind, size)


def run(kind: str, size: int) -> None:
    config, password = prepared_folder(size, kind)
    port = int(re.search(r"port = (\d+)", config.read_text()).group(1))
    order_id = random.Random(size).randint(1, size)
    urls = _urls(order_id)
    print(f"\n{size} orders, {'SQLite' if kind == 'sqlite' else 'PostgreSQL'}; {load()}")
    threaded = through_server(config, port, password, urls)
    gunicorn = through_server(config, port, password, urls, "--gunicorn", "--workers", "2")
    bench = through_test_client(config, urls)
    print(f"  {'page':<32}{'brigadir web':>16}{'web --gunicorn':>16}{'test client':>16}")
    print(f"  {'':<32}{'p50 / p95 ms':>16}{'p50 / p95 ms':>16}{'p50 / p95 ms':>16}")
    for label in urls:
        print(_row(label, [threaded[label], gunicorn[label], bench[label]]))
    print(f"  {load()}")


if __name__ == "__main__":
    main()
