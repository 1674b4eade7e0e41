"""Who may see and do what. Every use case that reads or writes an order asks here.

director: everything. manager: clients, orders, documents; not other employees' money.
executor: only orders assigned to them or their crew, only the fields their role may see.
client: only their own orders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import peewee as pw

from core.base import settings
from core.base.errors import AccessDenied, NotFound
from core.clients.models import Client
from core.conversations.models import Dialogue, MailboxMember, Message
from core.documents.models import Document
from core.files.models import Attachment
from core.money.models import Account, CashMovement
from core.orders.models import Order, Stage
from core.pay.models import Absence, PayLine, PayMonth, Payout, PayRule, PieceRate
from core.people.models import Employee

__all__ = [
    "PROTECTED_RECORDS",
    "find_order",
    "visible_orders",
    "Actor",
    "SYSTEM",
    "actor_for_client",
    "actor_for_employee",
    "HIDEABLE",
    "CLIENT_FILE_KINDS",
    "can_manage_money_of",
    "can_see",
    "can_see_earnings",
    "can_see_dialogue",
    "can_see_message",
    "can_see_money_of",
    "can_see_pay",
    "expense_filter",
    "hidden_fields",
    "masked_text",
    "order_query",
    "require_order",
    "require_role",
    "revealed",
    "sees_amount_to_collect",
    "visible_fields",
    "mailbox_ids_of",
    "require_dialogue",
    "order_query",
    "require_order",
    "require_role",
    "visible_dialogue_filter",
    "visible_message_filter",
    "visible_order_filter",
]

ORDER_FIELDS = (
    "number", "client", "description", "cost", "paid", "debt", "manager", "executor", "crew",
    "subcontractor", "due_date", "visit_at", "install_date", "object_address", "object_type",
    "object_note", "documents_received", "custom", "folder", "preview", "stage",
)  # fmt: skip
# Order fields the director may hide per role (settings); custom fields too, as "custom_<key>".
HIDEABLE = (
    "cost", "paid", "debt", "manager", "executor", "crew", "subcontractor", "due_date", "visit_at",
    "install_date", "object_address", "object_type", "object_note", "documents_received", "folder",
    "client_phone",
)  # fmt: skip
# A figure made from order fields reveals what its source does: whoever may not see costs may
# not see a client's order total, a manager's revenue or a paper's sum either.
REVEALS = {
    "orders_total": "cost", "revenue": "cost", "average": "cost", "document_total": "cost",
    "paid_total": "paid", "payments": "paid",
    # who answers for an order is its manager unless the stage names someone
    "responsible": "manager",
}  # fmt: skip


# A hidden field a role can still work out from two it sees: cost = paid + debt.
COMPUTED = {
    "cost": ("paid", "+", "debt"),
    "paid": ("cost", "−", "debt"),
    "debt": ("cost", "−", "paid"),
}


def revealed(hidden: frozenset[str] | set[str]) -> dict[str, tuple[str, str, str]]:
    """Hidden fields that the fields left visible give away: {field: (a, "+" or "−", b)}."""
    return {
        field: (a, op, b)
        for field, (a, op, b) in COMPUTED.items()
        if field in hidden and a not in hidden and b not in hidden
    }


@dataclass(frozen=True)
class Actor:
    """Who is acting: an employee (with role and crew), a client, or the system itself."""

    kind: str  # employee | client | system
    employee_id: int | None = None
    role: str | None = None
    crew_id: int | None = None
    client_id: int | None = None
    name: str = ""

    @property
    def is_director(self) -> bool:
        return self.kind == "system" or self.role == "director"

    @property
    def is_staff_office(self) -> bool:
        """Director or manager: the people who run orders, not only carry them out."""
        return self.is_director or self.role == "manager"


SYSTEM = Actor(kind="system", name="Система")

# Records a person reads only through a core query function that takes the Actor (choke point
# 1): admin/, bots/, portal/ and scheduler/ never select them themselves — a system job passes
# SYSTEM. tests/test_architecture.py fails when a page, bot command or job goes around this.
# A new protected record is one more line here.
PROTECTED_RECORDS: tuple[type, ...] = (
    Order,
    Message,
    Dialogue,
    Attachment,
    Document,
    CashMovement,
    # pay: read through core.pay.payroll (sheet, line_of) and core.pay.rules (rules_of,
    # absences_of, absence_notes), which ask can_see_pay
    PayRule,
    PieceRate,
    Absence,
    PayMonth,
    PayLine,
    Payout,
)


def actor_for_employee(employee: Employee) -> Actor:
    if not employee.active:
        raise AccessDenied("Учётная запись отключена. Обратитесь к директору.")
    return Actor(
        kind="employee",
        employee_id=employee.id,
        role=employee.role,
        crew_id=employee.crew_id,
        name=employee.name,
    )


def actor_for_client(client_id: int, name: str = "") -> Actor:
    return Actor(kind="client", client_id=client_id, name=name)


def require_role(actor: Actor, *roles: str) -> None:
    if actor.is_director:
        return
    if actor.kind != "employee" or actor.role not in roles:
        raise AccessDenied("Недостаточно прав для этого действия.")


def visible_order_filter(actor: Actor) -> pw.Expression | None:
    """A WHERE clause limiting orders to what the actor may see (None: no limit)."""
    if actor.is_staff_office:
        return None
    if actor.kind == "client":
        return Order.client == actor.client_id
    if actor.kind == "employee" and actor.role == "executor":
        # A UNION of three index lookups, not an OR: with the OR both SQLite and PostgreSQL
        # may walk a sort index over every order and filter (tens of ms at 100 000 orders).
        mine = Order.select(Order.id).where(Order.executor == actor.employee_id)
        mine = mine | Order.select(Order.id).where(Order.subcontractor == actor.employee_id)
        if actor.crew_id:
            mine = mine | Order.select(Order.id).where(Order.crew == actor.crew_id)
        return Order.id.in_(mine)
    return Order.id < 0  # nobody else sees anything


def visible_orders(actor: Actor, *columns: object) -> pw.ModelSelect:
    """SELECT columns (default: the order) FROM the orders this actor may see; the caller
    adds its own joins, filters and order."""
    return order_query(actor, Order.select(*columns))


def find_order(actor: Actor, order_id: int | None) -> Order | None:
    """An order the actor may see, or None (missing and hidden alike)."""
    if order_id is None:
        return None
    try:
        return require_order(actor, order_id)
    except NotFound:
        return None


def order_query(actor: Actor, query: pw.ModelSelect | None = None) -> pw.ModelSelect:
    query = query if query is not None else Order.select()
    clause = visible_order_filter(actor)
    return query.where(clause) if clause is not None else query


def can_see_order(actor: Actor, order: Order) -> bool:
    if actor.is_staff_office:
        return True
    if actor.kind == "client":
        return order.client_id == actor.client_id
    if actor.kind == "employee" and actor.role == "executor":
        return (
            order.executor_id == actor.employee_id
            or order.subcontractor_id == actor.employee_id
            or (actor.crew_id is not None and order.crew_id == actor.crew_id)
        )
    return False


def require_order(actor: Actor, order_id: int | None = None, *, number: int | None = None) -> Order:
    """Fetch an order the actor may see. A hidden order is reported exactly like a missing one,
    so an executor probing numbers learns nothing."""
    where = Order.id == order_id if number is None else Order.number == number
    # The stage and the client come in the same query: nearly every caller needs them.
    order = (
        Order.select(Order, Stage, Client)
        .join(Stage)
        .switch(Order)
        .join(Client)
        .where(where)
        .first()
    )
    if order is None or not can_see_order(actor, order):
        label = f"№{number}" if number is not None else f"#{order_id}"
        raise NotFound(f"Заказ {label} не найден.")
    return order


def require_order_write(actor: Actor, order: Order) -> None:
    """Executors may move their own orders; clients may not change orders at all."""
    if actor.kind == "client":
        raise AccessDenied("Клиент не может изменять заказ.")
    if not can_see_order(actor, order):
        raise NotFound(f"Заказ №{order.number} не найден.")


def hidden_fields(actor: Actor) -> frozenset[str]:
    """Order fields this actor may not see (settings: hidden fields per role). The director
    may hide fields from himself too (a tidier screen); the system itself sees everything:
    messages and papers are written with every field."""
    if actor.kind == "system":
        return frozenset()
    if actor.kind == "client":
        return frozenset({"manager", "executor", "crew", "subcontractor", "folder", "custom"})
    per_role = settings.get("hidden_fields") or {}
    return frozenset(per_role.get(actor.role or "", []))


def can_see(actor: Actor, name: str, *, hidden: frozenset[str] | None = None) -> bool:
    """May the actor see this order field, custom field ("custom_<key>") or derived figure
    (REVEALS)? Every surface asks here: lists, exports, filters, sorting, cards, the bot.
    `hidden`: hidden_fields(actor) when the caller already has it (one query per request)."""
    hidden = hidden_fields(actor) if hidden is None else hidden
    if name.startswith("custom_") and "custom" in hidden:
        return False
    return REVEALS.get(name, name) not in hidden


def sees_amount_to_collect(
    actor: Actor, order: Order, *, hidden: frozenset[str] | None = None
) -> bool:
    """How much is left to collect on an order: whoever may see its debt, and a crew member
    for his own crew's booked visit whatever else is hidden from him (he takes the client's
    cash on site and must know how much)."""
    if can_see(actor, "debt", hidden=hidden):
        return True
    if actor.kind != "employee" or not actor.crew_id:
        return False
    from core.selfservice.models import Visit

    return Visit.select().where((Visit.order == order.id) & (Visit.crew == actor.crew_id)).exists()


# A sum as core.base.money.format_money writes it ("7 654 321,00 ₽", "−500,00").
_SUM = re.compile(r"−?\d{1,3}(?: \d{3})*,\d\d(?: ₽)?")


def masked_text(actor: Actor, text: str, *, hidden: frozenset[str] | None = None) -> str:
    """A message as this actor may read it: whoever may not see an order's money reads the
    generated texts ("к оплате …") with their sums masked."""
    hidden = hidden_fields(actor) if hidden is None else hidden
    if all(can_see(actor, f, hidden=hidden) for f in ("cost", "paid", "debt")):
        return text
    return _SUM.sub("•••", text or "")


def visible_fields(actor: Actor, names: tuple[str, ...] = ORDER_FIELDS) -> list[str]:
    """Of these names, the ones the actor may see (in the same order)."""
    hidden = hidden_fields(actor)
    return [n for n in names if can_see(actor, n, hidden=hidden)]


# Files of their own order a client may open: not receipts (staff money) nor anything else.
CLIENT_FILE_KINDS = ("file", "photo", "document", "proof", "preview")


def can_see_money_of(actor: Actor, employee_id: int) -> bool:
    """An employee's cash desk, bonuses and fines: the director, or the employee themself."""
    return actor.is_director or (actor.kind == "employee" and actor.employee_id == employee_id)


def can_manage_money_of(actor: Actor, employee_id: int) -> bool:
    """Issuing advances, bonuses and fines: only the director."""
    return actor.is_director


def require_money_of(actor: Actor, employee_id: int) -> None:
    if not can_see_money_of(actor, employee_id):
        raise AccessDenied("Нет доступа к деньгам другого сотрудника.")


def can_see_pay(actor: Actor, employee_id: int) -> bool:
    """A person's pay (core.pay): the director, and the person themself — except a manager
    whose role has order money hidden: a percent of orders' sums would show them, so such a
    manager sees no one's pay, their own included."""
    if actor.is_director:
        return True
    if actor.kind != "employee" or actor.employee_id != employee_id:
        return False
    return not (actor.role == "manager" and "cost" in hidden_fields(actor))


def expense_filter(actor: Actor) -> pw.Expression | None:
    """Which expenses (the expense table, its export) the actor sees: the director all of
    them; anyone else only their own — other people's desks are their money (see
    can_see_money_of), and a manager checks nobody's receipts."""
    if actor.is_director:
        return None
    if actor.kind != "employee" or actor.employee_id is None:
        return CashMovement.id < 0
    mine = Account.select(Account.id).where(Account.employee == actor.employee_id)
    return CashMovement.from_account.in_(mine)


def can_see_earnings(actor: Actor) -> bool:
    """What an order earned (cost − expenses) reveals its cost: hidden wherever cost is."""
    return "cost" not in hidden_fields(actor)


# --- The inbox: mailboxes and conversations -------------------------------------------
# A mailbox is read by the director and by its members (Настройки → Почтовые ящики).
# Messenger and web-chat conversations have no mailbox: every manager sees them.
# A conversation, a letter or an attachment of a mailbox one may not read is reported
# exactly like a missing one, on every surface (list, card, search, files, export).


def mailbox_ids_of(actor: Actor) -> frozenset[int] | None:
    """Mailboxes the actor may read; None: all of them."""
    if actor.is_director:
        return None
    if actor.kind != "employee" or actor.role != "manager":
        return frozenset()
    rows = MailboxMember.select(MailboxMember.mailbox).where(
        MailboxMember.employee == actor.employee_id
    )
    return frozenset(r.mailbox_id for r in rows)


def visible_dialogue_filter(actor: Actor) -> pw.Expression | None:
    """A WHERE clause on outside conversations (None: no limit). Staff rooms are separate:
    see core.conversations.staffchat."""
    if actor.is_director:
        return None
    if not actor.is_staff_office:
        return Dialogue.id < 0
    boxes = mailbox_ids_of(actor) or frozenset()
    if not boxes:
        return Dialogue.mailbox.is_null()
    return Dialogue.mailbox.is_null() | Dialogue.mailbox.in_(sorted(boxes))


def _staff_room_member(actor: Actor, dialogue: Dialogue) -> bool:
    if actor.kind != "employee":
        return False
    if dialogue.contact == "room":
        return True
    return str(actor.employee_id) in dialogue.contact.removeprefix("dm:").split(":")


def can_see_dialogue(actor: Actor, dialogue: Dialogue) -> bool:
    if dialogue.kind == "staff":
        return _staff_room_member(actor, dialogue)
    if actor.is_director:
        return True
    if not actor.is_staff_office:
        return False
    if dialogue.mailbox_id is None:
        return True
    return dialogue.mailbox_id in (mailbox_ids_of(actor) or frozenset())


def require_dialogue(actor: Actor, dialogue_id: int) -> Dialogue:
    dialogue = Dialogue.get_or_none(Dialogue.id == dialogue_id)
    if dialogue is None or not can_see_dialogue(actor, dialogue):
        raise NotFound("Переписка не найдена.")
    return dialogue


def visible_message_filter(actor: Actor) -> pw.Expression | None:
    """Messages of conversations the actor may not see drop out of any message query
    (an order's thread included). None: no limit. A client reaches messages only through
    their own orders, which is checked there."""
    if actor.is_director or actor.kind == "client":
        return None
    hidden = Dialogue.select(Dialogue.id).where(Dialogue.mailbox.is_null(False))
    boxes = mailbox_ids_of(actor) or frozenset()
    if boxes:
        hidden = hidden.where(Dialogue.mailbox.not_in(sorted(boxes)))
    clause = Message.dialogue.is_null() | Message.dialogue.not_in(hidden)
    if actor.role == "executor":  # the letters of their own orders' threads (they wrote them)
        clause |= Message.order.in_(order_query(actor, Order.select(Order.id)))
    return clause


def can_see_message(actor: Actor, message: Message) -> bool:
    if message.dialogue_id is None:
        return True
    dialogue = Dialogue.get_or_none(Dialogue.id == message.dialogue_id)
    if dialogue is None or can_see_dialogue(actor, dialogue):
        return True
    if actor.role == "executor" and message.order_id is not None:
        order = Order.get_or_none(Order.id == message.order_id)
        return order is not None and can_see_order(actor, order)
    return False
