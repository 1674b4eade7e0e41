"""Run every benchmark module in bench/ that has a main() (or those named on the command line)."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
import sys
import time

import bench


def main() -> None:
    names = sys.argv[1:] or sorted(
        m.name
        for m in pkgutil.iter_modules(bench.__path__)
        if not m.name.startswith("_") and m.name != "common"
    )
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "main"):
            continue
        print(f"\n=== bench/{name}.py ===", flush=True)
        started = time.perf_counter()
        result = module.main()
        if inspect.iscoroutine(result):
            asyncio.run(result)
        print(f"--- {name}: {time.perf_counter() - started:.0f} s", flush=True)


main()
