"""The inbox at 100 000 letters (three mailboxes, one conversation per 5 letters, plus
messenger chats): the list a manager opens, under each filter, through core.conversations.inbox and as
a whole admin page, beside the same query in raw SQL from the same run.

Target: the inbox list under 30 ms."""

from __future__ import annotations

import os
import random
import time
from datetime import timedelta

from bench.common import admin_app, backends, fresh_database, logged_in, row, timings
from core.access import SYSTEM, actor_for_employee
from core.base.clock import utcnow
from core.base.config import Config, ImapSection, MailboxSection
from core.base.db import database, is_postgres
from core.conversations import inbox, mailboxes
from core.conversations.models import Dialogue, Message
from core.people.staff import create_employee

RUNS = 40
PER_THREAD = 5
WORDS = "макет баннер визитки счёт оплата срок тираж бумага цвет доставка печать листовки".split()


def _letters() -> int:
    return int(os.environ.get("BENCH_INBOX_LETTERS", "100000"))


def _fill(letters: int) -> dict:
    config = Config(
        imap=ImapSection(host="imap.test", user="shop@example.test"),
        mailboxes=tuple(MailboxSection(code=c, name=c, address=f"{c}@example.test", imap_host="imap.test",
                                       imap_user=f"{c}@example.test") for c in ("sales", "design")),
    )  # fmt: skip
    boxes = list(mailboxes.sync(config).values())
    maria = create_employee(SYSTEM, "Мария", "manager", login="maria", password="demo-password")
    oleg = create_employee(SYSTEM, "Олег", "manager", login="oleg", password="demo-password")
    mailboxes.set_members(SYSTEM, boxes[0].id, [maria.id, oleg.id])
    mailboxes.set_members(SYSTEM, boxes[1].id, [maria.id])
    rnd = random.Random(13)
    now = utcnow()
    threads = letters // PER_THREAD
    with database.atomic():
        rows = []
        for i in range(threads):
            chat = i % 10 == 9  # a tenth are messenger chats, the rest letter threads
            subject = " ".join(rnd.sample(WORDS, 3))
            rows.append({
                "kind": "outside", "channel": rnd.choice(["telegram", "viber", "web"]) if chat else "email",
                "mailbox": None if chat else boxes[i % 3].id, "contact": f"c{i}@client.test",
                "contact_name": f"Клиент {i}", "subject": "" if chat else subject,
                "status": "open" if i % 7 else "closed", "unread": rnd.choice([0, 0, 0, 1, 2]),
                "assignee": rnd.choice([None, maria.id, oleg.id]),
                "last_at": now - timedelta(minutes=threads - i), "last_text": subject,
                "search_text": f"{subject} c{i} client test клиент {i}",
            })  # fmt: skip
            if len(rows) == 1000:
                Dialogue.insert_many(rows).execute()
                rows = []
        if rows:
            Dialogue.insert_many(rows).execute()
    ids = [d.id for d in Dialogue.select(Dialogue.id).order_by(Dialogue.id)]
    with database.atomic():
        batch = []
        for n in range(letters):
            dialogue = ids[n % len(ids)]
            batch.append({
                "direction": "in", "channel": "email", "sender": f"c{n % len(ids)}@client.test",
                "subject": "письмо", "text": " ".join(rnd.choices(WORDS, k=30)), "dialogue": dialogue,
                "at": now - timedelta(minutes=letters - n), "external_id": f"<b{n}@client.test>",
            })  # fmt: skip
            if len(batch) == 2000:
                Message.insert_many(batch).execute()
                batch = []
        if batch:
            Message.insert_many(batch).execute()
    if is_postgres():
        database.execute_sql("ANALYZE")
    return {"maria": maria, "oleg": oleg, "boxes": boxes}


def _raw(actor_boxes: list[int], extra: str = "", params: tuple = ()) -> list[float]:
    """The same page as one hand-written query (no access layer, no ORM)."""
    marks = ", ".join(["%s" if is_postgres() else "?"] * len(actor_boxes))
    p = "%s" if is_postgres() else "?"
    sql = (
        'SELECT "id", "channel", "mailbox_id", "contact", "contact_name", "subject", "unread", '
        '"assignee_id", "last_at", "last_text", "client_id", "order_id" FROM "dialogue" '
        f'WHERE "kind" = {p} AND "status" = {p} AND ("mailbox_id" IS NULL OR "mailbox_id" IN ({marks})) '
        f'{extra} ORDER BY "last_at" DESC, "id" DESC LIMIT 50'
    )
    args = ("outside", "open", *actor_boxes, *params)
    return timings(lambda _i: database.execute_sql(sql, args).fetchall(), RUNS)


def _page(client, url: str) -> list[float]:
    def hit(_i: int) -> None:
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)

    return timings(hit, RUNS)


def main() -> None:
    letters = _letters()
    for kind in backends():
        with fresh_database(kind):
            started = time.perf_counter()
            made = _fill(letters)
            print(f"\n[{kind}] {letters} letters in {letters // PER_THREAD} conversations, "
                  f"made in {time.perf_counter() - started:.0f} s")  # fmt: skip
            maria = actor_for_employee(made["maria"])
            mine = [made["boxes"][0].id, made["boxes"][1].id]
            p = "%s" if is_postgres() else "?"
            cases = [
                ("inbox list (manager, 2 of 3 mailboxes)", inbox.InboxFilter(), "", ()),
                ("inbox: one mailbox", inbox.InboxFilter(mailbox_id=mine[1]), f'AND "mailbox_id" = {p}', (mine[1],)),
                ("inbox: unread only", inbox.InboxFilter(unread=True), 'AND "unread" > 0', ()),
                ("inbox: assigned to me", inbox.InboxFilter(assignee_id=made["maria"].id),
                 f'AND "assignee_id" = {p}', (made["maria"].id,)),
                ("inbox: channel telegram", inbox.InboxFilter(channel="telegram"), f'AND "channel" = {p}', ("telegram",)),
                ("inbox: search two words", inbox.InboxFilter(query="макет 1234"),
                 f'AND "search_text" LIKE {p} AND "search_text" LIKE {p}', ("%макет%", "%1234%")),
            ]  # fmt: skip
            for label, flt, extra, params in cases:
                ours = timings(lambda _i, flt=flt, who=maria: inbox.inbox_page(who, flt), RUNS)
                row(label, ours, _raw(mine, extra, params), "< 30 ms")
            client = logged_in(admin_app())
            some = (
                Dialogue.select(Dialogue.id)
                .where(Dialogue.mailbox == mine[0])
                .order_by(Dialogue.id.desc())
                .scalar()
            )
            row(
                "admin page /admin/inbox/ (whole request)",
                _page(client, "/admin/inbox/"),
                None,
                "< 30 ms",
            )
            row(
                "admin page with a conversation open",
                _page(client, f"/admin/inbox/{some}/"),
                None,
                "< 30 ms",
            )


if __name__ == "__main__":
    main()
