"""Display at the edge: money as "12 500,00 ₽", times in the configured zone, phones."""

from __future__ import annotations

from datetime import date, datetime

from babel import Locale
from flask import Flask
from markupsafe import Markup, escape

from core.backups import format_size
from core.base.clock import format_date, format_datetime, zone
from core.base.money import format_money
from core.base.phones import display_phone
from core.documents.words import plural as _plural
from core.documents.words import quoted

__all__ = ["TYPE_FORMATTERS", "init_app", "money", "money_column"]


def money(value: int | None) -> str:
    return format_money(int(value or 0))


def money_column(view, context, model, name):
    """A list column of kopecks, right-aligned; a debt shows red."""
    value = int(getattr(model, name) or 0)
    css = "text-danger font-weight-bold" if name == "debt" and value > 0 else ""
    return Markup(f'<span class="text-nowrap {css}">{escape(format_money(value))}</span>')


def _dt(view, value, name=None):
    return format_datetime(value)


def _d(view, value, name=None):
    return format_date(value)


def _bool(view, value, name=None):
    return "да" if value else "нет"


TYPE_FORMATTERS = {
    datetime: _dt,
    date: _d,
    bool: _bool,
    type(None): lambda view, value, name=None: "",
}


CHANNELS = {"auto": "по доступному каналу", "telegram": "Telegram", "viber": "Viber", "email": "e-mail",
            "sms": "SMS", "web": "сайт", "note": "заметка", "max": "MAX", "vk": "ВКонтакте",
            "phone": "телефон"}  # fmt: skip


_RU = Locale("ru")


def plural(n: int, one: str, few: str, many: str) -> str:
    """The word agreeing with n: 1 новое сообщение, 3 новых сообщения, 5 новых сообщений
    (core.documents.words, the one place for agreement)."""
    return _plural(n, one, few, many)


MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
          "октябрь", "ноябрь", "декабрь")  # fmt: skip


def month_name(period: str | None) -> str:
    """A "2026-11" period as a person says it: "ноябрь 2026"; anything else as it is."""
    year, _, month = (period or "").partition("-")
    if year.isdigit() and month.isdigit() and 1 <= int(month) <= 12:
        return f"{MONTHS[int(month) - 1]} {year}"
    return period or ""


def recent_months(today, back: int = 12, ahead: int = 1) -> list[tuple[str, str]]:
    """("2026-11", "ноябрь 2026") from `ahead` months ahead to `back` months ago, newest
    first: a month chosen from a list reads the same in any browser (a native month input
    speaks the browser's language)."""
    index = today.year * 12 + today.month - 1
    periods = [f"{i // 12}-{i % 12 + 1:02d}" for i in range(index + ahead, index - back - 1, -1)]
    return [(p, month_name(p)) for p in periods]


def firm_utc_offset() -> int:
    """Minutes the firm's zone is ahead of UTC right now: the date pickers count «today» and
    «now» on the firm's clock, not the browser's (admin/static/daterange-ru.js)."""
    offset = datetime.now(zone()).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def init_app(app: Flask) -> None:
    from core.channels.reach import delivery_marks

    app.jinja_env.globals["plural"] = plural
    app.jinja_env.globals["delivery_marks"] = delivery_marks  # «не доставлено: …» per message
    app.jinja_env.globals["firm_utc_offset"] = firm_utc_offset
    app.jinja_env.filters["month"] = month_name
    app.jinja_env.filters["channel"] = lambda c: CHANNELS.get(c or "", c or "")
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["size"] = format_size
    app.jinja_env.filters["dt"] = format_datetime
    app.jinja_env.filters["quoted"] = quoted  # «ООО „Ромашка“»: quotes inside quotes
    app.jinja_env.filters["d"] = format_date
    app.jinja_env.filters["phone"] = display_phone
