"""The house plan, held by the code (ARCHITECTURE.md names these tests).

Each check reads the source, not a running app, so a new module is covered the moment it is
written: no import circle anywhere, core/ free of web and messenger frameworks, arrows pointing
inward, packages of a readable size, functions short enough to read at once, and every table
known to the one registry that creates and migrates them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ["core", "admin", "bots", "portal", "checkout", "scheduler", "storage", "cli"]
# What each outer layer may import of the product (core is the centre; cli composes all).
MAY_IMPORT = {
    "core": {"core"},
    "storage": {"core", "storage"},
    "bots": {"core", "storage", "bots"},
    "checkout": {"core", "checkout"},
    "portal": {"core", "storage", "portal", "checkout"},
    "admin": {"core", "storage", "bots", "portal", "checkout", "admin"},
    "scheduler": {"core", "storage", "bots", "checkout", "scheduler"},
    "cli": set(PRODUCT),
}
FRAMEWORKS = {
    "flask", "flask_admin", "flask_login", "flask_wtf", "werkzeug", "wtforms", "jinja2",
    "aiogram", "viberbot", "vkbottle", "maxapi", "aiohttp", "requests", "urllib3", "httpx",
    "yadisk", "yookassa", "apscheduler", "gunicorn", "http", "smtplib", "imaplib",
}  # fmt: skip
MAX_MODULES_PER_PACKAGE = 15
MAX_FUNCTION_LINES = 60
# Functions still over the limit, each split by the change that next works on it. The list may
# only shrink: a function that got short must leave it, and no new one may join.
STILL_TO_SPLIT = {
    "admin.app.create_app", "cli.demo.make.generate",
    "cli.demo.orders.order_rows", "core.conversations.bulk.bulk_message",
    "scheduler.app.build_scheduler",
}  # fmt: skip


def _modules() -> dict[str, Path]:
    mods = {}
    for top in PRODUCT:
        for path in (ROOT / top).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            mods[name] = path
    return mods


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every product module and outside package this module imports, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root] & graph.keys())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt] & graph.keys()))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        circles.append(sorted(group))
    return circles


def test_the_circle_finder_finds_a_planted_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_circles(graph) == [["a", "b", "c"]]
    assert import_circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles_anywhere():
    assert import_circles(GRAPH) == []


@pytest.mark.parametrize("layer", PRODUCT)
def test_arrows_point_inward(layer):
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        if name.split(".")[0] == layer
        for target in targets
        if target.split(".")[0] in PRODUCT and target.split(".")[0] not in MAY_IMPORT[layer]
    )
    assert wrong == []


def test_core_knows_no_web_messenger_or_network_library():
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        if name.split(".")[0] == "core"
        for target in targets
        if target.split(".")[0] in FRAMEWORKS
    )
    assert wrong == []


def test_core_packages_stay_readable():
    sizes = {
        path.parent.name: len(list(path.parent.glob("*.py")))
        for path in (ROOT / "core").glob("*/__init__.py")
    }
    assert sizes and max(sizes.values()) <= MAX_MODULES_PER_PACKAGE, sizes
    flat = sorted(p.name for p in (ROOT / "core").glob("*.py"))
    # core/ itself keeps only what spans every domain: the policy, the registry, the schema's
    # steps, the first start, the nightly sweep and the backups' record.
    assert flat == [
        "__init__.py", "access.py", "backups.py", "housekeeping.py", "migrations.py",
        "models.py", "setup.py",
    ]  # fmt: skip


def test_functions_are_short_enough_to_read_at_once():
    long = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{name}.{node.name}")
    assert sorted(set(long) - STILL_TO_SPLIT) == []  # a new long function
    assert sorted(STILL_TO_SPLIT - set(long)) == []  # split already: take it off the list


def test_every_table_is_in_the_one_registry():
    from core.base.models import BaseModel
    from core.models import ALL_MODELS

    for package in (ROOT / "core").glob("*/models.py"):
        __import__(f"core.{package.parent.name}.models")

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    defined = {c for c in subclasses(BaseModel) if c.__module__.startswith("core.")}
    assert defined == set(ALL_MODELS)
    for model in ALL_MODELS:  # each table lives in its package's models.py
        assert model.__module__.endswith(".models") and model.__module__.count(".") == 2, model


def test_money_is_integer_kopecks_and_times_are_utc():
    import peewee as pw

    from core.base.clock import utcnow
    from core.models import ALL_MODELS

    for model in ALL_MODELS:
        for field in model._meta.sorted_fields:
            where = f"{model.__name__}.{field.name}"
            assert not isinstance(field, pw.FloatField | pw.DecimalField), where  # kopecks
            if isinstance(field, pw.DateTimeField):  # naive UTC, stamped by the one clock
                assert field.default in (None, utcnow), where


def test_the_table_registry_loads_no_pdf_or_declension_library():
    """Every process imports the registry; only one that prints a paper loads fpdf and the
    declension dictionaries (a restart of the deliverer waited for them)."""
    import subprocess
    import sys

    code = "import sys, core.models; print(sorted(m for m in ('fpdf', 'pymorphy3', 'petrovich') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
