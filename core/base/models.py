"""Tables every domain leans on: settings, gap-free counters, limits, platform update ids."""

from __future__ import annotations

import json
from typing import Any

import peewee as pw

from core.base.clock import utcnow
from core.base.db import database


class JSONField(pw.TextField):
    """JSON in a text column: the same on SQLite and PostgreSQL."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


class BaseModel(pw.Model):
    class Meta:
        database = database
        legacy_table_names = False


class Setting(BaseModel):
    """Settings the director edits at runtime (requisites, object types, custom fields...)."""

    key = pw.CharField(primary_key=True, max_length=64)
    value = JSONField(null=True)


class Sequence(BaseModel):
    """Gap-free counters (order numbers, document numbers per type and year)."""

    name = pw.CharField(primary_key=True, max_length=64)
    value = pw.BigIntegerField(default=0)


class ProcessedUpdate(BaseModel):
    """Platform update ids already handled: a redelivered update does nothing."""

    channel = pw.CharField(max_length=16)
    key = pw.CharField(max_length=100)
    at = pw.DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("channel", "key"), True),)


class LoginFailure(BaseModel):
    """A failed web login, kept briefly: the rate limit is shared by every web worker."""

    key = pw.CharField(max_length=200)  # "login:<login>|<ip>" or "ip:<ip>"
    at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("key", "at"), False),)


class RateCount(BaseModel):
    """Hits of one key (an IP, a widget visitor) in one time window: the limits of the open
    doors live in the database so every web worker shares them (core.base.ratelimit)."""

    key = pw.CharField(max_length=200)
    window = pw.BigIntegerField()  # the window's start, seconds since the epoch
    count = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("key", "window"), True),)
