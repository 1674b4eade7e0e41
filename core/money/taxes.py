"""VAT: the firm's regime, the rates it may print, and the one rounding rule for kopecks.

Prices in Brigadir include VAT (what the client pays is what the order says). A line's VAT is
amount × rate / (100 + rate), rounded half up to the kopeck, per line; a paper's VAT is the sum
of its lines' VAT, so the table and its totals always agree. Which rates exist is the law's
(Налоговый кодекс, ст. 164; 22 % since 1 January 2026 by 425-ФЗ; 5 % and 7 % for УСН firms
that chose them), which of them the firm offers and its default are settings (core.base.settings
key "vat"), never code."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.base import runtime, settings
from core.base.errors import ValidationError

__all__ = [
    "DEFAULT_NO_VAT_REASON",
    "KNOWN_RATES",
    "NO_VAT",
    "TAX_SYSTEMS",
    "VatRegime",
    "amount_of",
    "parse_rate",
    "rate_code",
    "rate_label",
    "regime",
    "vat_in",
]

NO_VAT = "none"
# Since 2025 a УСН firm under the income limit is freed of VAT by п. 1 ст. 145 НК РФ.
DEFAULT_NO_VAT_REASON = "Без НДС (УСН, освобождение по п. 1 ст. 145 НК РФ)"
# Rates the Tax Code knows; a firm picks the ones it uses in settings.
KNOWN_RATES = (22, 20, 10, 7, 5, 0)
TAX_SYSTEMS = {
    "usn_income": "УСН (доходы)",
    "usn_income_outcome": "УСН (доходы минус расходы)",
    "osn": "Общая система (ОСН)",
    "patent": "Патент (ПСН)",
    "esn": "ЕСХН",
}


def parse_rate(value: Any) -> int | None:
    """ "none"/""/None/-1 → None (без НДС); "22", 22, "22%" → 22. Unknown rates are refused."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", NO_VAT)):
        return None
    text = str(value).strip().rstrip("%").strip()
    try:
        rate = int(text)
    except ValueError:
        raise ValidationError(f"Ставка НДС «{value}» непонятна: выберите из списка.") from None
    if rate == -1:
        return None
    if rate not in KNOWN_RATES:
        known = ", ".join(f"{r} %" for r in KNOWN_RATES)
        raise ValidationError(f"Ставки НДС {rate} % нет в законе; бывают: {known} или без НДС.")
    return rate


def rate_code(rate: int | None) -> str:
    return NO_VAT if rate is None else str(rate)


def rate_label(rate: int | None) -> str:
    return "Без НДС" if rate is None else f"{rate} %"


def amount_of(quantity: Decimal, price: int) -> int:
    """A line's sum in kopecks: quantity × price, rounded half up (2,5 м² × 333,33)."""
    return int((quantity * price).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vat_in(amount: int, rate: int | None) -> int | None:
    """VAT inside a VAT-inclusive sum (kopecks); None when без НДС."""
    if rate is None:
        return None
    return int((Decimal(amount) * rate / (100 + rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class VatRegime:
    """What the director set: the tax system, the rates offered on the card, the default
    rate of a new line, and the words printed for a firm without VAT."""

    tax_system: str = "usn_income"
    rates: tuple[int | None, ...] = (None,)
    default: int | None = None
    no_vat_reason: str = ""

    @property
    def pays_vat(self) -> bool:
        return any(r is not None for r in self.rates)

    def check(self, rate: int | None) -> int | None:
        if rate not in self.rates:
            offered = ", ".join(rate_label(r) for r in self.rates)
            raise ValidationError(
                f"Ставка «{rate_label(rate)}» не выбрана в настройках фирмы; доступны: {offered}."
            )
        return rate

    def no_vat_text(self) -> str:
        return self.no_vat_reason or DEFAULT_NO_VAT_REASON


def regime() -> VatRegime:
    """The firm's VAT regime from Настройки → Налоги и документы ("vat.*"; the default rate
    is company.vat_rate, which config.toml may also set: -1 = без НДС)."""
    default = parse_rate(runtime.config().company.vat_rate)  # company.vat_rate: -1 = без НДС
    rates = tuple(parse_rate(r) for r in (settings.value("vat.rates") or [rate_code(default)]))
    if default not in rates:
        rates = (default, *rates)
    return VatRegime(
        tax_system=settings.value("vat.tax_system") or ("usn_income" if default is None else "osn"),
        rates=rates,
        default=default,
        no_vat_reason=str(settings.value("vat.no_vat_reason") or ""),
    )
