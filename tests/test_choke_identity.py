"""Choke point 2, held by the code: a person is tied to a client by a phone only through the
one identity rule (core.clients.identity). The check reads the source, so a new bot, page or
job that looks a client up by phone and links or merges on its own fails here at once."""

from __future__ import annotations

import ast
from pathlib import Path

from core.clients import identity
from core.conversations.inbox import CHANNEL_NAMES

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ["core", "admin", "bots", "portal", "checkout", "scheduler", "storage", "cli"]
# Calls that tie a messenger account to a client or fold one card into another.
LINKING = {"fold_client", "bind_client", "_bind", "link_client_by_phone"}
# Where those calls may stand, each for a reason a reader can check.
ALLOWED = {
    "core.clients.clients.merge_clients": "a manager merges two cards he sees",
    "core.clients.links.accept_invite": "an invite code the firm handed out",
    "core.clients.links.link_client_by_phone": "asks identity.proven_client",
    "core.clients.leads.open_lead": "a stranger's own new card",
    "core.clients.leads.phone_given": "asks identity.proven_client",
    "core.clients.leads.confirm_client": "a manager names the client",
    "bots.flows.join.stranger": "link_client_by_phone, which asks the rule",
}
RULE = "proven_client"
PRIMITIVES = {"core.clients.clients.fold_client", "core.clients.links._bind",
              "core.clients.links.bind_client"}  # fmt: skip


def _calls(node: ast.AST) -> set[str]:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


def _mentions_phone(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        word = sub.attr if isinstance(sub, ast.Attribute) else getattr(sub, "id", None)
        if isinstance(sub, ast.arg):
            word = sub.arg
        if isinstance(word, str) and "phone" in word.lower():
            return True
    return False


def _writes_links(node: ast.AST) -> bool:
    """MessengerLink.create / .insert / .update(client=…) / MessengerLink(…)."""
    for sub in ast.walk(node):
        if not isinstance(sub, ast.Call):
            continue
        func = sub.func
        if isinstance(func, ast.Name) and func.id == "MessengerLink":
            return True
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "MessengerLink"
            and func.attr in ("create", "insert", "insert_many", "replace", "get_or_create")
        ):
            return True
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "update"
            and isinstance(func.value, ast.Name)
            and func.value.id == "MessengerLink"
            and any(k.arg == "client" for k in sub.keywords)
        ):
            return True
    return False


def offences(module: str, source: str) -> list[str]:
    """Functions that link by themselves where they may not, or link with a phone in hand
    without asking the rule."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        name = f"{module}.{node.name}"
        calls = _calls(node)
        links = (calls & LINKING) or _writes_links(node)
        if not links or module == "core.clients.identity":
            continue
        if name in PRIMITIVES:
            continue  # they link whom they are given; the callers are checked
        if name not in ALLOWED:
            found.append(f"{name}: links a person to a client outside the allowed places")
        elif _mentions_phone(node) and RULE not in calls and "link_client_by_phone" not in calls:
            found.append(f"{name}: links with a phone in hand without identity.{RULE}")
    return found


def _product_sources():
    for top in PRODUCT:
        for path in (ROOT / top).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path.read_text(encoding="utf-8")


def test_every_link_by_phone_goes_through_the_identity_rule():
    found = [o for name, src in _product_sources() for o in offences(name, src)]
    assert found == []


def test_the_checker_catches_a_new_path_that_links_by_phone():
    planted = """
def by_typed_phone(incoming):
    client = Client.get(Client.phone == normalize_phone(incoming.text))
    return links.bind_client(incoming.channel, incoming.external_id, client)
"""
    assert offences("bots.flows.shortcut", planted) == [
        "bots.flows.shortcut.by_typed_phone: links a person to a client outside the allowed places"
    ]
    sneaky = """
def phone_given(lead, phone):
    known = Client.get(Client.phone == phone)
    return fold_client(known, lead)
"""
    assert offences("core.clients.leads", sneaky) == [
        "core.clients.leads.phone_given: links with a phone in hand without identity.proven_client"
    ]
    raw = """
def remember(channel, external_id, phone):
    MessengerLink.create(channel=channel, external_id=external_id,
                         client=Client.get(Client.phone2 == phone))
"""
    assert len(offences("scheduler.jobs", raw)) == 1


def test_every_channel_declares_whether_it_proves_a_contact():
    known = set(CHANNEL_NAMES) | {"widget"}
    declared = set(identity.PROVES_OWNER) | set(identity.NEVER)
    assert known - declared == set()
    assert set(identity.PROVES_OWNER) & set(identity.NEVER) == set()
    assert set(identity.PROVES_OWNER) == {"telegram", "max"}


def test_the_rule_itself():
    c = identity.SharedContact
    assert identity.proves_owner(c("telegram", "5", "+79120000004", "5"))
    assert not identity.proves_owner(c("telegram", "5", "+79120000004", "6"))  # forwarded card
    assert not identity.proves_owner(c("telegram", "5", "+79120000004", None))
    assert identity.proves_owner(c("max", "44", "+79120000004", "44"))
    for channel in ("viber", "vk", "web", "widget", "sms", "email"):
        assert not identity.proves_owner(c(channel, "5", "+79120000004", "5"))
    assert not identity.proves_owner(c.typed("telegram", "5", "+79120000004"))
