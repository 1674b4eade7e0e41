"""Where an order's files go: Клиенты/<client>/<date> №<number> <short description>."""

from __future__ import annotations

import datetime as dt

from storage.names import safe_segment

__all__ = ["CLIENTS_ROOT", "client_folder", "order_folder"]

CLIENTS_ROOT = "Клиенты"
_DESCRIPTION_WORDS = 6  # enough to recognise the order in a file manager
_DESCRIPTION_CHARS = 60


def client_folder(client_name: str) -> str:
    return f"{CLIENTS_ROOT}/{safe_segment(client_name, fallback='Без имени')}"


def order_folder(
    client_name: str, order_date: dt.date, order_number: int | str, description: str = ""
) -> str:
    """e.g. "Клиенты/Иванов И.И/2026-11-23 №123 Баннер".

    Every part is made safe separately, so slashes or dots in a client's name cannot add
    folders or climb out of the root. Windows drops trailing dots, so "И.И." becomes "И.И".
    """
    short = " ".join((description or "").split()[:_DESCRIPTION_WORDS])[:_DESCRIPTION_CHARS]
    name = f"{order_date.isoformat()} №{order_number} {short}".strip()
    return f"{client_folder(client_name)}/{safe_segment(name)}"
