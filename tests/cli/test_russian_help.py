"""Issue 28: the CLI speaks Russian to the end — Click's own words (usage, options, «Show
this message and exit.», its errors and type names) included."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
from click.testing import CliRunner

from cli.main import main

ALLOWED_CAPS = {"CSV", "SMS", "PDF", "TOML"}


def _click_phrases() -> set[str]:
    """Every English phrase Click prints through gettext, cut at its first placeholder."""
    found = set()
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("_", "ngettext"):
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        head = re.split(r"[{%(]", arg.value)[0].strip()
                        if (
                            len(head) >= 5
                            and " " in head
                            or head in ("Usage:", "Options", "Commands")
                        ):
                            found.add(head)
    return found


def _helps() -> dict[str, str]:
    runner, out = CliRunner(), {}

    def walk(command, path):
        out[" ".join(path) or "brigadir"] = runner.invoke(
            main, [*path, "--help"], prog_name="brigadir"
        ).output
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(main, [])
    return out


def test_every_help_page_is_russian():
    english = _click_phrases()
    assert "Show this message and exit." in english and "Usage:" in english
    for path, text in _helps().items():
        assert "Использование: brigadir" in text and "Показать эту справку и выйти." in text, path
        assert not [p for p in english if p in text], (path, text)
        caps = set(re.findall(r"\b[A-Z][A-Z_]{2,}\b", text)) - ALLOWED_CAPS
        assert not caps, (path, caps)  # metavars such as TEXT, PATH, SOURCE
        assert "Параметры:" in text


def test_errors_are_russian_too():
    runner, english = CliRunner(), _click_phrases()
    cases = {
        ("nope",): "Нет такой команды: 'nope'.",
        ("import",): "Не указан аргумент",
        ("import", "bad", "x.xlsx"): "не одно из: 'orders', 'clients'",
        ("migrate", "лишнее"): "Лишний аргумент (лишнее)",
        ("demo", "--clients", "много"): "'много' — не число.",
        ("import", "orders", "нет-такого.xlsx"): "не существует",
    }
    for args, expected in cases.items():
        text = runner.invoke(main, list(args), prog_name="brigadir").output
        assert expected in text and "Ошибка:" in text and "Справка: «brigadir" in text, (args, text)
        assert not [p for p in english if p in text], (args, text)
