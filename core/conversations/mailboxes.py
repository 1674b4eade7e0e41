"""The firm's mailboxes: the config says how to reach each, the database who may read it.

[imap]/[smtp] is the default mailbox "main"; [[mailboxes]] add more. `sync` brings the
table in line with the config on every start (names and addresses; members are kept)."""

from __future__ import annotations

from dataclasses import dataclass

from core.access import Actor, mailbox_ids_of, require_role
from core.base.config import Config
from core.base.db import database
from core.base.errors import NotFound, ValidationError
from core.conversations.models import Mailbox, MailboxMember
from core.people.models import Employee

__all__ = ["Endpoint", "endpoints", "members_of", "set_members", "sync", "visible_mailboxes"]

MAIN = "main"


@dataclass(frozen=True)
class Endpoint:
    """How to reach one mailbox: IMAP to read, SMTP to send (empty host: that half is off)."""

    code: str
    name: str
    address: str
    imap_host: str = ""
    imap_port: int = 993
    imap_user: str = ""
    imap_password: str = ""
    imap_folder: str = "INBOX"
    imap_ssl: bool = True
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_ssl: bool = False


def endpoints(config: Config) -> list[Endpoint]:
    """Every configured mailbox, the default one first."""
    found: list[Endpoint] = []
    imap, smtp = config.imap, config.smtp
    if imap.host or smtp.host:
        found.append(
            Endpoint(
                MAIN,
                "Основной ящик",
                smtp.sender or imap.user,
                imap.host,
                imap.port,
                imap.user,
                imap.password,
                imap.folder,
                imap.ssl,
                smtp.host,
                smtp.port,
                smtp.user,
                smtp.password,
                smtp.starttls,
                smtp.ssl,
            )  # fmt: skip
        )
    for box in config.mailboxes:
        if not (box.imap_host or box.smtp_host):
            continue
        found.append(
            Endpoint(
                box.code,
                box.name or box.address or box.code,
                box.address or box.imap_user,
                box.imap_host,
                box.imap_port,
                box.imap_user,
                box.imap_password,
                box.imap_folder,
                box.imap_ssl,
                box.smtp_host,
                box.smtp_port,
                box.smtp_user,
                box.smtp_password,
                box.smtp_starttls,
                box.smtp_ssl,
            )  # fmt: skip
        )
    return found


def sync(config: Config) -> dict[str, Mailbox]:
    """Create or update a Mailbox row per configured mailbox; returns them by code.
    A mailbox gone from the config is kept (its letters stay) but marked inactive."""
    wanted = {e.code: e for e in endpoints(config)}
    rows: dict[str, Mailbox] = {}
    with database.atomic():
        for box in Mailbox.select():
            if box.code not in wanted and box.active:
                box.active = False
                box.save()
        for code, end in wanted.items():
            box = Mailbox.get_or_none(Mailbox.code == code)
            if box is None:
                box = Mailbox.create(code=code, name=end.name[:100], address=end.address[:200])
                if code == "main":
                    # The firm's one mailbox was read by the whole office before mailboxes
                    # had members: it stays so after an upgrade; the director narrows it.
                    for person in Employee.select(Employee.id).where(
                        Employee.active & (Employee.role == "manager")
                    ):
                        MailboxMember.create(mailbox=box, employee=person)
            elif (box.name, box.address, box.active) != (end.name, end.address, True):
                box.name, box.address, box.active = end.name[:100], end.address[:200], True
                box.save()
            rows[code] = box
    return rows


def visible_mailboxes(actor: Actor) -> list[Mailbox]:
    allowed = mailbox_ids_of(actor)
    query = Mailbox.select().order_by(Mailbox.id)
    if allowed is not None:
        query = query.where(Mailbox.id.in_(sorted(allowed) or [-1]))
    return list(query)


def members_of(mailbox_id: int) -> list[Employee]:
    return list(
        Employee.select()
        .join(MailboxMember)
        .where(MailboxMember.mailbox == mailbox_id)
        .order_by(Employee.name)
    )


def set_members(actor: Actor, mailbox_id: int, employee_ids: list[int]) -> Mailbox:
    """Who may read a mailbox: only the director decides; managers only."""
    require_role(actor)  # the director alone
    box = Mailbox.get_or_none(Mailbox.id == mailbox_id)
    if box is None:
        raise NotFound("Почтовый ящик не найден.")
    ids = sorted(set(employee_ids))
    people = list(Employee.select().where(Employee.id.in_(ids or [-1])))
    wrong = [p.name for p in people if p.role != "manager" or not p.active]
    if len(people) != len(ids) or wrong:
        raise ValidationError(
            "Доступ к ящику выдаётся только действующим менеджерам"
            + (f": {', '.join(wrong)}." if wrong else ".")
        )
    with database.atomic():
        MailboxMember.delete().where(MailboxMember.mailbox == box.id).execute()
        for person in people:
            MailboxMember.create(mailbox=box, employee=person)
    return box
