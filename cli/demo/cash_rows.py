"""Demo cash: weekly advances to crews with their receipts, managers' evening hand-overs."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from core.money.models import Account, ExpenseCategory
from core.people.models import Employee


def cash_rows(rnd: random.Random, start, handed: dict, desks: dict, main) -> list[tuple]:
    orders, now, people = start.orders, start.now, start.people
    movement_rows: list[tuple] = []
    # Cash: advances to crews and their receipts, so "still on them" has a story.
    categories = {c.name: c for c in ExpenseCategory.select()}
    crew_people = [people["crew1a"], people["crew1b"], people["crew2a"]]
    director = Employee.get_or_none(Employee.role == "director")
    for week in range(min(52, max(orders // 200, 4)), 0, -1):
        day = now - timedelta(days=week * 7)
        for person in crew_people:
            account = Account.get(Account.employee == person)
            movement_rows.append(
                (
                    "advance",
                    1_000_000,
                    main.id,
                    account.id,
                    None,
                    "Под отчёт на неделю",
                    director.id if director else None,
                    day,
                )
            )
            for name, amount, note in (
                ("Бензин", 100_000, "заправка"),
                ("Материалы", rnd.randint(20, 50) * 10_000, "кабель, автоматы"),
            ):
                movement_rows.append(
                    (
                        "expense",
                        amount,
                        account.id,
                        None,
                        categories[name].id,
                        note,
                        person.id,
                        day + timedelta(days=2),
                    )
                )
            movement_rows.append(
                (
                    "handover",
                    200_000,
                    account.id,
                    main.id,
                    None,
                    "Сдал остаток",
                    person.id,
                    day + timedelta(days=6),
                )
            )

    for (manager_id, day), amount in sorted(handed.items(), key=lambda kv: kv[0][1]):
        evening = datetime.combine(day, datetime.min.time()) + timedelta(hours=17)
        movement_rows.append(("handover", amount, desks[manager_id], main.id, None,
                              "Сдал наличные за день", manager_id, evening))  # fmt: skip
    return movement_rows
