"""The flows' house: the registry has its own module and no flow imports the engine."""

from __future__ import annotations

import ast
from pathlib import Path

FLOWS = Path(__file__).resolve().parents[2] / "bots" / "flows"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_no_flow_module_imports_the_engine():
    offenders = [
        p.name
        for p in FLOWS.glob("*.py")
        if p.name not in ("engine.py", "__init__.py") and "bots.flows.engine" in _imports(p)
    ]
    assert offenders == []


def test_every_command_is_registered_once_the_engine_is_loaded():
    from bots.flows import engine  # noqa: F401 - loading it loads every flow
    from bots.flows.registry import COMMANDS, IDLE, PAYLOADS

    assert {"cancel", "help", "new", "team"} <= set(COMMANDS)
    assert "order" in PAYLOADS and len(IDLE) == 3
