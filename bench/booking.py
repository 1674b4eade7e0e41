"""The free-slot calendar: 30 days ahead, 10 crews taking bookings, about half the seats
already booked, on SQLite and PostgreSQL. Baseline: the one grouped SQL query the
calendar needs, without the grid, the settings or the ORM."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from bench.common import backends, fresh_database, row, timings
from core.access import SYSTEM
from core.base.clock import to_local, utcnow
from core.base.db import database
from core.clients.models import Client
from core.orders.models import Order, Pipeline
from core.people.models import Crew
from core.selfservice import booking
from core.selfservice.models import Visit

CREWS = 10
DAYS = 30


def _fill(rnd: random.Random) -> None:
    """10 crews, every working slot of 30 days, each seat booked with probability 1/2."""
    crews = [Crew.create(name=f"Бригада {i + 1}") for i in range(CREWS)]
    booking.save_settings(SYSTEM, {"crews": [c.id for c in crews], "days_ahead": DAYS})
    client = Client.create(name="Клиент", phone="+79120000000")
    pipeline = Pipeline.get(Pipeline.code == "installation")
    stage = pipeline.stages.order_by(pipeline.stages.model.position).first()
    slots = [s for day in booking.free_slots().values() for s in day]
    orders, visits = [], []
    for slot in slots:
        for crew in crews:
            if rnd.random() < 0.5:
                orders.append(
                    {"number": len(orders) + 1, "pipeline": pipeline.id, "stage": stage.id,
                     "client": client.id, "description": "Выезд"}
                )  # fmt: skip
                visits.append((crew.id, slot))
    with database.atomic():
        Order.insert_many(orders).execute()
        ids = [o.id for o in Order.select(Order.id).order_by(Order.id)]
        Visit.insert_many(
            {"order": oid, "client": client.id, "crew": crew_id, "starts_at": slot.starts_at,
             "ends_at": slot.ends_at, "seat": 0}
            for oid, (crew_id, slot) in zip(ids, visits, strict=True)
        ).execute()  # fmt: skip
    print(f"  {len(slots)} slots, {len(visits)} visits booked", flush=True)


def _measure() -> None:
    now = utcnow()
    ours = timings(lambda i: booking.free_slots(now=now), 200)
    crews = booking.bookable_crews()
    end = now + timedelta(days=DAYS + 1)
    sql = (
        "SELECT starts_at, COUNT(id) FROM visit WHERE starts_at BETWEEN ? AND ? "
        "AND crew_id IN (" + ", ".join("?" * len(crews)) + ") GROUP BY starts_at"
    ).replace("?", database.obj.param)
    base = timings(lambda i: database.execute_sql(sql, (now, end, *crews)).fetchall(), 200)
    row(f"free-slot calendar, {DAYS} days × {CREWS} crews", ours, base, "< 20 ms")
    day = to_local(now).date() + timedelta(days=3)
    wanted = booking.free_slots(day, 1, now=now)[day]
    if wanted:
        slot: datetime = wanted[0].starts_at
        nearest = timings(lambda i: booking.nearest_free(slot, now=now), 100)
        row("nearest free slots (offer after a lost race)", nearest, base)


def main() -> None:
    rnd = random.Random(15)
    for kind in backends():
        print(f"[{kind}] {CREWS} crews, {DAYS} days", flush=True)
        with fresh_database(kind):
            _fill(rnd)
            _measure()


if __name__ == "__main__":
    main()
