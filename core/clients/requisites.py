"""Requisites by ИНН: the checksum, and the lookup core asks an outside directory for.

core/ never calls the directory itself: the caller passes something with the `RequisitesLookup`
shape (admin/requisites.py wraps DaData's public API). A wrong ИНН is refused here, in
Russian, before anything is asked; a directory that is down or refuses says so in Russian too,
and the person types the requisites by hand."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Protocol

from core.base.errors import ValidationError

__all__ = ["LookupFailed", "Requisites", "RequisitesLookup", "check_inn", "find", "inn_problem"]

_WEIGHTS_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_problem(inn: str) -> str | None:
    """None for a valid ИНН (10 digits: a firm; 12: an ИП or a person), else what is wrong."""
    inn = (inn or "").strip()
    if not inn.isdigit() or len(inn) not in (10, 12):
        return "ИНН — 10 цифр у организации или 12 у ИП"
    if len(inn) == 10:
        ok = _digit(inn, _WEIGHTS_10) == int(inn[9])
    else:
        ok = _digit(inn, _WEIGHTS_11) == int(inn[10]) and _digit(inn, _WEIGHTS_12) == int(inn[11])
    return None if ok else "ИНН с ошибкой: не сходится контрольная цифра — проверьте цифры"


def check_inn(inn: str) -> str:
    """The ИНН without spaces, or a ValidationError in Russian."""
    inn = "".join((inn or "").split())
    problem = inn_problem(inn)
    if problem:
        raise ValidationError(f"{problem}.")
    return inn


@dataclass(frozen=True)
class Requisites:
    """What a directory knows of a firm or an ИП (the names match [company] in config.toml)."""

    inn: str
    name: str = ""  # "ООО «Рекламная мастерская»"
    full_name: str = ""
    kpp: str = ""
    ogrn: str = ""
    address: str = ""
    director: str = ""  # the head's full name (for an ИП, the person)
    director_post: str = ""
    active: bool = True  # False: liquidated or being liquidated

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class LookupFailed(Exception):
    """The directory could not answer (down, slow, a wrong key): the message is Russian."""


class RequisitesLookup(Protocol):
    def find_by_inn(self, inn: str) -> Requisites | None:
        """The firm with this ИНН, None when the directory has none; LookupFailed otherwise."""


def find(lookup: RequisitesLookup | None, inn: str) -> Requisites:
    """Requisites for a checked ИНН. ValidationError (Russian) for a wrong ИНН, an unknown one,
    or no directory configured; LookupFailed when the directory is down."""
    inn = check_inn(inn)
    if lookup is None:
        raise ValidationError(
            "Поиск по ИНН не настроен (Настройки → Фирма: ключ DaData) — заполните реквизиты вручную."
        )
    found = lookup.find_by_inn(inn)
    if found is None:
        raise ValidationError(f"По ИНН {inn} ничего не найдено — проверьте цифры.")
    return found
