"""What must be filled in before a paper can be printed. Messages list everything missing
at once, so the manager fixes the card in one go instead of one error at a time."""

from __future__ import annotations

import re

from core.base.errors import ValidationError
from core.documents.data import Company, LineItem, Party
from core.documents.words import quoted

__all__ = ["DocumentError", "check_buyer", "check_items", "check_seller", "require"]

KIND_NAMES = {
    "invoice": "счёт",
    "act": "акт",
    "waybill": "накладную ТОРГ-12",
    "upd": "УПД",
    "order_form": "бланк заказа",
    "contract": "договор",
    "receipt": "квитанцию",
}
_DIGITS = {
    "ИНН": (10, 12),
    "КПП": (9,),
    "ОГРН": (13, 15),
    "БИК": (9,),
    "расчётный счёт": (20,),
    "корр. счёт": (20,),
}


class DocumentError(ValidationError):
    """A document cannot be made from this data; `missing` names the empty fields."""

    def __init__(self, message: str, missing: list[str] | None = None):
        super().__init__(message)
        self.missing = missing or []


def _digits_problem(label: str, value: str) -> str | None:
    lengths = _DIGITS[label]
    if value and not (re.fullmatch(r"\d+", value) and len(value) in lengths):
        counts = " или ".join(str(n) for n in lengths)
        return f"{label} «{value}» должен состоять из {counts} цифр"
    return None


def require(
    kind: str, whose: str, fields: list[tuple[str, str]], checks: list[tuple[str, str]] = ()
) -> None:
    """fields: (label, value) that must be non-empty; checks: (label, value) digit formats."""
    missing = [label for label, value in fields if not str(value or "").strip()]
    bad = [p for label, value in checks if (p := _digits_problem(label, str(value or "").strip()))]
    if not missing and not bad:
        return
    parts = []
    if missing:
        head = f"не заполнены реквизиты {whose}" if whose else "не заполнено"
        text = f"{head}: {', '.join(missing)}"
        if not whose and any("фирм" in label for label in missing):
            text += " (реквизиты фирмы — в «Настройки → Реквизиты»)"
        parts.append(text)
    parts += bad
    raise DocumentError(f"Нельзя оформить {KIND_NAMES[kind]}: {'; '.join(parts)}.", missing)


def check_seller(kind: str, c: Company) -> None:
    fields = [("название", c.name), ("ИНН", c.inn), ("адрес", c.address)]
    if kind == "invoice":  # the client pays by these
        fields += [
            ("банк", c.bank),
            ("БИК", c.bik),
            ("расчётный счёт", c.account),
            ("корр. счёт", c.corr_account),
        ]
    checks = [("ИНН", c.inn), ("КПП", c.kpp), ("ОГРН", c.ogrn), ("БИК", c.bik)]
    checks += [("расчётный счёт", c.account), ("корр. счёт", c.corr_account)]
    require(kind, "фирмы (настройки → реквизиты)", fields, checks)


def check_buyer(kind: str, p: Party) -> None:
    """An organisation or an ИП client needs ИНН and address on papers that go to accounting,
    an organisation (10-digit ИНН) also a КПП. A private person needs only the name: the law
    asks no ИНН of a citizen (a given one is still checked)."""
    fields = [("название или ФИО", p.name)]
    if not p.is_person:
        fields += [("ИНН", p.inn), ("адрес", p.address)]
        if len(p.inn.strip()) == 10:
            fields.append(("КПП", p.kpp))
    whose = f"клиента {quoted(p.name)}" if p.name else "клиента"
    require(kind, whose, fields, [("ИНН", p.inn), ("КПП", p.kpp)])


def check_items(kind: str, items: tuple[LineItem, ...] | list[LineItem]) -> None:
    name = KIND_NAMES[kind]
    if not items:
        raise DocumentError(f"Нельзя оформить {name}: нет ни одной позиции.", ["позиции"])
    for n, item in enumerate(items, 1):
        if not item.name.strip():
            raise DocumentError(
                f"Нельзя оформить {name}: у позиции {n} нет наименования.", ["наименование"]
            )
        if item.quantity <= 0:
            raise DocumentError(
                f"Нельзя оформить {name}: количество в позиции {n} должно быть больше нуля."
            )
        if item.price < 0:
            raise DocumentError(
                f"Нельзя оформить {name}: цена в позиции {n} не может быть отрицательной."
            )
