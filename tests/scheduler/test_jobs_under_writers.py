"""A daily job that writes per row must not fail when someone else writes meanwhile: on
SQLite a write transaction begun while the job's own SELECT is still open used to fail at
once with "database is locked" (seen at `brigadir run` start: the web chat's invites and the
reminders catching up)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from core.base import db as dbmod
from core.base.clock import local_today
from core.base.money import rubles
from core.clients.clients import create_client
from core.conversations import reminders
from core.conversations.models import Notification
from core.orders.models import Order
from core.orders.orders import create_order


def test_due_date_reminders_go_out_while_another_connection_writes(staff, actors, monkeypatch):
    client = create_client(actors["manager"], "Иванов", "+79120005566")
    tomorrow = local_today() + timedelta(days=1)
    for n in range(3):
        order = create_order(actors["manager"], client.id, f"Баннер {n}", rubles(100),
                             executor_id=staff["executor"].id)  # fmt: skip
        Order.update(due_date=tomorrow).where(Order.id == order.id).execute()
    Notification.delete().execute()
    real = reminders._once
    calls = []

    def once_while_someone_writes(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2 and not dbmod.is_postgres():  # another process commits meanwhile
            other = sqlite3.connect(dbmod.database.database, timeout=10)
            other.execute("INSERT INTO setting (key, value) VALUES ('someone-else', '1')")
            other.commit()
            other.close()
        return real(*args, **kwargs)

    monkeypatch.setattr(reminders, "_once", once_while_someone_writes)
    assert reminders.remind_due_dates(local_today()) == 3
    assert Notification.select().count() == 3
