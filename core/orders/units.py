"""Units of measure by ОКЕИ (Общероссийский классификатор единиц измерения, ОК 015-94): the
code a УПД, a ТОРГ-12 and a fiscal receipt print beside the unit's short name. The classifier
is the law's list, not a setting; these are the units a service firm meets."""

from __future__ import annotations

from core.base.errors import ValidationError

__all__ = ["DEFAULT_SERVICE_UNIT", "UNITS", "unit_code"]

# short name → ОКЕИ code
UNITS: dict[str, str] = {
    "шт": "796",
    "усл. ед": "876",
    "компл": "839",
    "упак": "778",
    "лист": "625",
    "м": "006",
    "пог. м": "018",
    "м2": "055",
    "м3": "113",
    "км": "008",
    "кг": "166",
    "т": "168",
    "л": "112",
    "ч": "356",
    "сут": "359",
    "мес": "362",
    "кВт": "214",
    "кВт·ч": "245",
    "рейс": "9642",
}
DEFAULT_SERVICE_UNIT = "усл. ед"
_ALIASES = {
    "шт.": "шт", "штука": "шт", "штук": "шт", "усл.": "усл. ед", "усл": "усл. ед",
    "услуга": "усл. ед", "усл. ед.": "усл. ед", "компл.": "компл", "комплект": "компл",
    "упак.": "упак", "м.": "м", "метр": "м", "пог.м": "пог. м", "пог. м.": "пог. м",
    "м²": "м2", "кв. м": "м2", "кв.м": "м2", "м³": "м3", "куб. м": "м3", "кг.": "кг",
    "л.": "л", "час": "ч", "ч.": "ч", "сут.": "сут", "мес.": "мес", "квт": "кВт",
    "квт·ч": "кВт·ч", "квт.ч": "кВт·ч", "квт*ч": "кВт·ч",
}  # fmt: skip


def normal_unit(name: str) -> str:
    """The catalogue's spelling of a unit people write ("шт." → "шт"); unknown stays as typed."""
    text = " ".join((name or "").split())
    if text in UNITS:
        return text
    return _ALIASES.get(text.lower(), text)


def unit_code(name: str, code: str = "") -> tuple[str, str]:
    """(unit, ОКЕИ code): a known unit gets its code; an unknown one needs the code typed."""
    unit = normal_unit(name)
    if not unit:
        raise ValidationError("Укажите единицу измерения (шт, м2, усл. ед …).")
    code = (code or "").strip()
    if code and not (code.isdigit() and 3 <= len(code) <= 4):
        raise ValidationError(f"Код ОКЕИ «{code}» — три или четыре цифры (шт — 796).")
    known = UNITS.get(unit)
    if known:
        return unit, known
    if not code:
        raise ValidationError(
            f"Единицы «{unit}» нет в справочнике: укажите её код ОКЕИ или выберите из списка."
        )
    return unit[:20], code
