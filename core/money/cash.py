"""The ledger: cash movements between the main cash desk and each employee's desk.

An employee's balance ("still on them") = issued + collected − spent − handed over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from core.access import Actor, require_money_of, require_role
from core.base.clock import utcnow
from core.base.db import database
from core.base.errors import AccessDenied, NotFound, ValidationError
from core.base.money import check_sum, format_money
from core.clients import search
from core.conversations import outbox
from core.files.models import Attachment
from core.money import expenses, ledger
from core.money.captions import Choice, read_caption
from core.money.fiscal import FiscalQR
from core.money.models import Account, CashMovement, ExpenseCategory, Payment
from core.orders.models import Order
from core.people.models import Employee

__all__ = [
    "DEFAULT_CATEGORIES",
    "ExpenseText",
    "account_of",
    "balance",
    "employee_summary",
    "hand_over",
    "held_cash",
    "issue_advance",
    "log_expense",
    "main_account",
    "movements",
    "parse_expense_text",
    "record_main",
]

KIND_NAMES = {
    "advance": "Выдано под отчёт",
    "expense": "Расход",
    "collection": "Получено от клиента",
    "handover": "Сдано в кассу",
    "income": "Приход в кассу",
    "outcome": "Расход из кассы",
    "salary": "Зарплата",
}

# The synonyms are the words crews actually write on a receipt photo.
DEFAULT_CATEGORIES = [
    ("Бензин", "бензин, заправка, заправил, топливо, дизель, солярка, аи-92, аи-95, азс, газ"),
    (
        "Материалы",
        "материалы, материал, кабель, провод, автомат, щиток, счетчик, саморезы, краска, бумага, пленка, баннер",
    ),
    ("Инструмент", "инструмент, инструменты, дрель, перфоратор, сверло, биты, ключ"),
    ("Транспорт", "такси, парковка, платон, проезд, стоянка, мойка"),
    ("Еда", "еда, обед, кофе, продукты"),
    ("Связь", "связь, телефон, интернет"),
    ("Прочее", "прочее, другое, разное"),
]


def main_account() -> Account:
    account, _ = Account.get_or_create(
        kind="main", employee=None, defaults={"name": "Основная касса"}
    )
    return account


def account_of(employee: Employee | int) -> Account:
    employee = employee if isinstance(employee, Employee) else Employee.get_by_id(employee)
    account = Account.get_or_none(Account.employee == employee.id)
    if account is None:
        account = Account.create(kind="employee", employee=employee, name=f"Касса: {employee.name}")
    return account


def balance(account: Account | int) -> int:
    """What the desk holds: its running totals (core.money.ledger), not a SUM over the years."""
    totals = ledger.kind_totals(account.id if isinstance(account, Account) else account)
    return sum(i - o for i, o in totals.values())


def held_cash(account_ids: list[int]) -> set[int]:
    """The desks among these that money ever passed through: one query of index probes."""
    if not account_ids:
        return set()
    came = CashMovement.select(pw.SQL("1")).where(CashMovement.to_account == Account.id)
    went = CashMovement.select(pw.SQL("1")).where(CashMovement.from_account == Account.id)
    query = Account.select(Account.id).where(
        Account.id.in_(account_ids) & (pw.fn.EXISTS(came) | pw.fn.EXISTS(went))
    )
    return {a for (a,) in query.tuples()}


def movements(account: Account | int, limit: int = 20) -> list[CashMovement]:
    return list(
        CashMovement.select()
        .where((CashMovement.to_account == account) | (CashMovement.from_account == account))
        .order_by(CashMovement.at.desc(), CashMovement.id.desc())
        .limit(limit)
    )


@dataclass(frozen=True)
class Summary:
    issued: int
    collected: int
    spent: int
    handed_over: int
    balance: int


def employee_summary(actor: Actor, employee_id: int, since: datetime | None = None) -> Summary:
    require_money_of(actor, employee_id)
    account = account_of(employee_id)
    held = None
    if since is None:  # the whole history: running totals, either side of the desk
        kinds = ledger.kind_totals(account.id)
        totals = {k: i + o for k, (i, o) in kinds.items()}
        held = sum(i - o for i, o in kinds.values())  # balance() from the same snapshot
    else:
        query = CashMovement.select(CashMovement.kind, pw.fn.SUM(CashMovement.amount)).where(
            ((CashMovement.to_account == account) | (CashMovement.from_account == account))
            & (CashMovement.at >= since)
        )
        totals = dict(query.group_by(CashMovement.kind).tuples())
    return Summary(
        issued=int(totals.get("advance", 0)),
        collected=int(totals.get("collection", 0)),
        spent=int(totals.get("expense", 0)),
        handed_over=int(totals.get("handover", 0)),
        balance=balance(account) if held is None else held,
    )


def _employee(employee_id: int) -> Employee:
    employee = Employee.get_or_none(Employee.id == employee_id)
    if employee is None or not employee.active:
        raise NotFound("Сотрудник не найден или отключён.")
    return employee


def issue_advance(actor: Actor, employee_id: int, amount: int, note: str = "") -> CashMovement:
    """The director hands an employee money for expenses (подотчёт)."""
    if not actor.is_director:
        raise AccessDenied("Выдавать деньги под отчёт может только директор.")
    check_sum(amount, what="Сумма")
    employee = _employee(employee_id)
    with database.atomic():
        return CashMovement.create(
            kind="advance", amount=amount, from_account=main_account(), to_account=account_of(employee),
            note=note.strip(), author=actor.employee_id,
        )  # fmt: skip


def log_expense(
    actor: Actor,
    amount: int,
    category: str,
    note: str = "",
    *,
    receipt: Attachment | None = None,
    order_id: int | None = None,
    employee_id: int | None = None,
    at: datetime | None = None,
    fiscal: FiscalQR | None = None,
) -> CashMovement:
    """An employee spent money from what they hold (fuel, materials...), with the receipt.

    Spending more than is on hand is recorded (the money is gone either way) and the
    returned movement's `overspend` says by how much; the directors are told through the
    outbox in the same transaction. `fiscal`: what the receipt's QR said; the same receipt
    twice is refused (core.money.expenses.save_fiscal)."""
    employee_id = employee_id or actor.employee_id
    if employee_id is None:
        raise ValidationError("Не указано, кто потратил деньги.")
    if employee_id != actor.employee_id and not actor.is_director:
        raise AccessDenied("Записать расход можно только на себя.")
    check_sum(amount, what="Сумма расхода")
    if fiscal is not None and not fiscal.is_purchase:
        raise ValidationError(
            "Это чек возврата или расхода, а не покупки: расходом не записывается."
        )
    cat = ExpenseCategory.get_or_none(ExpenseCategory.name == category)
    if cat is None:
        raise ValidationError(f"Нет такой статьи расхода: «{category}».")
    if order_id is not None and Order.get_or_none(Order.id == order_id) is None:
        raise NotFound("Заказ не найден.")
    with database.atomic():
        employee = _employee(employee_id)
        account = account_of(employee)
        held = balance(account)
        movement = CashMovement.create(
            kind="expense", amount=amount, from_account=account, category=cat,
            note=note.strip()[:1000], receipt=receipt, order=order_id, author=actor.employee_id, at=at or utcnow(),
        )  # fmt: skip
        if fiscal is not None:
            expenses.save_fiscal(movement, fiscal)
        movement.overspend = amount - max(held, 0) if amount > held else 0
        if movement.overspend:
            _tell_directors_of_overspend(actor, employee, movement, held)
        return movement


def _tell_directors_of_overspend(
    actor: Actor, employee: Employee, movement: CashMovement, held: int
) -> None:
    text = (
        f"⚠️ Перерасход {format_money(movement.overspend)}: {employee.name} записал расход "
        f"«{movement.category.name}» {format_money(movement.amount)}, а на руках было "
        f"{format_money(held)}."
    )
    directors = Employee.select().where((Employee.role == "director") & Employee.active)
    for director in directors:
        if director.id != actor.employee_id:  # who recorded it already knows
            outbox.notify_staff(
                director, text, key=f"overspend:{movement.id}:{director.id}", order=movement.order
            )


def record_collection(actor: Actor, payment: Payment) -> CashMovement:
    """Cash from a client, in the payment's transaction: onto the taker's own desk until
    handed over; the director's (or the system's) takings go straight to the main desk."""
    own = actor.employee_id is not None and not actor.is_director
    to = account_of(actor.employee_id) if own else main_account()
    return CashMovement.create(
        kind="collection" if own else "income", amount=payment.amount, to_account=to,
        order=payment.order_id, payment=payment, author=actor.employee_id, at=payment.at,
        note=f"Оплата по заказу №{payment.order.number}",
    )  # fmt: skip


def hand_over(
    actor: Actor, amount: int, employee_id: int | None = None, note: str = ""
) -> CashMovement:
    """An employee hands cash back to the main desk."""
    employee_id = employee_id or actor.employee_id
    if employee_id is None:
        raise ValidationError("Не указано, кто сдаёт деньги.")
    if employee_id != actor.employee_id and not actor.is_director:
        raise AccessDenied("Сдать деньги можно только свои.")
    check_sum(amount, what="Сумма")
    account = account_of(_employee(employee_id))
    held = balance(account)
    if amount > held:
        raise ValidationError(f"На руках только {format_money(held)} — больше сдать нельзя.")
    with database.atomic():
        return CashMovement.create(
            kind="handover", amount=amount, from_account=account,
            to_account=main_account(), note=note.strip(), author=actor.employee_id,
        )  # fmt: skip


def record_main(
    actor: Actor, kind: str, amount: int, note: str, category: str | None = None
) -> CashMovement:
    """Приход or расход of the main cash desk."""
    require_role(actor, "director")
    if kind not in ("income", "outcome"):
        raise ValidationError("Операция кассы: приход или расход.")
    check_sum(amount)
    if not note.strip():
        raise ValidationError("Напишите, за что приход или расход.")
    cat = ExpenseCategory.get_or_none(ExpenseCategory.name == category) if category else None
    with database.atomic():
        main = main_account()
        return CashMovement.create(
            kind=kind, amount=amount, to_account=main if kind == "income" else None,
            from_account=main if kind == "outcome" else None, category=cat, note=note.strip(),
            author=actor.employee_id,
        )  # fmt: skip


def ensure_categories() -> None:
    for position, (name, synonyms) in enumerate(DEFAULT_CATEGORIES):
        ExpenseCategory.get_or_create(
            name=name, defaults={"synonyms": synonyms, "position": position}
        )


@dataclass(frozen=True)
class ExpenseText:
    amount: int | None  # kopecks
    category: str | None
    note: str
    choices: tuple[Choice, ...] = ()  # several numbers could be the sum: ask which
    negative: bool = False
    order_number: int | None = None


def category_of(text: str) -> str | None:
    """The expense category named by the first word that is its name or synonym."""
    folded = search.words(text)
    category = None
    best = None
    for cat in (
        ExpenseCategory.select().where(ExpenseCategory.active).order_by(ExpenseCategory.position)
    ):
        names = [search.fold(s.strip()) for s in [cat.name, *cat.synonyms.split(",")] if s.strip()]
        for word_index, word in enumerate(folded):
            if any(word == n or (len(n) >= 4 and word.startswith(n[:-1])) for n in names):
                if best is None or word_index < best:
                    best, category = word_index, cat.name
                break
    return category


def parse_expense_text(text: str) -> ExpenseText:
    """Read a crew's caption: "бензин 1000", "моя заправка, потратил 1000 рублей",
    "кабель ВВГ 3х2,5 30 м 1500" (core.money.captions finds the sum). Unclear parts come back
    as None (or as choices) for the flow to ask."""
    caption = read_caption(text)
    return ExpenseText(
        amount=caption.amount,
        category=category_of(caption.note),
        note=caption.note,
        choices=caption.choices,
        negative=caption.negative,
        order_number=caption.order_number,
    )


def _require_desk(actor: Actor, account: Account) -> None:
    """The main desk is the director's; an employee's desk is theirs and the director's."""
    if account.kind == "main" or account.employee_id is None:
        if not actor.is_director:
            raise AccessDenied("Основная касса видна только директору.")
        return
    require_money_of(actor, account.employee_id)


def desk_lines(
    actor: Actor, account: Account, lo: datetime, hi: datetime, limit: int = 200
) -> list[CashMovement]:
    """A desk's movements in [lo, hi), newest first, with their category and receipt."""
    _require_desk(actor, account)
    touching = (CashMovement.to_account == account.id) | (CashMovement.from_account == account.id)
    return list(
        CashMovement.select(CashMovement, ExpenseCategory, Attachment)
        .join(ExpenseCategory, pw.JOIN.LEFT_OUTER).switch(CashMovement)
        .join(Attachment, pw.JOIN.LEFT_OUTER, on=(CashMovement.receipt == Attachment.id))
        .where(touching & (CashMovement.at >= lo) & (CashMovement.at < hi))
        .order_by(CashMovement.at.desc(), CashMovement.id.desc()).limit(limit)
    )  # fmt: skip


def spending_by_category(
    actor: Actor, lo: datetime, hi: datetime, account: Account | None = None
) -> list[tuple[str | None, int]]:
    """What went out in [lo, hi) per expense category, biggest first: of one desk, or (the
    director's dashboard) of the whole firm."""
    if account is None:
        require_role(actor)  # the director only
    else:
        _require_desk(actor, account)
    query = (
        CashMovement.select(ExpenseCategory.name, pw.fn.SUM(CashMovement.amount))
        .join(ExpenseCategory, pw.JOIN.LEFT_OUTER)
        .where(CashMovement.kind.in_(["expense", "outcome"]))
        .where((CashMovement.at >= lo) & (CashMovement.at < hi))
    )
    if account is not None:
        query = query.where(CashMovement.from_account == account.id)
    query = query.group_by(ExpenseCategory.name).order_by(pw.fn.SUM(CashMovement.amount).desc())
    return [(name, int(total or 0)) for name, total in query.tuples()]
