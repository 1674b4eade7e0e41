"""Realistic Russian demo data for both presets, fast enough for a million orders.

Rows go in through bulk inserts in large transactions; the denormalized figures (client
totals and debt, stage counters, the order sequence) are computed here so the result is
exactly what the use cases would have produced one order at a time."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import peewee as pw
from faker import Faker

from core import cash, search, settings
from core.clock import utcnow
from core.db import database, is_postgres
from core.models import (
    Account,
    CashMovement,
    Client,
    ClientWord,
    Crew,
    Employee,
    ExpenseCategory,
    Message,
    Order,
    Payment,
    Pipeline,
    Sequence,
    Stage,
    StageMove,
)
from core.security import hash_password

PRINT_JOBS = [
    ("Визитки {n} шт, 4+4, мелованная 300 г", 900, 4_500),
    ("Баннер {a}×{b} м, люверсы по периметру", 2_500, 18_000),
    ("Листовки А5, {n} шт", 1_800, 9_000),
    ("Кружки с логотипом, {n} шт", 3_500, 25_000),
    ("Футболки с печатью, {n} шт", 4_000, 40_000),
    ("Вывеска световая {a}×{b} м", 25_000, 120_000),
    ("Наклейки на авто, комплект", 3_000, 15_000),
    ("Календари квартальные, {n} шт", 12_000, 60_000),
    ("Ручки с гравировкой, {n} шт (перезаказ)", 2_000, 14_000),
    ("Плакаты А1, {n} шт", 1_500, 8_000),
]
INSTALL_JOBS = [
    ("Техприсоединение частного дома 15 кВт", 25_000, 60_000),
    ("Подключение дачи 5 кВт, ввод в дом", 15_000, 35_000),
    ("Временное подключение стройплощадки", 20_000, 45_000),
    ("Подключение гаража, установка щитка учёта", 12_000, 28_000),
    ("Увеличение мощности до 15 кВт", 18_000, 40_000),
    ("Перенос счётчика на опору", 9_000, 20_000),
]
# A made-up firm (check digits not guaranteed): enough for every paper to render in the demo.
DEMO_COMPANY = {
    "name": "ООО «Демо-Реклама»", "inn": "7701234567", "kpp": "770101001", "ogrn": "1027700000000",
    "address": "г. Москва, ул. Примерная, д. 1, офис 2", "phone": "+7 495 000-00-00",
    "email": "zakaz@demo.example", "bank": "ПАО «Демобанк»", "bik": "044525000",
    "account": "40702810000000000001", "corr_account": "30101810000000000000",
    "director": "Директоров С.С.",
}  # fmt: skip

CLIENT_QUESTIONS = [
    ("out", "Добрый день! Пришлите, пожалуйста, макет в PDF или CDR."),
    ("in", "Отправил на почту, проверьте."),
    ("out", "Уточните, пожалуйста, удобное время выезда на объект."),
    ("in", "Завтра после 14:00 удобно."),
    ("in", "Когда будет готово?"),
    ("out", "Планируем закончить к пятнице, сообщим."),
]


@dataclass
class DemoReport:
    clients: int = 0
    orders: int = 0
    moves: int = 0
    payments: int = 0
    expenses: int = 0
    messages: int = 0
    passwords: dict[str, str] = field(default_factory=dict)


def _chunks(rows: list, size: int) -> Iterable[list]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _bulk(model: type, fields: list, rows: list[tuple], progress: Callable[[int], None]) -> None:
    """executemany with a prepared statement: peewee's per-value SQL building costs ~10x more."""
    param = database.obj.param
    given = {f.name for f in fields}
    defaults = [  # columns the rows leave out get the model's default, as peewee would send it
        (f, f.db_value(f.default() if callable(f.default) else f.default))
        for f in model._meta.sorted_fields
        if f.name not in given and f.default is not None and not isinstance(f, pw.AutoField)
    ]
    columns = ", ".join(f'"{f.column_name}"' for f in [*fields, *(d[0] for d in defaults)])
    marks = ", ".join([param] * (len(fields) + len(defaults)))
    sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})'
    convert = [_converter(f) for f in fields]
    tail = tuple(_converter(f)(v) for f, v in defaults)
    cursor = database.cursor()
    postgres = is_postgres()
    if postgres:  # one multi-row VALUES per page: psycopg2's executemany is a round trip per row
        from psycopg2.extras import execute_values

        sql = sql[: sql.index(" VALUES ")] + " VALUES %s"
    for chunk in _chunks(rows, 5_000):
        values = [tuple(c(v) for c, v in zip(convert, row, strict=True)) + tail for row in chunk]
        if postgres:
            execute_values(cursor, sql, values, page_size=1_000)
        else:
            cursor.executemany(sql, values)
        progress(len(chunk))


def _converter(field: object) -> Callable:
    """What peewee would send for the field (datetimes as text on SQLite, as is on PostgreSQL)."""
    if is_postgres() or not isinstance(field, pw.DateTimeField | pw.DateField):
        return lambda v: v.id if isinstance(v, pw.Model) else v
    return lambda v: None if v is None else str(v)


def _staff(password: str) -> dict[str, Employee]:
    crews = [Crew.get_or_create(name=n)[0] for n in ("Бригада Петрова", "Бригада Соколова")]
    specs = [
        ("manager", "Мария Котова", "manager", "менеджер", None, False, "maria"),
        ("manager2", "Олег Лебедев", "manager", "менеджер", None, False, "oleg"),
        ("printer", "Пётр Печатников", "executor", "печатник", None, False, None),
        ("designer", "Анна Дизайнова", "executor", "дизайнер", None, False, None),
        ("courier", "Дмитрий Быстров", "executor", "курьер", None, False, None),
        ("crew1a", "Иван Петров", "executor", "электромонтажник", crews[0], False, None),
        ("crew1b", "Алексей Смирнов", "executor", "электромонтажник", crews[0], False, None),
        ("crew2a", "Николай Соколов", "executor", "электромонтажник", crews[1], False, None),
        ("sub", "ООО «Сувенир-Принт»", "executor", "перезаказ: сувенирка", None, True, None),
    ]
    people: dict[str, Employee] = {}
    hashed = hash_password(password)
    for key, name, role, position, crew, external, login in specs:
        existing = Employee.get_or_none(Employee.name == name)
        people[key] = existing or Employee.create(
            name=name, role=role, position=position, crew=crew, is_external=external, login=login,
            password_hash=hashed if login else None,
            contacts="Менеджер Светлана, +7 495 123-45-67" if external else "",
        )  # fmt: skip
    for person in people.values():
        cash.account_of(person)
    people["crew_1"], people["crew_2"] = crews  # type: ignore[assignment]
    return people


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
    people = _staff(password)
    managers = [people["manager"], people["manager2"]]
    printers = [people["printer"], people["designer"]]
    pipelines = {p.code: p for p in Pipeline.select()}
    stages = {
        code: list(Stage.select().where(Stage.pipeline == p).order_by(Stage.position))
        for code, p in pipelines.items()
    }
    now = utcnow()
    first_id = (Client.select(Client.id).order_by(Client.id.desc()).scalar() or 0) + 1
    first_order_id = (Order.select(Order.id).order_by(Order.id.desc()).scalar() or 0) + 1
    first_payment_id = (Payment.select(Payment.id).order_by(Payment.id.desc()).scalar() or 0) + 1
    first_number = (Sequence.get_or_none(Sequence.name == "order") or Sequence(value=0)).value + 1
    addresses = [fake.address().replace("\n", ", ") for _ in range(min(3000, max(orders, 1)))]

    # Clients: names, unique phones (+7 9xx from a running counter), a few companies.
    client_rows, word_rows = [], []
    base_phone = 9_000_000_000 + rnd.randrange(10_000_000) + (first_id * 7919) % 50_000_000
    for i in range(clients):
        cid = first_id + i
        company = rnd.random() < 0.15
        name = fake.company() if company else fake.name()
        phone = f"+7{base_phone + i * 13}"
        email = fake.email() if rnd.random() < 0.6 else None
        client_rows.append(
            [
                cid,
                name,
                "company" if company else "person",
                phone,
                email,
                "",
                now - timedelta(days=800),
            ]
        )
        for word in search.words(name, email.split("@")[0] if email else ""):
            word_rows.append((cid, word[:100]))
        national = phone[2:]
        word_rows += [(cid, national), (cid, "7" + national), (cid, "8" + national)]

    # Orders, spread over two years, newest last; older ones mostly archived.
    figures = {cid: [0, 0, 0, 0, None] for cid in range(first_id, first_id + clients)}
    order_rows, move_rows, payment_rows, movement_rows, message_rows = [], [], [], [], []
    # Cash a client pays lands on the taker's desk in the same transaction as the payment
    # (as core.payments records it); managers hand the day's cash to the main desk at night.
    collection_rows: list[tuple] = []
    handed: dict[tuple[int, object], int] = {}
    desks = {m.id: cash.account_of(m).id for m in managers}
    counts = {s.id: 0 for ss in stages.values() for s in ss}
    main = cash.main_account()
    span = timedelta(days=730)
    for i in range(orders):
        oid, number = first_order_id + i, first_number + i
        cid = first_id + rnd.randrange(clients) if clients else None
        if cid is None:
            break
        installer = rnd.random() < 0.4
        code = "installation" if installer else "printing"
        flow = stages[code]
        title, low, high = rnd.choice(INSTALL_JOBS if installer else PRINT_JOBS)
        description = title.format(
            n=rnd.choice([50, 100, 200, 500, 1000]), a=rnd.randint(1, 6), b=rnd.randint(1, 4)
        )
        cost = rnd.randrange(low, high, 100) * 100
        created = now - span + span * (i / max(orders, 1)) - timedelta(minutes=rnd.randint(0, 600))
        age = (now - created).days
        if age > 60:
            reach = len(flow) - 1
        else:
            reach = rnd.randrange(len(flow))
        stage = flow[reach]
        manager = rnd.choice(managers)
        executor = crew = sub = None
        if installer:
            crew = rnd.choice([people["crew_1"], people["crew_2"]])
        elif "перезаказ" in description:
            sub = people["sub"]
        else:
            executor = rnd.choice(printers)
        paid = 0
        if reach >= 1 or rnd.random() < 0.5:
            paid = cost // 2 // 100 * 100 if installer or rnd.random() < 0.5 else cost
        if stage.is_archive:
            paid = cost if rnd.random() < 0.93 else paid
        at = created
        move_rows.append((oid, None, flow[0].id, manager.id, at, "Заказ принят", False))
        for step in range(1, reach + 1):
            at = min(at + timedelta(hours=rnd.randint(2, 96)), now)
            who = manager if flow[step].responsible_role == "manager" or not executor else executor
            move_rows.append((oid, flow[step - 1].id, flow[step].id, who.id, at, "", False))
        if paid:
            if paid < cost:
                payments = [(paid, "advance", "cash", created)]
            else:
                half = cost // 2 // 100 * 100 if installer else 0
                payments = [(half, "advance", "cash", created)] if half else []
                payments.append(
                    (cost - half, "final", rnd.choice(["card", "transfer", "cash"]), at)
                )
            for amount, kind, method, when in payments:
                pid = first_payment_id + len(payment_rows)
                payment_rows.append((pid, oid, amount, kind, method, manager.id, when, ""))
                if method == "cash":  # the manager's desk holds it until the evening hand-over
                    collection_rows.append(("collection", amount, desks[manager.id], oid, pid,
                                            f"Оплата по заказу №{number}", manager.id, when))  # fmt: skip
                    day = when.date()
                    if when < now - timedelta(days=1):
                        handed[(manager.id, day)] = handed.get((manager.id, day), 0) + amount
        due = (created + timedelta(days=rnd.randint(2, 30))).date()
        closed = at if stage.is_archive else None
        order_rows.append((
            oid, number, pipelines[code].id, stage.id, cid, description, cost, paid, cost - paid,
            manager.id, executor.id if executor else None, crew.id if crew else None, sub.id if sub else None,
            due, rnd.choice(addresses) if installer else "", "Частный дом" if installer else "",
            installer and reach >= 2, rnd.choice(["phone", "counter", "site", "email"]),
            stage.is_archive, created, at, closed,
        ))  # fmt: skip
        counts[stage.id] += 1
        f = figures[cid]
        f[0] += 1
        f[1] += cost
        f[2] += paid
        f[3] += cost - paid
        f[4] = created if f[4] is None or created > f[4] else f[4]
        if rnd.random() < 0.05:
            for direction, text in rnd.sample(CLIENT_QUESTIONS, 2):
                message_rows.append(
                    (
                        oid,
                        cid,
                        direction,
                        "email" if direction == "in" else "telegram",
                        text,
                        created + timedelta(hours=1),
                        direction == "out",
                    )
                )
    for row in client_rows:
        f = figures[row[0]]
        row += [f[0], f[1], f[2], f[3], f[4]]

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

    total = len(client_rows) + len(order_rows) + len(move_rows) + len(payment_rows)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        tick("Запись", done, total)

    with database.atomic():
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
                      Order.is_archived, Order.created_at, Order.updated_at, Order.closed_at],
              order_rows, advance)  # fmt: skip
        _bulk(StageMove, [StageMove.order, StageMove.from_stage, StageMove.to_stage, StageMove.employee, StageMove.at,
                          StageMove.comment, StageMove.out_of_order], move_rows, advance)  # fmt: skip
        _bulk(Payment, [Payment.id, Payment.order, Payment.amount, Payment.kind, Payment.method, Payment.taken_by,
                        Payment.at, Payment.note], payment_rows, advance)  # fmt: skip
        _bulk(CashMovement, [CashMovement.kind, CashMovement.amount, CashMovement.to_account, CashMovement.order,
                             CashMovement.payment, CashMovement.note, CashMovement.author, CashMovement.at],
              collection_rows, lambda n: None)  # fmt: skip
        _bulk(CashMovement, [CashMovement.kind, CashMovement.amount, CashMovement.from_account, CashMovement.to_account,
                             CashMovement.category, CashMovement.note, CashMovement.author, CashMovement.at],
              movement_rows, lambda n: None)  # fmt: skip
        _bulk(Message, [Message.order, Message.client, Message.direction, Message.channel, Message.text, Message.at,
                        Message.is_read], message_rows, lambda n: None)  # fmt: skip
        for stage_id, count in counts.items():
            if count:
                Stage.update(order_count=Stage.order_count + count).where(
                    Stage.id == stage_id
                ).execute()
        unread = {}
        for row in message_rows:
            if row[2] == "in":
                unread[row[0]] = unread.get(row[0], 0) + 1
        for oid, n in unread.items():
            Order.update(unread=n).where(Order.id == oid).execute()
        last = first_number + len(order_rows) - 1
        Sequence.insert(name="order", value=last).on_conflict(
            conflict_target=[Sequence.name], update={Sequence.value: last}
        ).execute()
        _reset_sequences()
    # Fresh planner statistics: after a bulk load the planner would otherwise guess badly.
    database.execute_sql("ANALYZE")
    report.clients, report.orders, report.moves = len(client_rows), len(order_rows), len(move_rows)
    report.payments, report.expenses, report.messages = (
        len(payment_rows),
        len(movement_rows),
        len(message_rows),
    )
    return report


def _reset_sequences() -> None:
    """Explicit ids bypass PostgreSQL's serial counters; move them past the inserted rows."""
    if not is_postgres():
        return
    for model in (Client, Order, Payment):
        table = model._meta.table_name
        database.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE((SELECT MAX(id) FROM \"{table}\"), 1))"
        )
