"""Choke point 5, held by the code: one validator per kind of outside input.

- mail headers: only bots.email.headers reads a letter's head;
- fiscal QR texts: only core.money.fiscal parses them, and a decoded code reaches the product
  only through it;
- platform payloads: a webhook body is read only through bots.payloads.
The checks read the source, so a new poller, page or webhook that reads raw input by itself
fails here at once; each check is shown to catch a planted offender."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ["core", "admin", "bots", "portal", "checkout", "scheduler", "storage", "cli"]

MAIL_HEADERS = {
    "message-id", "from", "to", "cc", "bcc", "subject", "in-reply-to", "references",
    "authentication-results", "delivered-to", "x-original-to", "reply-to", "received", "sender",
    "return-path", "date", "envelope-to",
}  # fmt: skip
# imap-tools' own header readers and the stdlib's header decoders
HEADER_ATTRS = {"from_", "from_values", "to_values", "cc_values", "bcc_values", "date_str"}
HEADER_CALLS = {"decode_header", "make_header", "parseaddr", "getaddresses", "raw_items"}
HEADER_VALIDATOR = "bots.email.headers"

QR_VALIDATOR = "core.money.fiscal"
QR_READER = "read_qr"
QR_PARSER = "parse_fiscal_qr"

PAYLOAD_VALIDATOR = "bots.payloads"
BODY_READERS = {"get_json", "get_data"}
BODY_ATTRS = {"json", "data", "stream"}
# Bodies another check owns, each for a reason.
PAYLOAD_ELSEWHERE = {
    "checkout.web": "YooKassa: checkout.yookassa.accept_notification validates the notification",
    "bots.phone.mango": "Mango PBX events: signed and read by bots.phone (the calls' own check)",
    "bots.phone.novofon": "Novofon PBX events: signed and read by bots.phone",
}


def _sources():
    for top in PRODUCT:
        for path in (ROOT / top).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path.read_text(encoding="utf-8")


def _const(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _handles_mail(module: str, source: str) -> bool:
    """Mail code: the mail packages, or any module that imports a mail library."""
    if module.startswith(("bots.email", "core.conversations")) or "imap_tools" in source:
        return True
    return re.search(r"^\s*(from|import) email\b", source, re.MULTILINE) is not None


def header_readers(module: str, source: str) -> list[str]:
    if module == HEADER_VALIDATOR or not _handles_mail(module, source):
        return []
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            name = _const(node.slice)
            if name and name.lower() in MAIL_HEADERS and _mail_like(node.value):
                found.append(f"{module}:{line} reads header {name!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            if func.attr in ("get", "get_all") and node.args:
                name = _const(node.args[0])
                if name and name.lower() in MAIL_HEADERS and _mail_like(func.value):
                    found.append(f"{module}:{line} reads header {name!r}")
            if func.attr in HEADER_CALLS:
                found.append(f"{module}:{line} decodes headers ({func.attr})")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in HEADER_CALLS:
                found.append(f"{module}:{line} decodes headers ({node.func.id})")
        elif isinstance(node, ast.Attribute) and node.attr in HEADER_ATTRS:
            found.append(f"{module}:{line} reads imap-tools' {node.attr}")
    return found


def _mail_like(node: ast.AST) -> bool:
    """A letter-ish object (msg, raw, mail, letter, part…), not a dict of our own making."""
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return any(w in (name or "").lower() for w in ("msg", "raw", "mail", "letter", "part", "obj"))


def qr_readers(module: str, source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        calls = {
            (c.func.attr if isinstance(c.func, ast.Attribute) else getattr(c.func, "id", ""))
            for c in ast.walk(node)
            if isinstance(c, ast.Call)
        }
        if QR_READER in calls and QR_PARSER not in calls:
            found.append(f"{module}.{node.name} reads a QR code without {QR_PARSER}")
        if "parse_qs" in calls and module != QR_VALIDATOR:
            found.append(f"{module}.{node.name} parses a query string by itself")
    return found


def body_readers(module: str, source: str) -> list[str]:
    if module == PAYLOAD_VALIDATOR or module in PAYLOAD_ELSEWHERE:
        return []
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute):
            continue
        if not (isinstance(node.value, ast.Name) and node.value.id == "request"):
            continue
        if node.attr in BODY_READERS or node.attr in BODY_ATTRS:
            found.append(f"{module}:{node.lineno} reads request.{node.attr} by itself")
    return found


def test_only_the_header_validator_reads_a_letters_head():
    assert [o for name, src in _sources() for o in header_readers(name, src)] == []


def test_a_decoded_qr_reaches_the_product_only_through_the_fiscal_validator():
    found = [o for name, src in _sources() for o in qr_readers(name, src)]
    assert [o for o in found if not o.startswith("storage.receipts.")] == []


def test_every_webhook_body_goes_through_the_payload_validator():
    assert [o for name, src in _sources() for o in body_readers(name, src)] == []


def test_the_checks_catch_planted_offenders():
    poller = """
def file_it(msg):
    sender = msg.obj.get("From")
    subject = msg.obj["Subject"]
    who = msg.from_
    return decode_header(subject)
"""
    assert len(header_readers("bots.email.shortcut", poller)) == 4
    assert len(header_readers("scheduler.mailjob", "import email\n" + poller)) == 4
    assert header_readers("bots.email.headers", poller) == []
    receipt = """
def total(photo):
    text = read_qr(photo)
    return dict(parse_qs(text))["s"]
"""
    assert len(qr_readers("bots.flows.quick", receipt)) == 2
    hook = """
def webhook():
    body = request.get_json(silent=True)
    raw = request.data
"""
    assert len(body_readers("bots.newchat.webhook", hook)) == 2
    assert body_readers("bots.payloads", hook) == []
