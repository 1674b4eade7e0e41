"""IMAP polling with imap-tools: unseen letters are filed by core.conversations.mailbox, then flagged
seen. A letter is flagged only after it is stored, so a crash re-reads it, and the
Message-ID check files it once."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from imap_tools import AND, MailBox, MailBoxUnencrypted, MailMessage, MailMessageFlags

from bots.email.headers import Headers, read_headers
from core.base.config import Config
from core.base.interfaces import FileStore
from core.conversations.mailbox import IncomingMail, ingest_mail

__all__ = ["build_poller", "parse", "poll"]

log = logging.getLogger(__name__)


def parse(
    msg: MailMessage,
    max_attachment_bytes: int,
    *,
    auth_server: str = "",
    head: Headers | None = None,
) -> IncomingMail:
    """imap-tools message -> IncomingMail, its headers through the one validator
    (bots.email.headers). A broken or oversized attachment becomes a note, never an
    exception: the letter itself is always kept."""
    raw = msg.obj
    head = head or read_headers(raw, auth_server=auth_server)
    attachments, skipped = [], []
    for part in msg.attachments:
        name = part.filename or "вложение"
        try:
            size = part.size
            if size > max_attachment_bytes:
                skipped.append(f"{name}: {size // 1024} КБ — больше предела, не сохранено")
                continue
            attachments.append(
                (name, part.payload, part.content_type or "application/octet-stream")
            )
        except Exception as exc:  # noqa: BLE001 - malformed MIME must not stop the mailbox
            skipped.append(f"{name}: повреждено ({type(exc).__name__})")
    for defect in getattr(raw, "defects", []) or []:
        skipped.append(f"письмо повреждено: {type(defect).__name__}")
    text = msg.text or _strip_html(msg.html)
    return IncomingMail(
        message_id=head.message_id,
        sender=head.sender,
        subject=head.subject,
        text=text,
        in_reply_to=head.in_reply_to,
        references=head.references,
        attachments=tuple(attachments),
        skipped=tuple(skipped),
        auth=head.auth,
        auth_note=head.auth_note,
    )


def _strip_html(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html or "").strip()


def poll(config: Config, store: FileStore, *, limit: int = 100) -> int:
    """Fetch unseen letters, file each, flag it seen; returns how many were filed."""
    imap = config.imap
    box_cls = MailBox if imap.ssl else MailBoxUnencrypted
    cap = imap.max_attachment_mb * 1024 * 1024
    filed = 0
    with box_cls(imap.host, imap.port).login(imap.user, imap.password, imap.folder) as box:
        for msg in box.fetch(AND(seen=False), mark_seen=False, limit=limit):
            try:
                mail = parse(msg, cap, auth_server=imap.auth_server)
                ingest_mail(mail, store, max_attachment_bytes=cap)
            except Exception:  # noqa: BLE001 - one bad letter must not block the rest
                log.exception("could not file letter uid=%s", msg.uid)
                continue
            box.flag(msg.uid, MailMessageFlags.SEEN, True)
            filed += 1
    return filed


def build_poller(config: Config, store: FileStore) -> Callable[[], int] | None:
    """The scheduler's mail job, or None when no mailbox is configured."""
    if not config.imap.host or not config.imap.user:
        return None
    return lambda: poll(config, store)
