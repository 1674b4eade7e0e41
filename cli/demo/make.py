"""`generate`: the demo's parts put together and written in one transaction."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from faker import Faker

from cli.demo.bulk import _bulk, _reset_sequences
from cli.demo.cash_rows import cash_rows
from cli.demo.clients import client_rows as client_rows_of
from cli.demo.orders import Start
from cli.demo.orders import order_rows as order_rows_of
from cli.demo.people import _staff
from cli.demo.texts import DEMO_COMPANY
from core.base import settings
from core.base.clock import utcnow
from core.base.db import database
from core.base.models import Sequence
from core.clients.models import Client, ClientWord
from core.conversations.models import Message
from core.money import ledger
from core.money.models import CashMovement, Payment
from core.orders.models import Order, Pipeline, Stage, StageMove


@dataclass
class DemoReport:
    clients: int = 0
    orders: int = 0
    moves: int = 0
    payments: int = 0
    expenses: int = 0
    messages: int = 0
    passwords: dict[str, str] = field(default_factory=dict)


def generate(
    clients: int,
    orders: int,
    *,
    seed: int = 7,
    password: str = "demo-password",
    progress: Callable[[str, int, int], None] | None = None,
) -> DemoReport:
    """Add `clients` clients and `orders` orders (plus history, payments, expenses, threads)."""
    rnd = random.Random(seed)
    fake = Faker("ru_RU")
    fake.seed_instance(seed)
    report = DemoReport(passwords={"maria": password, "oleg": password})
    tick = progress or (lambda stage, done, total: None)

    if not settings.get("company"):
        settings.put("company", DEMO_COMPANY)
    start = _start(fake, clients, orders, _staff(password))
    client_rows, word_rows = client_rows_of(rnd, fake, clients, start.first_id, start.now)
    made = order_rows_of(rnd, start)
    for row in client_rows:
        row += made["figures"][row[0]][:5]
    movement_rows = cash_rows(rnd, start, made["handed"], made["desks"], made["main"])
    total = len(client_rows) + len(made["orders"]) + len(made["moves"]) + len(made["payments"])
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        tick("Запись", done, total)

    with database.atomic():
        _write(client_rows, word_rows, made, movement_rows, advance)
        _counters(made, start.first_number)
        _reset_sequences()
        ledger.rebuild()  # the desks' running totals, counted once for the bulk rows
    # Fresh planner statistics: after a bulk load the planner would otherwise guess badly.
    database.execute_sql("ANALYZE")
    report.clients, report.orders, report.moves = (
        len(client_rows),
        len(made["orders"]),
        len(made["moves"]),
    )
    report.payments, report.expenses = len(made["payments"]), len(movement_rows)
    report.messages = len(made["messages"])
    return report


def _start(fake: Faker, clients: int, orders: int, people: dict) -> Start:
    """Where the new rows begin (after whatever the database holds) and what they refer to."""
    pipelines = {p.code: p for p in Pipeline.select()}
    stages = {
        code: list(Stage.select().where(Stage.pipeline == p).order_by(Stage.position))
        for code, p in pipelines.items()
    }
    first_id = (Client.select(Client.id).order_by(Client.id.desc()).scalar() or 0) + 1
    first_order_id = (Order.select(Order.id).order_by(Order.id.desc()).scalar() or 0) + 1
    first_payment_id = (Payment.select(Payment.id).order_by(Payment.id.desc()).scalar() or 0) + 1
    first_number = (Sequence.get_or_none(Sequence.name == "order") or Sequence(value=0)).value + 1
    addresses = [fake.address().replace("\n", ", ") for _ in range(min(3000, max(orders, 1)))]
    return Start(clients, orders, first_id, first_order_id, first_payment_id, first_number, utcnow(),
                 people, pipelines, stages, addresses)  # fmt: skip


def _write(client_rows: list, word_rows: list, made: dict, movement_rows: list,
           advance: Callable[[int], None]) -> None:  # fmt: skip
    """Every row in bulk, clients first (the orders refer to them)."""
    _bulk(Client, [Client.id, Client.name, Client.kind, Client.phone, Client.email, Client.address, Client.created_at,
                   Client.orders_count, Client.orders_total, Client.paid_total, Client.debt, Client.last_order_at],
          client_rows, advance)  # fmt: skip
    _bulk(
        ClientWord,
        [ClientWord.client, ClientWord.word],
        list(dict.fromkeys(word_rows)),
        lambda n: None,
    )
    _bulk(Order, [Order.id, Order.number, Order.pipeline, Order.stage, Order.client, Order.description, Order.cost,
                  Order.paid, Order.debt, Order.manager, Order.executor, Order.crew, Order.subcontractor,
                  Order.due_date, Order.object_address, Order.object_type, Order.documents_received, Order.source,
                  Order.is_archived, Order.created_at, Order.updated_at, Order.closed_at, Order.install_date],
          made["orders"], advance)  # fmt: skip
    _bulk(StageMove, [StageMove.order, StageMove.from_stage, StageMove.to_stage, StageMove.employee, StageMove.at,
                      StageMove.comment, StageMove.out_of_order], made["moves"], advance)  # fmt: skip
    _bulk(Payment, [Payment.id, Payment.order, Payment.amount, Payment.kind, Payment.method, Payment.taken_by,
                    Payment.at, Payment.note], made["payments"], advance)  # fmt: skip
    _bulk(CashMovement, [CashMovement.kind, CashMovement.amount, CashMovement.to_account, CashMovement.order,
                         CashMovement.payment, CashMovement.note, CashMovement.author, CashMovement.at],
          made["collections"], lambda n: None)  # fmt: skip
    _bulk(CashMovement, [CashMovement.kind, CashMovement.amount, CashMovement.from_account, CashMovement.to_account,
                         CashMovement.category, CashMovement.note, CashMovement.author, CashMovement.at],
          movement_rows, lambda n: None)  # fmt: skip
    _bulk(Message, [Message.order, Message.client, Message.direction, Message.channel, Message.text, Message.at,
                    Message.is_read], made["messages"], lambda n: None)  # fmt: skip


def _counters(made: dict, first_number: int) -> None:
    """Stage counts, unread marks and the order number sequence after the bulk rows."""
    for stage_id, count in made["counts"].items():
        if count:
            Stage.update(order_count=Stage.order_count + count).where(
                Stage.id == stage_id
            ).execute()
    unread = {}
    for row in made["messages"]:
        if row[2] == "in":
            unread[row[0]] = unread.get(row[0], 0) + 1
    for oid, n in unread.items():
        Order.update(unread=n).where(Order.id == oid).execute()
    last = first_number + len(made["orders"]) - 1
    Sequence.insert(name="order", value=last).on_conflict(
        conflict_target=[Sequence.name], update={Sequence.value: last}
    ).execute()
