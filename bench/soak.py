"""Memory and open files of the real web process over many requests.

`brigadir web` runs as its own process over an SQLite database with demo data; a few client
threads walk the pages people use (order tabs, searches, cards, client list, the web chat)
for BENCH_SOAK_REQUESTS requests (10 000 by default). Every 1 000 requests the process's
resident memory and its open handles on the database file are read from /proc: both must
stay flat (a connection opened per request thread and never closed holds a file handle and
its page cache for good)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

REQUESTS = int(os.environ.get("BENCH_SOAK_REQUESTS", "10000"))
ORDERS = int(os.environ.get("BENCH_SOAK_ORDERS", "100000"))
THREADS = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _brigadir(config: Path, *args: str, **kw) -> subprocess.Popen | subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "cli", "--config", str(config), *args]
    if kw.pop("background", False):
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def process_figures(pid: int, database: Path) -> tuple[float, int, int]:
    """Resident MB, open handles on the database file (and its -wal/-shm), all open files."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    handles = files = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        files += 1
        handles += target.startswith(str(database))
    return rss, handles, files


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        port = _free_port()
        config = tmp / "config.toml"
        config.write_text(
            f'[app]\ndata_dir = "{tmp / "data"}"\nsecret_key = "soak"\n[web]\nport = {port}\n',
            encoding="utf-8",
        )
        started = time.perf_counter()
        _brigadir(config, "init")
        _brigadir(config, "demo", "--clients", str(max(ORDERS // 10, 100)), "--orders", str(ORDERS))
        print(f"demo: {ORDERS} orders in {time.perf_counter() - started:.0f} s")
        login = re.search(r"password: (\S+)", (tmp / "data" / "first-login.txt").read_text()).group(
            1
        )
        server = _brigadir(config, "web", background=True)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    requests.get(f"{base}/login", timeout=1)
                    break
                except requests.ConnectionError:
                    time.sleep(0.2)
            database = tmp / "data" / "brigadir.db"
            sessions = []
            for _ in range(THREADS):
                s = requests.Session()
                page = s.get(f"{base}/login").text
                token = re.search(
                    r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page
                ).group(1)
                s.post(
                    f"{base}/login",
                    data={"login": "director", "password": login, "csrf_token": token},
                )
                sessions.append(s)
            pages = ["/admin/order/", "/admin/order/?tab=archive", "/admin/order/?search=ива",
                     "/admin/order/?page=5", "/admin/client/", "/admin/order/card/?id={n}",
                     "/admin/client/card/?id={c}", "/admin/", "/chat/"]  # fmt: skip
            counter = {"done": 0}
            lock = threading.Lock()
            samples: list[tuple[int, float, int, int]] = [
                (0, *process_figures(server.pid, database))
            ]

            def walk(session: requests.Session, offset: int) -> None:
                i = offset
                while True:
                    with lock:
                        if counter["done"] >= REQUESTS:
                            return
                        counter["done"] += 1
                        done = counter["done"]
                    i += 1
                    url = pages[i % len(pages)].format(
                        n=1 + i % ORDERS, c=1 + i % max(ORDERS // 10, 100)
                    )
                    session.get(base + url, timeout=30)
                    if done % 1000 == 0:
                        with lock:
                            samples.append((done, *process_figures(server.pid, database)))

            workers = [
                threading.Thread(target=walk, args=(s, n * 7)) for n, s in enumerate(sessions)
            ]
            t0 = time.perf_counter()
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            elapsed = time.perf_counter() - t0
        finally:
            server.terminate()
            server.wait(timeout=10)
        print(
            f"{REQUESTS} requests in {elapsed:.0f} s ({REQUESTS / elapsed:.0f}/s), {THREADS} clients"
        )
        print("  requests  RSS MB  handles on the database  open files")
        for done, rss, handles, files in sorted(samples):
            print(f"  {done:8d}  {rss:6.0f}  {handles:23d}  {files:10d}")
        first, last = sorted(samples)[1], sorted(samples)[-1]
        print(
            f"growth after the first 1000: RSS {last[1] - first[1]:+.0f} MB, "
            f"database handles {last[2] - first[2]:+d}, open files {last[3] - first[3]:+d} "
            "(target: flat; RSS ≤ 250 MB)"
        )


if __name__ == "__main__":
    main()
