"""The schema's registry: every package owns its tables; this list creates and migrates them all
(in this order, so a new database is laid out exactly as before the split)."""

from __future__ import annotations

from core.base.models import LoginFailure, ProcessedUpdate, RateCount, Sequence, Setting
from core.calls.models import Call
from core.channels.models import ChannelState, ContactProblem
from core.clients.models import Client, ClientWord, Invite, MessengerLink
from core.conversations.models import (
    Conversation,
    DeliveryAttempt,
    Dialogue,
    DialogueSeen,
    Mailbox,
    MailboxMember,
    Message,
    Notification,
    Template,
)
from core.documents.models import Document
from core.files.models import Attachment, FileLink, FolderShare
from core.money.models import (
    Account,
    CashMovement,
    DuplicateReceipt,
    ExpenseCategory,
    FiscalCheck,
    FiscalReceipt,
    LedgerTotal,
    OnlinePayment,
    Payment,
)
from core.orders.models import Order, OrderLine, Pipeline, Stage, StageMove
from core.pay.models import Absence, PayLine, PayMonth, Payout, PayRule, PieceRate
from core.people.models import Bonus, Crew, Employee, StaffSession
from core.selfservice.models import PortalCode, PortalSession, Visit
from core.tasks.models import Task

__all__ = ["ALL_MODELS"]

ALL_MODELS = [
    Setting,
    Sequence,
    Crew,
    Employee,
    Client,
    ClientWord,
    Pipeline,
    Stage,
    Order,
    StageMove,
    Payment,
    Account,
    ExpenseCategory,
    Notification,
    DeliveryAttempt,
    Mailbox,
    MailboxMember,
    Dialogue,
    DialogueSeen,
    Message,
    Attachment,
    CashMovement,
    LedgerTotal,
    FiscalReceipt,
    DuplicateReceipt,
    Bonus,
    Document,
    Template,
    Task,
    MessengerLink,
    Invite,
    Conversation,
    ProcessedUpdate,
    LoginFailure,
    RateCount,
    StaffSession,
    FolderShare,
    FileLink,
    Visit,
    PortalCode,
    PortalSession,
    OnlinePayment,
    Call,
    PayRule,
    PieceRate,
    Absence,
    PayMonth,
    PayLine,
    Payout,
    ChannelState,
    ContactProblem,
    OrderLine,
    FiscalCheck,
]
