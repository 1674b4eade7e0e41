"""Gap-free numbers. The UPDATE comes first so the row lock serializes concurrent writers
(SQLite takes the write lock, PostgreSQL the row lock) before anyone reads the value."""

from __future__ import annotations

from core.base.db import database
from core.base.models import Sequence

__all__ = ["next_number"]


def next_number(name: str, start: int = 1) -> int:
    with database.atomic():
        updated = Sequence.update(value=Sequence.value + 1).where(Sequence.name == name).execute()
        if not updated:
            Sequence.insert(name=name, value=start).on_conflict(
                conflict_target=[Sequence.name], update={Sequence.value: Sequence.value + 1}
            ).execute()
        return Sequence.get_by_id(name).value
