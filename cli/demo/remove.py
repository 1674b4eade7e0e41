"""`brigadir demo --remove`: a firm that tried the demo first takes it out and starts clean.

`generate` remembers what it added (the ranges of client and order ids, the demo staff and
crews) under the setting MARK. Removal refuses while the database holds a client or an order
outside those ranges (the firm's own work: nothing is guessed away); otherwise it clears the
trial's work — clients, orders, messages, money, papers, files, tasks, pay months — and the
demo's staff (whose password is public), and keeps what the firm set up: the director and
other accounts, pipelines and stages, templates, expense categories, mailboxes, settings.
Numbers start again at 1 (gap-free numbering of orders and papers)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import peewee as pw

from core.base import settings
from core.base.db import database
from core.base.errors import BrigadirError
from core.base.interfaces import FileStore
from core.base.models import Sequence, Setting
from core.clients.models import Client
from core.models import ALL_MODELS
from core.money import ledger
from core.orders.models import Order, Stage
from core.people.models import Crew, Employee

MARK = "demo.trial"

# What the firm set up and keeps (rows that point at the demo's are cut loose or removed).
KEPT = frozenset({
    "Setting", "Sequence", "Crew", "Employee", "Pipeline", "Stage", "Account", "ExpenseCategory",
    "Mailbox", "MailboxMember", "Template", "MessengerLink", "Invite", "StaffSession", "PayRule",
    "PieceRate", "ChannelState",
})  # fmt: skip


class NothingToRemove(BrigadirError):
    pass


@dataclass
class Removed:
    clients: int = 0
    orders: int = 0
    staff: int = 0
    files: int = 0


@contextmanager
def recorded() -> Iterator[None]:
    """Around a demo run: the clients, orders, staff and crews that appear are the demo's
    (a second run widens the record)."""
    before = {model: _last(model) for model in (Client, Order, Employee, Crew)}
    yield
    old = settings.get(MARK) or {}

    def span(model: type[pw.Model], key: str) -> list[int]:
        first, last = before[model] + 1, _last(model)
        was = old.get(key)
        if was and first <= last:
            return [min(was[0], first), max(was[1], last)]
        return was or ([first, last] if first <= last else [])

    def ids(model: type[pw.Model], key: str) -> list[int]:
        new = [i for (i,) in model.select(model.id).where(model.id > before[model]).tuples()]
        return sorted(set(old.get(key, [])) | set(new))

    settings.put(MARK, {
        "clients": span(Client, "clients"), "orders": span(Order, "orders"),
        "staff": ids(Employee, "staff"), "crews": ids(Crew, "crews"),
    })  # fmt: skip


def _last(model: type[pw.Model]) -> int:
    return model.select(pw.fn.MAX(model.id)).scalar() or 0


def what_would_go() -> Removed:
    """The counts the director is asked to confirm; NothingToRemove says why not, in Russian."""
    mark = settings.get(MARK)
    if not mark:
        raise NothingToRemove("Демо-данных в базе нет: удалять нечего.")
    for model, key, word in ((Client, "clients", "клиенты"), (Order, "orders", "заказы")):
        span = mark.get(key) or [1, 0]  # none recorded: every row is the firm's own
        if model.select().where((model.id < span[0]) | (model.id > span[1])).exists():
            raise NothingToRemove(
                f"В базе уже есть {word}, внесённые после демо: демо-данные не удаляются, чтобы "
                "не задеть ваши. Начните с чистой базы (brigadir init в новой папке) или "
                "удалите демо-записи в веб-панели."
            )
    return Removed(
        clients=Client.select().count(),
        orders=Order.select().count(),
        staff=Employee.select().where(Employee.id.in_(mark.get("staff") or [0])).count(),
    )


def remove_demo(store: FileStore | None = None) -> Removed:
    """Take the demo out (all in one transaction; files after it commits)."""
    with database.atomic():
        removed = what_would_go()
        mark = settings.get(MARK)
        wiped = [m for m in ALL_MODELS if m.__name__ not in KEPT]
        keys = _stored_files(wiped)
        _cut_loose(lambda field: field.rel_model in wiped)
        for model in reversed(wiped):  # the registry lists a table after those it points at
            model.delete().execute()
        staff, crews = mark.get("staff") or [0], mark.get("crews") or [0]
        _cut_loose(lambda field: field.rel_model is Employee, Employee.id.in_(staff))
        Employee.delete().where(Employee.id.in_(staff)).execute()
        Employee.update(crew=None).where(Employee.crew.in_(crews)).execute()
        Crew.delete().where(Crew.id.in_(crews)).execute()
        Sequence.delete().execute()  # the first real order is №1, papers too
        Stage.update(order_count=0).execute()
        _forget_demo_company()
        Setting.delete().where(Setting.key == MARK).execute()
    ledger.rebuild()
    for key in keys:
        if store is not None and _deleted(store, key):
            removed.files += 1
    return removed


def _stored_files(models: list) -> list[str]:
    keys: list[str] = []
    for model in models:
        field = model._meta.fields.get("storage_key")
        if field is not None:
            keys += [k for (k,) in model.select(field).where(field != "").tuples()]
    return sorted(set(keys))


def _cut_loose(points_at, among: pw.Expression | None = None) -> None:
    """Rows the firm keeps that point at rows about to go: the link emptied where it may be
    (who created a pay rule), the row removed where it belongs to them (a demo manager's
    desk, a client's messenger link)."""
    for model in reversed([m for m in ALL_MODELS if m.__name__ in KEPT]):
        for field in model._meta.refs:
            if not points_at(field):
                continue
            target = field.rel_model
            which = field.is_null(False)
            if among is not None:
                which = field.in_(target.select(target.id).where(among))
            if field.null and field.name != "employee":  # a desk or a link *of* them goes
                model.update({field: None}).where(which).execute()
            else:
                model.delete().where(which).execute()


def _forget_demo_company() -> None:
    from cli.demo.texts import DEMO_COMPANY

    for name, value in DEMO_COMPANY.items():
        if settings.get(f"company.{name}") == value:
            Setting.delete().where(Setting.key == f"company.{name}").execute()


def _deleted(store: FileStore, key: str) -> bool:
    try:
        store.delete(key)
    except (OSError, KeyError, FileNotFoundError):
        return False
    return True
