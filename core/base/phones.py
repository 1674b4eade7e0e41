"""Phone numbers normalized to E.164 so "8 (912) 345-67-89" and "+7 912 3456789" match."""

from __future__ import annotations

import phonenumbers

from core.base.errors import ValidationError

__all__ = ["display_phone", "normalize_phone"]

DEFAULT_REGION = "RU"


def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return "+79123456789"; raise ValidationError for something that is not a phone."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError("Телефон не указан.")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(f"Не похоже на телефон: «{raw}».") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(f"Неверный номер телефона: «{raw}». Пример: +7 912 345-67-89.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    """ "+79123456789" -> "+7 912 345-67-89" for people."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
