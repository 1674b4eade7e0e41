"""Every mailbox of the firm: IMAP polling into the inbox, SMTP sending from the right one.

Polling: each unseen letter is parsed (bots.email.inbound.parse), its bodies decoded
whatever the charset (bots.email.letters), filed to an order or not by core.conversations.mailbox and
into its conversation by core.conversations.inbox — in one transaction — and only then flagged seen.
A crash before the flag re-reads the letter, and the Message-ID check files it once;
a letter without a Message-ID gets one derived from its content for the same purpose.

Sending: one e-mail "channel" for the outbox that picks the SMTP account by the
X-Brigadir-Mailbox header a reply carries (the mailbox the letter came to)."""

from __future__ import annotations

import dataclasses
import hashlib
import imaplib
import logging
from collections.abc import Callable

from imap_tools import AND, MailBox, MailBoxUnencrypted, MailMessage, MailMessageFlags
from imap_tools.errors import ImapToolsError, MailboxLoginError

from bots.email.headers import bounce_of, read_headers
from bots.email.inbound import parse
from bots.email.letters import bodies
from bots.email.transport import SmtpSender
from core.base.config import Config
from core.base.db import database
from core.base.interfaces import DeliveryError, FileStore, OutgoingMessage
from core.channels import health
from core.channels.outage import auth_error, outage, server_error
from core.conversations import delivery, mailboxes, threads
from core.conversations.inbox import file_letter
from core.conversations.letters import html_to_text
from core.conversations.mailbox import IncomingMail, ingest_mail
from core.conversations.models import Mailbox

__all__ = ["MailboxSender", "build_poller", "build_sender", "file_one", "poll_all", "poll_mailbox"]

log = logging.getLogger(__name__)
MAILBOX_HEADER = "X-Brigadir-Mailbox"
IMAP_TIMEOUT = 30.0  # seconds without a word from the IMAP server before a poll gives up


def _fallback_id(mail: IncomingMail, date: str, text: str) -> str:
    """A stable Message-ID for a letter that has none, so a re-read is still recognised."""
    seed = "\n".join([mail.sender, date, mail.subject, text[:2000]])
    return f"<nomsgid.{hashlib.sha256(seed.encode('utf-8', 'replace')).hexdigest()[:32]}@brigadir>"


def file_one(
    msg: MailMessage, box: Mailbox | None, store: FileStore, cap: int, *, auth_server: str = ""
) -> None:
    bounce = bounce_of(msg.obj)
    if bounce is not None and delivery.mail_bounced(bounce.message_id, list(bounce.failed)):
        return  # a report about our own letter: acted on, not a letter for the inbox
    head = read_headers(msg.obj, auth_server=auth_server)
    mail = parse(msg, cap, head=head)
    text, html = bodies(msg.obj)
    text = text.strip() or html_to_text(html)
    mail = dataclasses.replace(
        mail, text=text, message_id=mail.message_id or _fallback_id(mail, head.date, text)
    )
    name = head.sender_name
    with database.atomic():
        message = ingest_mail(mail, store, max_attachment_bytes=cap, mailbox=box)
        new = message.dialogue_id is None
        dialogue = file_letter(message, box, html=html, refs=mail.references,
                               in_reply_to=mail.in_reply_to, contact_name=name)  # fmt: skip
        if new and message.order_id is not None:
            # An answer by e-mail reaches the order's people as a messenger answer does.
            threads.tell_staff(message, dialogue.assignee_id)


def poll_mailbox(
    end: mailboxes.Endpoint,
    box: Mailbox | None,
    store: FileStore,
    *,
    max_attachment_mb: int = 20,
    limit: int | None = 100,
    auth_server: str = "",
    timeout: float = IMAP_TIMEOUT,
) -> int:
    """Fetch this mailbox's unseen letters, file each, flag it seen; returns how many. A
    server that stops answering ends the poll after `timeout` seconds instead of holding
    the mail job for good."""
    cls = MailBox if end.imap_ssl else MailBoxUnencrypted
    cap = max_attachment_mb * 1024 * 1024
    filed = 0
    with cls(end.imap_host, end.imap_port, timeout=timeout).login(end.imap_user, end.imap_password, end.imap_folder) as imap:  # fmt: skip
        for msg in imap.fetch(AND(seen=False), mark_seen=False, limit=limit):
            try:
                file_one(msg, box, store, cap, auth_server=auth_server)
            except Exception:  # noqa: BLE001 - one bad letter must not block the rest
                log.exception("mailbox %s: could not file letter uid=%s", end.code, msg.uid)
                continue
            imap.flag(msg.uid, MailMessageFlags.SEEN, True)
            filed += 1
    return filed


def poll_all(config: Config, store: FileStore, *, limit: int | None = 100) -> int:
    """Poll every configured mailbox; one unreachable mailbox does not stop the others. The
    outcome is the «Почта (приём)» channel's health (core.channels.health): the director sees
    a wrong password or an unreachable server in Russian, and its return by itself."""
    rows = mailboxes.sync(config)
    filed, failed = 0, []
    for end in mailboxes.endpoints(config):
        if not end.imap_host or not end.imap_user:
            continue
        try:
            filed += poll_mailbox(end, rows.get(end.code), store, limit=limit,
                                  max_attachment_mb=config.imap.max_attachment_mb,
                                  auth_server=config.imap.auth_server,
                                  timeout=IMAP_TIMEOUT)  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - a wrong password of one mailbox is logged, not fatal
            log.warning("mailbox %s: polling failed: %s", end.code, exc)
            failed.append(imap_error(end, exc))
    if failed:
        health.record_failure("imap", str(failed[0]), failed[0].outage or "network")
    else:
        health.record_ok("imap")
    return filed


def imap_error(end: mailboxes.Endpoint, exc: BaseException) -> DeliveryError:
    """Why a mailbox could not be read, in the director's words."""
    name = f"Почта (приём), ящик {end.address or end.imap_user}"
    if isinstance(exc, MailboxLoginError):
        return auth_error(name, "сервер не принял логин или пароль")
    if isinstance(exc, ImapToolsError | imaplib.IMAP4.error):
        return server_error(name, str(exc)[:120])
    return outage(name, exc)


def build_poller(config: Config, store: FileStore) -> Callable[[], int] | None:
    """The scheduler's mail job, or None when no mailbox reads mail."""
    if not any(e.imap_host and e.imap_user for e in mailboxes.endpoints(config)):
        return None
    return lambda: poll_all(config, store)


class MailboxSender:
    """The outbox's e-mail sender: the mailbox named in the message's headers, else "main"."""

    channel = "email"

    def __init__(self, senders: dict[str, SmtpSender], default: str):
        self.senders, self.default = senders, default

    def send(self, message: OutgoingMessage) -> str | None:
        code = message.headers.get(MAILBOX_HEADER) or self.default
        return self.senders.get(code, self.senders[self.default]).send(message)

    def probe(self) -> None:
        self.senders[self.default].probe()


def build_sender(config: Config) -> MailboxSender | None:
    smtp = config.smtp
    senders: dict[str, SmtpSender] = {}
    for end in mailboxes.endpoints(config):
        host = end.smtp_host or smtp.host
        if not host or not end.address:
            continue
        own = bool(end.smtp_host)
        senders[end.code] = SmtpSender(
            host, end.smtp_port if own else smtp.port, sender=end.address,
            user=end.smtp_user if own else smtp.user,
            password=end.smtp_password if own else smtp.password,
            reply_to=(smtp.reply_to or config.imap.user) if end.code == mailboxes.MAIN else end.address,
            starttls=end.smtp_starttls if own else smtp.starttls,
            ssl=end.smtp_ssl if own else smtp.ssl, timeout=smtp.timeout,
        )  # fmt: skip
    if not senders:
        return None
    return MailboxSender(
        senders, mailboxes.MAIN if mailboxes.MAIN in senders else next(iter(senders))
    )
