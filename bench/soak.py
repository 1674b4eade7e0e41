"""Memory and open files of the real web process over many requests.

`brigadir web` runs as its own process over an SQLite database with demo data; a few client
threads walk the pages people use (order tabs, searches, cards, client list, the web chat)
for BENCH_SOAK_REQUESTS requests (10 000 by default). Every 1 000 requests the process's
resident memory and its open handles on the database file are read from /proc: both must
stay flat (a connection opened per request thread and never closed holds a file handle and
its page cache for good)."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from bench.common import load, prepared_folder

REQUESTS = int(os.environ.get("BENCH_SOAK_REQUESTS", "10000"))
ORDERS = int(os.environ.get("BENCH_SOAK_ORDERS", "100000"))
THREADS = 4
COMMAND = os.environ.get("BENCH_SOAK_COMMAND", "run")


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
    config, login = prepared_folder(ORDERS)
    port = int(re.search(r"port = (\d+)", config.read_text()).group(1))
    data = config.parent / "data"
    # `brigadir run`: the web panel with the scheduler and its daily jobs in one process.
    server = _brigadir(config, COMMAND, background=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/login", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        database = data / "brigadir.db"
        sessions = []
        for _ in range(THREADS):
            s = requests.Session()
            page = s.get(f"{base}/login").text
            token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(
                1
            )
            s.post(
                f"{base}/login",
                data={"login": "director", "password": login, "csrf_token": token},
            )
            sessions.append(s)
        pages = ["/admin/order/", "/admin/order/?tab=archive", "/admin/order/?search=ива",
                 "/admin/order/?page=5", "/admin/client/", "/admin/order/card/?id={n}",
                 "/admin/client/card/?id={c}", "/admin/", "/chat/", "/admin/client/?search=пет",
                 "/admin/order/?tab=all&search=ив+ан", "/admin/documents/", "/admin/expenses/",
                 "/admin/cash/", "/admin/task/", "/admin/inbox/", "/admin/order/new/"]  # fmt: skip
        counter = {"done": 0, "failed": 0}
        peak = {"rss": 0.0}
        running = threading.Event()

        def watch() -> None:  # the peak between samples
            while not running.wait(0.2):
                with contextlib.suppress(OSError, AttributeError):
                    peak["rss"] = max(peak["rss"], process_figures(server.pid, database)[0])

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        lock = threading.Lock()
        samples: list[tuple[int, float, int, int]] = [(0, *process_figures(server.pid, database))]

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
                if session.get(base + url, timeout=30).status_code != 200:
                    with lock:
                        counter["failed"] += 1
                if done % 1000 == 0:
                    with lock:
                        samples.append((done, *process_figures(server.pid, database)))

        workers = [threading.Thread(target=walk, args=(s, n * 7)) for n, s in enumerate(sessions)]
        t0 = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - t0
        running.set()
        watcher.join()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"`brigadir {COMMAND}` over {ORDERS} orders: {REQUESTS} requests in {elapsed:.0f} s "
        f"({REQUESTS / elapsed:.0f}/s), {THREADS} clients, {counter['failed']} not answered 200; "
        f"{load()}"
    )
    print("  requests  RSS MB  handles on the database  open files")
    for done, rss, handles, files in sorted(samples):
        print(f"  {done:8d}  {rss:6.0f}  {handles:23d}  {files:10d}")
    first, last = sorted(samples)[1], sorted(samples)[-1]
    start = sorted(samples)[0]
    print(
        f"RSS at start {start[1]:.0f} MB, after {REQUESTS} requests {last[1]:.0f} MB, "
        f"peak {max(peak['rss'], *(x[1] for x in samples)):.0f} MB; open files "
        f"{start[3]} → {last[3]}, handles on the database {start[2]} → {last[2]}"
    )
    print(
        f"growth after the first 1000: RSS {last[1] - first[1]:+.0f} MB, "
        f"database handles {last[2] - first[2]:+d}, open files {last[3] - first[3]:+d} "
        "(target: flat; RSS ≤ 250 MB)"
    )


if __name__ == "__main__":
    main()
