"""Helpers shared by the benchmarks: temporary databases, timing, printing."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from core.base import db as dbmod
from core.base import runtime
from core.base.config import Config
from core.setup import prepare

PG_ADMIN = os.environ.get("BRIGADIR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def sizes() -> list[int]:
    return [int(s) for s in os.environ.get("BENCH_SIZES", "100000,1000000").split(",")]


def backends() -> list[str]:
    return os.environ.get("BENCH_DBS", "sqlite,postgres").split(",")


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """A new empty database of the given kind, prepared, dropped afterwards."""
    runtime.init(Config())
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            dbmod.connect(url)
            prepare()
            yield url
            dbmod.disconnect()
        return
    import psycopg2

    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    name = f"brigadir_bench_{uuid.uuid4().hex[:8]}"
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    try:
        dbmod.connect(url)
        prepare()
        yield url
    finally:
        dbmod.disconnect()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@contextmanager
def filled_database(kind: str, name: str, fill: Callable[[], None]) -> Iterator[str]:
    """A database filled by fill(): fresh and dropped afterwards, unless BENCH_CACHE names a
    directory — then the filled database is kept (SQLite file there, PostgreSQL database
    named after that directory and `name`) and reused by later runs, which only bring its
    schema up to date. Generating 1 000 000 orders takes minutes; iterating should not."""
    cache = os.environ.get("BENCH_CACHE")
    if not cache:
        with fresh_database(kind) as url:
            fill()
            yield url
        return
    runtime.init(Config())
    os.makedirs(cache, exist_ok=True)
    key = re.sub(r"\W", "_", f"{os.path.basename(cache.rstrip('/'))}_{name}").lower()
    if kind == "sqlite":
        path = os.path.join(cache, f"{key}.db")
        url, exists = f"sqlite:///{path}", os.path.exists(path)
    else:
        import psycopg2

        admin = psycopg2.connect(PG_ADMIN)
        admin.autocommit = True
        cur = admin.cursor()
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (key,))
        exists = cur.fetchone() is not None
        if not exists:
            cur.execute(f'CREATE DATABASE "{key}"')
        admin.close()
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + key
    dbmod.connect(url)
    try:
        prepare()
        if not exists:
            fill()
        yield url
    except BaseException:
        if not exists:  # a half-filled database must not be reused
            dbmod.disconnect()
            drop_cached(kind, url)
        raise
    finally:
        dbmod.disconnect()


def drop_cached(kind: str, url: str) -> None:
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(url.removeprefix("sqlite:///") + suffix)
        return
    import psycopg2

    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"')
    admin.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepared_folder(orders: int, kind: str = "sqlite") -> tuple[Path, str]:
    """A data folder with `orders` demo orders (a tenth as many clients) made by the real
    `brigadir init` and `brigadir demo`, and its config.toml with a free port; returns the
    config's path and the director's password. kind "postgres": the same in a PostgreSQL
    database of its own (named by the size) on BRIGADIR_TEST_PG's server. Kept under
    BENCH_CACHE (when set) and reused, as generating a million orders takes minutes;
    otherwise in a temporary folder."""
    cache = os.environ.get("BENCH_CACHE")
    name = f"soak_{orders}" if kind == "sqlite" else f"soak_pg_{orders}"
    root = Path(cache) / name if cache else Path(tempfile.mkdtemp())
    config = root / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    database = ""
    if kind == "postgres":
        database = f'[database]\nurl = "{PG_ADMIN.rsplit("/", 1)[0]}/brigadir_bench_{orders}"\n'
    config.write_text(
        f'[app]\ndata_dir = "{root / "data"}"\nsecret_key = "soak"\n[web]\nport = {_free_port()}\n'
        + database,
        encoding="utf-8",
    )

    def brigadir(*args: str) -> None:
        subprocess.run([sys.executable, "-m", "cli", "--config", str(config), *args],
                       check=True, capture_output=True)  # fmt: skip

    ready = root / "data" / "demo-ready"
    if not ready.exists():
        started = time.perf_counter()
        if (root / "data").exists():
            shutil.rmtree(root / "data")
        if kind == "postgres":
            _fresh_pg_database(f"brigadir_bench_{orders}")
        brigadir("init")
        brigadir("demo", "--clients", str(max(orders // 10, 100)), "--orders", str(orders))
        ready.write_text("", encoding="utf-8")
        print(f"demo: {orders} orders in {time.perf_counter() - started:.0f} s ({kind})")
    else:
        brigadir("migrate")
    text = (root / "data" / "first-login.txt").read_text()
    return config, re.search(r"password: (\S+)", text).group(1)


def _fresh_pg_database(name: str) -> None:
    import psycopg2

    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def load() -> str:
    """The machine's load average, printed beside the figures: they are only comparable
    at a similar load."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def timings(fn: Callable[[int], object], runs: int, warmup: int = 3) -> list[float]:
    """Milliseconds per call of fn(i)."""
    for i in range(warmup):
        fn(i)
    out = []
    for i in range(runs):
        started = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - started) * 1000)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def row(label: str, ours: list[float], base: list[float] | None = None, target: str = "") -> None:
    text = f"  {label:<44} p50 {statistics.median(ours):7.2f} ms  p95 {p95(ours):7.2f} ms"
    if base is not None:
        text += f"   | baseline p50 {statistics.median(base):8.2f} ms  p95 {p95(base):8.2f} ms"
    if target:
        text += f"   (target {target})"
    print(text, flush=True)


def admin_app():
    """The real web app as `brigadir web` builds it, with a fixed secret."""
    import dataclasses

    from admin.app import create_app

    config = Config()
    return create_app(
        dataclasses.replace(config, app=dataclasses.replace(config.app, secret_key="bench"))
    )


def logged_in(app, login: str = "maria", password: str = "demo-password"):
    """A test client of `app` signed in through the real login form (a demo manager)."""
    client = app.test_client()
    token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)
    ).group(1)
    resp = client.post("/login", data={"login": login, "password": password, "csrf_token": token})
    assert resp.status_code == 302, "bench login failed"
    return client
