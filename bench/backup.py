"""Backup figures: `brigadir backup` of the demo database (BENCH_SIZES orders) with 200 MB and
2 GB of order files (random bytes, so nothing compresses or skips), then `brigadir restore` of
that archive onto an empty data folder and database.

Each run is a child process, so its peak memory (ru_maxrss from wait4) is its own: it should
stay flat from 200 MB to 2 GB of files. Baseline from the same run: plain `tar -cf` of the same
files folder plus the bare database copy (`pg_dump -Fc`, or SQLite's backup API)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import backends, fresh_database, sizes
from cli.backup import database
from cli.demo import generate
from core import migrations
from core.base import db as dbmod
from core.models import ALL_MODELS

ROOT = Path(__file__).resolve().parent.parent
MIB = 1 << 20
# An order folder's files: artwork, photos, a scan, small papers (sizes in bytes).
FOLDER = (16 * MIB, 4 * MIB, 1 * MIB, 256 << 10, 64 << 10)


def file_sets() -> list[int]:
    return [int(s) for s in os.environ.get("BENCH_BACKUP_MB", "200,2000").split(",")]


def grow_files(root: Path, target_mb: int) -> int:
    """Add order folders of random files under root until it holds target_mb; total bytes."""
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    n = sum(1 for _ in root.glob("Клиенты/*"))
    while total < target_mb * MIB:
        folder = root / "Клиенты" / f"Клиент {n}" / f"2026-11-{n % 28 + 1:02d} №{n} Баннер"
        folder.mkdir(parents=True)
        for i, size in enumerate(FOLDER):
            with open(folder / f"файл {i}.bin", "wb") as fh:
                for left in range(size, 0, -MIB):
                    fh.write(os.urandom(min(MIB, left)))
            total += size
        n += 1
    return total


# A small launcher runs the command and reports its children's peak RSS: measured from the
# bench process itself, a forked child would count the bench's own memory before its exec.
LAUNCH = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(code)"
)


def child(argv: list[str]) -> tuple[float, float]:
    """Run a command; (seconds, peak memory in MB) of that process alone."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-S", "-c", LAUNCH, *argv],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    took = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{argv[:4]} failed: {proc.stderr[-800:]}")
    return took, int(proc.stderr.strip().splitlines()[-1]) / 1024


def brigadir(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "cli", "--config", str(config), *args]


def measure(kind: str, url: str, work: Path, config: Path, files: Path) -> Path:
    archive = work / "copy.tar"
    took, peak = child(brigadir(config, "backup", str(archive)))
    mb = archive.stat().st_size / MIB
    # Baseline: what a careful admin scripts by hand, also in child processes.
    dump = work / "bare-db"
    dump_cmd = (
        ["pg_dump", "--format=custom", f"--file={dump}", url]
        if kind == "postgresql"
        else [sys.executable, "-c", f"from cli.backup.database import dump; from pathlib import "
              f"Path; dump({url!r}, Path({str(dump)!r}))"]
    )  # fmt: skip
    dump_took, dump_peak = child(dump_cmd)
    tar_took, tar_peak = child(
        ["tar", "-cf", str(work / "plain.tar"), "-C", str(files.parent), files.name]
    )
    print(
        f"    backup  {took:6.1f} s  peak {peak:5.0f} MB  archive {mb:6.0f} MB"
        f"   | baseline db copy + tar {dump_took + tar_took:6.1f} s"
        f" (peak {max(dump_peak, tar_peak):4.0f} MB)",
        flush=True,
    )
    for leftover in (dump, work / "plain.tar"):
        leftover.unlink()
    return archive


def measure_restore(kind: str, url: str, work: Path, archive: Path) -> None:
    """Restore onto an empty data folder and an emptied database (a new server)."""
    fresh = work / "new-server"
    fresh.mkdir()
    (fresh / "config.toml").write_text(
        f'[app]\ndata_dir = "data"\n[database]\nurl = "{_fresh_url(kind, url, fresh)}"\n'
        "[backup]\nnightly = false\n",
        encoding="utf-8",
    )
    if kind == "postgresql":
        dbmod.database.drop_tables([*ALL_MODELS, migrations.SchemaVersion], cascade=True)
        dbmod.database.close()
    took, peak = child(brigadir(fresh / "config.toml", "restore", "--yes", str(archive)))
    tar_dir = work / "untar"
    tar_dir.mkdir()
    tar_took, tar_peak = child(["tar", "-xf", str(archive), "-C", str(tar_dir)])
    print(
        f"    restore {took:6.1f} s  peak {peak:5.0f} MB (checked against the manifest)"
        f"   | baseline tar -x {tar_took:6.1f} s (peak {tar_peak:4.0f} MB)",
        flush=True,
    )
    shutil.rmtree(tar_dir)
    shutil.rmtree(fresh)


def _fresh_url(kind: str, url: str, fresh: Path) -> str:
    return url if kind == "postgresql" else f"sqlite:///{fresh / 'data' / 'brigadir.db'}"


def main() -> None:
    for kind in backends():
        for size in sizes():
            with fresh_database(kind) as url, tempfile.TemporaryDirectory() as tmp:
                generate(20_000, size)
                dbmod.database.close()
                work = Path(tmp)
                data = work / "data"
                files = data / "files"
                files.mkdir(parents=True)
                config = work / "config.toml"
                config.write_text(
                    f'[app]\ndata_dir = "data"\n[database]\nurl = "{url}"\n',
                    encoding="utf-8",
                )
                engine = database.engine(url)
                print(f"{kind}, {size:,} orders".replace(",", " "), flush=True)
                for target in file_sets():
                    total = grow_files(files, target)
                    print(f"  files: {total / MIB:,.0f} MB".replace(",", " "), flush=True)
                    archive = measure(engine, url, work, config, files)
                    if target == file_sets()[-1]:
                        measure_restore(engine, url, work, archive)
                    archive.unlink()


if __name__ == "__main__":
    main()
