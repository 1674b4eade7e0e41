"""Runtime settings the director edits (stored in the Setting table, defaults here)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from core.base.errors import ValidationError
from core.base.models import Setting

__all__ = ["DEFAULTS", "get", "put", "remembered"]

# Within one unit of work (a web request, a bot update) each setting is read from the database
# once: a list page asked for the hidden fields and the columns dozens of times.
_memo: ContextVar[dict[str, Any] | None] = ContextVar("settings_memo", default=None)

DEFAULTS: dict[str, Any] = {
    # Up to ten object types (the installer's list); free text is always allowed besides.
    "object_types": [
        "Частный дом",
        "Дача / садовый участок",
        "Гараж",
        "Квартира",
        "Магазин",
        "Офис",
        "Склад",
        "Производство",
        "Стройплощадка (временное)",
        "Нестандартный объект",
    ],
    # Custom order fields: [{"key": "material", "label": "Материал", "type": "text"}]
    "custom_fields": [],
    # Fields hidden per role on order cards: {"executor": ["cost", "paid", "debt"]}
    "hidden_fields": {"executor": ["cost", "paid", "debt"]},
    # Company requisites entered in the admin; empty values fall back to the config file.
    "company": {},
    # VAT (core.base.taxes): {"tax_system": "usn_income", "rates": ["none", "22", "10"],
    # "default": "none", "no_vat_reason": "..."}; empty: the config file's company.vat_rate.
    "vat": {},
    # The cloud cash register for 54-ФЗ receipts (core.money.fiscal_checks); provider "" is
    # off, "atol" is АТОЛ Онлайн API v5 (checkout/atol.py).
    "cash_register": {
        "provider": "",
        "url": "https://online.atol.ru/possystem/v5",
        "login": "",
        "password": "",
        "group_code": "",
        "inn": "",
        "payment_address": "",
        "email": "",
    },
    # Papers: keep the ТОРГ-12 waybill beside the УПД; days an invoice gives to pay.
    "papers": {"torg12": False, "invoice_days": 5},
    # Booking of fixed-length visits (core/booking.py checks and uses these).
    "booking": {
        "weekdays": [1, 2, 3, 4, 5, 6],  # ISO: 1 = Monday
        "day_start": "09:00",
        "day_end": "19:00",
        "slot_minutes": 120,
        "crews": [],  # crew ids; empty = every active crew
        "visits_per_slot": 1,  # per crew
        "days_off": [],  # "YYYY-MM-DD"
        "days_ahead": 30,  # how far ahead a slot may be booked
        "min_hours_before": 2,  # how late: a slot must start at least this long after booking
        "change_hours_before": 24,  # cancel or move until this long before the visit
        "travel_minutes": 40,  # "Выехали" → "будет около …"
        "pipeline": "",  # the booking flow's pipeline; empty = the firm's default
    },
    # The cloud PBX (core.calls): which provider, its keys, who sits at which extension.
    "telephony": {
        "provider": "",  # "" (off) | novofon | mango
        "novofon_key": "",
        "novofon_secret": "",
        "novofon_url": "https://api.novofon.com",
        "mango_key": "",  # «Уникальный код вашей ВАТС» (vpbx_api_key)
        "mango_salt": "",  # «Ключ для создания подписи»
        "mango_url": "https://app.mango-office.ru/vpbx",
        "extensions": {},  # extension -> employee id: "101": 3
        "on_duty": None,  # employee id who takes missed calls from new numbers
        "promise": False,  # tell a client who was missed «Мы перезвоним»
        "promise_text": "Здравствуйте! Мы пропустили ваш звонок и перезвоним в ближайшее время.",
        "callback_minutes": 30,  # the statistics' «перезвонили в течение N минут»
    },
}

MAX_OBJECT_TYPES = 10


@contextmanager
def remembered() -> Iterator[None]:
    """Read each setting once until the block ends (a change made inside is seen at once)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def get(key: str) -> Any:
    memo = _memo.get()
    if memo is not None and key in memo:
        return copy.deepcopy(memo[key])
    row = Setting.get_or_none(Setting.key == key)
    value = row.value if row is not None and row.value is not None else DEFAULTS.get(key)
    if memo is not None:
        memo[key] = value
    return copy.deepcopy(value)


def put(key: str, value: Any) -> None:
    if key == "object_types":
        value = [str(v).strip() for v in value if str(v).strip()]
        if len(value) > MAX_OBJECT_TYPES:
            raise ValidationError(f"Типов объектов может быть не больше {MAX_OBJECT_TYPES}.")
    Setting.insert(key=key, value=value).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: value}
    ).execute()
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)
