"""The one validator of a letter's headers: what a letter says about itself, checked.

Everything the mail code believes of a letter's head comes from `read_headers`, so nothing
else parses a raw header (tests/test_choke_validators.py fails on a new reader):
- Message-ID, In-Reply-To, References: only "<left@right>" ids of sane length; others are
  dropped (a letter with none gets an id derived from its content by the poller);
- From: one address of the form local@domain (lower-cased), its name decoded; anything else
  is an empty sender — such a letter belongs to no client and no order;
- To, Cc, Delivered-To, X-Original-To: the addresses it was sent to (which of the firm's
  mailboxes it reached);
- Subject: RFC 2047 words decoded the standard way (a folded Latin word after an encoded
  one keeps its space), raw 8-bit bytes (windows-1251 from old mail programs) decoded with
  the letter's charset or a guess — never lost;
- Authentication-Results (RFC 8601): what the firm's receiving server found of SPF, DKIM and
  DMARC. Only the topmost header counts (servers add theirs on top, and a sender can write
  any below it); with [imap] auth_server set, only a header of that server counts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.message import Message as EmailMessage

from bots.email.letters import decode

__all__ = ["Bounce", "Headers", "auth_verdict", "bounce_of", "read_headers"]

_ID = re.compile(r"<[!-;=?-~]{1,250}@[!-;=?-~]{1,250}>")  # printable ASCII, no < > or space
_ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$"
)
_METHOD = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)
RECIPIENT_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to")
MAX_SUBJECT = 300


@dataclass(frozen=True)
class Headers:
    message_id: str
    sender: str  # "" when From: holds no valid address
    sender_name: str
    subject: str
    in_reply_to: str
    references: tuple[str, ...]
    recipients: tuple[str, ...]
    auth: str  # pass | fail | "" (the server recorded nothing)
    auth_note: str  # "SPF: fail, DKIM: none, DMARC: fail"
    date: str = ""  # the Date: header as written (only a seed for a missing Message-ID)


def _raw(msg: EmailMessage, name: str) -> list[str]:
    """The header's values as sent, unfolded (CRLF removed, the whitespace kept)."""
    return [re.sub(r"\r?\n", "", str(v)) for k, v in msg.raw_items() if k.lower() == name]


def _bytes_back(value: str, hint: str | None) -> str:
    """A value the parser kept as undecodable bytes (surrogates): decoded as the letter's."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return decode(value.encode("utf-8", "surrogateescape"), hint)


def _text(name: str, value: str, hint: str | None) -> str:
    data = value.encode("utf-8", "surrogateescape")
    if any(b > 127 for b in data):  # raw 8-bit: the letter's charset, else a guess
        return " ".join(decode(data, hint).split())
    try:
        return " ".join(str(policy.default.header_factory(name, value)).split())
    except Exception:  # noqa: BLE001 - a malformed encoded word: keep what was written
        return " ".join(value.split())


def _charset(msg: EmailMessage) -> str | None:
    for part in msg.walk():
        charset = part.get_param("charset")
        if isinstance(charset, str):
            return charset
    return None


def _addresses(name: str, value: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of an address header; invalid ones left out."""
    try:
        header = policy.default.header_factory(name, value)
        found = [(a.display_name or "", a.addr_spec or "") for a in header.addresses]
    except Exception:  # noqa: BLE001 - a broken header names nobody
        return []
    return [(n, a.strip().lower()) for n, a in found if _ADDRESS.match(a.strip())]


def _ids(value: str) -> list[str]:
    return _ID.findall(value or "")[:100]


def auth_verdict(values: list[str], server: str = "") -> tuple[str, str]:
    """(pass | fail | "", note) from the Authentication-Results headers, topmost first.
    DMARC decides when present; else a DKIM or SPF pass passes and a failure fails."""
    for value in values:
        authserv = value.split(";", 1)[0].strip().split()[0:1]
        if server and authserv != [server]:
            continue
        found = {m.lower(): r.lower() for m, r in _METHOD.findall(value)}
        if not found:
            return "", ""
        note = ", ".join(f"{m.upper()}: {found[m]}" for m in ("spf", "dkim", "dmarc") if m in found)
        if "dmarc" in found:
            verdict = {"pass": "pass", "fail": "fail"}.get(found["dmarc"], "")
        elif "pass" in (found.get("dkim"), found.get("spf")):
            verdict = "pass"
        elif found.get("dkim") == "fail" or found.get("spf") in ("fail", "softfail"):
            verdict = "fail"
        else:
            verdict = ""
        return verdict, note
    return "", ""


def read_headers(msg: EmailMessage, *, auth_server: str = "") -> Headers:
    hint = _charset(msg)
    ids = _ids(" ".join(_raw(msg, "message-id")[:1]))
    senders = _addresses("from", " ".join(_raw(msg, "from")[:1]))
    sender_name, sender = senders[0] if len(senders) == 1 else ("", "")
    recipients: list[str] = []
    for name in RECIPIENT_HEADERS:
        for value in _raw(msg, name):
            recipients += [a for _, a in _addresses(name, value) if a not in recipients]
    auth, note = auth_verdict(_raw(msg, "authentication-results"), auth_server)
    subject = " ".join(_text("subject", v, hint) for v in _raw(msg, "subject")[:1])
    return Headers(
        message_id=ids[0] if ids else "",
        sender=sender[:300],
        sender_name=" ".join(_bytes_back(sender_name, hint).split())[:200],
        subject=subject[:MAX_SUBJECT],
        in_reply_to=(_ids(" ".join(_raw(msg, "in-reply-to")[:1])) or [""])[0],
        references=tuple(_ids(" ".join(_raw(msg, "references")))),
        recipients=tuple(recipients[:50]),
        auth=auth,
        auth_note=note,
        date=" ".join(" ".join(_raw(msg, "date")[:1]).split())[:100],
    )


@dataclass(frozen=True)
class Bounce:
    """A delivery status notification (RFC 3464): which of our letters did not arrive, to
    which addresses, and why (the server's own words)."""

    message_id: str  # the Message-ID of our letter the report is about
    failed: tuple[tuple[str, str], ...]  # (address, reason)


def _report_fields(part: EmailMessage) -> list[EmailMessage]:
    payload = part.get_payload()
    if isinstance(payload, list):  # the stdlib parses message/delivery-status into blocks
        return [p for p in payload if isinstance(p, EmailMessage)]
    return []


def _bounce_address(block: EmailMessage) -> str:
    for name in ("final-recipient", "original-recipient"):
        for value in _raw(block, name):
            address = value.partition(";")[2].strip().strip("<>").lower()
            if _ADDRESS.match(address):
                return address
    return ""


def bounce_of(msg: EmailMessage) -> Bounce | None:
    """The report when `msg` is a delivery status notification that says a letter failed
    (Action: failed), with the failed letter's Message-ID; None for any other letter."""
    if msg.get_content_type() != "multipart/report":
        return None
    if (msg.get_param("report-type") or "").lower() != "delivery-status":
        return None
    failed: list[tuple[str, str]] = []
    original = ""
    for part in msg.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in _report_fields(part):
                action = "".join(_raw(block, "action")).strip().lower()
                address = _bounce_address(block)
                if action == "failed" and address:
                    why = "".join(_raw(block, "diagnostic-code") or _raw(block, "status"))
                    failed.append((address, why.partition(";")[2].strip()[:300] or why[:300]))
        elif kind in ("message/rfc822", "text/rfc822-headers") and not original:
            inner = part.get_payload()
            head = inner[0] if isinstance(inner, list) and inner else None
            if head is None and isinstance(inner, str):
                from email import message_from_string

                head = message_from_string(inner, policy=policy.compat32)
            ids = _ids("".join(_raw(head, "message-id"))) if head is not None else []
            original = ids[0] if ids else ""
    if not failed or not original:
        return None
    return Bounce(original, tuple(failed))
