"""The house plan, held by the code (ARCHITECTURE.md names these tests).

Each check reads the source, not a running app, so a new module is covered the moment it is
written: no import circle anywhere, core/ free of web and messenger frameworks, arrows pointing
inward, packages of a readable size, functions short enough to read at once, and every table
known to the one registry that creates and migrates them."""

from __future__ import annotations

import ast
import re
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
STILL_TO_SPLIT: set[str] = set()  # every function a reader meets is 60 lines or fewer


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


# --- Choke point 1: one read path per protected record ------------------------------------
# admin/, bots/, portal/ and scheduler/ read protected records (core.access.PROTECTED_RECORDS)
# only through core query functions that take the person. What counts as reading one here:
# Model.select/get/get_or_none/get_by_id/raw/filter, a join to it or a select of its columns
# from another table, raw SQL naming its table, and a Flask-Admin view over it whose query
# does not start at a core `visible_*` function. (Walking a backref, order.messages, is not
# caught by name: "attachments" and "incoming" are also the channels' and bots' own fields;
# no product code walks one today.)
OUTER = ("admin", "bots", "portal", "scheduler")
READS = {"select", "get", "get_or_none", "get_by_id", "raw", "filter"}
VIEW_QUERIES = ("get_query", "get_count_query", "get_one")


def _protected() -> tuple[set[str], set[str]]:
    """(model names, their tables)."""
    from core.access import PROTECTED_RECORDS

    return {m.__name__ for m in PROTECTED_RECORDS}, {m._meta.table_name for m in PROTECTED_RECORDS}


def _local_names(tree: ast.AST, protected: set[str]) -> dict[str, str]:
    """Local name → protected model, through `from … import Order as O` too."""
    found = {name: name for name in protected}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in protected:
                    found[alias.asname or alias.name] = alias.name
    return found


def _calls_visible(fn: ast.AST) -> bool:
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            callee = (
                node.func.attr
                if isinstance(node.func, ast.Attribute)
                else getattr(node.func, "id", "")
            )
            if callee.startswith("visible_") or callee == "base_query":
                return True
    return False


def protected_reads(source: str, where: str) -> list[str]:
    names, tables = _protected()
    tree = ast.parse(source)
    local = _local_names(tree, names)
    sql = re.compile(
        r"\b(?:from|join|update|into)\s+\"?(" + "|".join(sorted(tables)) + r")\"?\b", re.I
    )
    found = []
    for node in ast.walk(tree):
        line = f"{where}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            if isinstance(func.value, ast.Name) and func.value.id in local and func.attr in READS:
                found.append(f"{line} {local[func.value.id]}.{func.attr}")
            elif func.attr in ("join", "select", "prefetch") and any(
                isinstance(a, ast.Name) and a.id in local for a in node.args
            ):
                found.append(
                    f"{line} .{func.attr}(…{local[next(a.id for a in node.args if isinstance(a, ast.Name) and a.id in local)]}…)"
                )
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and sql.search(node.value)
        ):
            found.append(f"{line} SQL on {sql.search(node.value)[1]}")
        elif (
            isinstance(node, ast.Call)
            and any(isinstance(a, ast.Name) and a.id in local for a in node.args[:1])
            and getattr(node.func, "id", "").endswith("View")
        ):
            found.append(f"{line} {node.func.id}({node.args[0].id}): check its queries")
    return found


def _admin_classes() -> dict[str, ast.ClassDef]:
    classes = {}
    for name, path in MODULES.items():
        if name.split(".")[0] == "admin":
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef):
                    classes[node.name] = node
    return classes


def _methods(view: str, classes: dict[str, ast.ClassDef]) -> dict[str, ast.FunctionDef]:
    """The view's methods as Python resolves them (its own, then its bases' in order)."""
    found: dict[str, ast.FunctionDef] = {}
    node = classes.get(view)
    if node is None:
        return found
    for base in reversed(node.bases):
        if isinstance(base, ast.Name):
            found.update(_methods(base.id, classes))
    found.update({f.name: f for f in node.body if isinstance(f, ast.FunctionDef)})
    return found


def _view_queries_ok(view: str) -> list[str]:
    """A Flask-Admin view over a protected record: every query it lists, counts or opens by
    must come from a core `visible_*` function (through its base_query)."""
    methods = _methods(view, _admin_classes())
    base = methods.get("base_query")
    problems = []
    if base is None or not _calls_visible(base):
        problems.append(f"{view}.base_query does not call a visible_* function")
    for query in VIEW_QUERIES:
        if query in methods and not _calls_visible(methods[query]):
            problems.append(f"{view}.{query} goes around base_query")
    return problems


def _outer_reads() -> list[str]:
    found = []
    for name, path in MODULES.items():
        if name.split(".")[0] in OUTER:
            for hit in protected_reads(path.read_text(encoding="utf-8"), name):
                if hit.endswith("check its queries"):
                    view = hit.split()[1].split("(")[0]
                    found.extend(_view_queries_ok(view))
                else:
                    found.append(hit)
    return found


def test_protected_records_are_read_only_through_core_query_functions():
    assert _outer_reads() == []


def test_the_model_view_base_reaches_rows_through_base_query():
    """BrigadirModelView lists, counts and opens rows from base_query: the seam above holds."""
    tree = ast.parse((ROOT / "admin" / "base.py").read_text(encoding="utf-8"))
    view = next(
        n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "BrigadirModelView"
    )
    methods = {f.name: f for f in view.body if isinstance(f, ast.FunctionDef)}
    for name in VIEW_QUERIES:
        assert _calls_visible(methods[name]), name


BYPASSES = {
    "a page selecting letters": "rows = Message.select().where(Message.client == 1)",
    "an alias": "from core.orders.models import Order as O\nO.get_by_id(5)",
    "a join": "Visit.select(Visit, Order).join(Order)",
    "raw SQL": 'database.execute_sql("SELECT text FROM message WHERE client_id = 1")',
    "a paper by id": "Document.get_or_none(Document.id == 3)",
    "a cash line": "CashMovement.select().where(CashMovement.kind == 'expense')",
}


@pytest.mark.parametrize("what", sorted(BYPASSES))
def test_a_page_that_goes_around_is_caught(what):
    assert protected_reads(BYPASSES[what], "admin.views.new_page") != []


def test_a_page_through_core_passes():
    source = "rows = threads.client_messages(actor, client.id)\norders = visible_orders(actor)"
    assert protected_reads(source, "admin.views.new_page") == []
