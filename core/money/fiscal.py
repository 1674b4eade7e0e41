"""The fiscal QR code of a Russian cash receipt (54-ФЗ), read as text.

Every receipt carries `t=20261127T1030&s=1000.00&fn=9960440300000001&i=1234&fp=1234567890&n=1`:
when (the shop's local time), the sum, the fiscal drive's number (fn), the fiscal document's
number (i) and its fiscal sign (fp); fn + i + fp name one receipt in the whole country.
n is the operation: 1 приход (a purchase), 2 возврат прихода, 3 расход, 4 возврат расхода.
Pure text: decoding the picture is storage.receipts' job.

This is the one validator of receipt QR texts: strict, since the fields name a receipt in the
duplicate rule — ASCII digits only (a full-width "９" is a digit to str.isdigit but another
receipt to the database), n only 1..4 (a broken "2x" or "-1" is no operation, not a
purchase). Anything else is not a fiscal QR."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs

from core.base.errors import ValidationError
from core.base.money import parse_money

__all__ = ["FiscalQR", "parse_fiscal_qr"]

OPERATIONS = {1: "приход", 2: "возврат прихода", 3: "расход", 4: "возврат расхода"}
_T = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})?$")
_DIGITS = re.compile(r"^[0-9]{1,20}$")
_SUM = re.compile(r"^[0-9]{1,12}(?:\.[0-9]{1,2})?$")


@dataclass(frozen=True)
class FiscalQR:
    bought_at: datetime  # the shop's local time, naive, as printed
    amount: int  # kopecks
    fn: str
    fd: str  # "i": the fiscal document's number
    fp: str
    operation: int  # n

    @property
    def is_refund(self) -> bool:
        return self.operation in (2, 4)

    @property
    def is_purchase(self) -> bool:
        """Only a приход is money a person paid a shop; a refund or a расход (the shop paid
        out) is not a crew member's purchase."""
        return self.operation == 1

    def as_dict(self) -> dict[str, str | int]:
        return {
            "t": self.bought_at.strftime("%Y%m%dT%H%M%S"),
            "s": self.amount,
            "fn": self.fn,
            "i": self.fd,
            "fp": self.fp,
            "n": self.operation,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str | int]) -> FiscalQR:
        return cls(
            bought_at=datetime.strptime(str(data["t"]), "%Y%m%dT%H%M%S"),
            amount=int(data["s"]),
            fn=str(data["fn"]),
            fd=str(data["i"]),
            fp=str(data["fp"]),
            operation=int(data["n"]),
        )


def parse_fiscal_qr(text: str) -> FiscalQR | None:
    """The receipt's data, or None when the text is not a fiscal QR at all (a shop's
    advertising QR, a link). Keys may come in any order and any case."""
    fields = {
        k.lower(): v[0].strip()
        for k, v in parse_qs((text or "").strip(), keep_blank_values=True).items()
        if v
    }
    if not {"t", "s", "fn", "i", "fp"} <= fields.keys():
        return None
    when = _T.match(fields["t"])
    if not when or not all(_DIGITS.match(fields[k]) for k in ("fn", "i", "fp")):
        return None
    if not _SUM.match(fields["s"]):
        return None
    year, month, day, hour, minute, second = (int(x or 0) for x in when.groups())
    try:
        bought_at = datetime(year, month, day, hour, minute, second)
        amount = parse_money(fields["s"], allow_zero=True)
    except (ValueError, ValidationError):
        return None
    raw_n = fields.get("n", "1")  # old receipts print no n: a purchase
    if raw_n not in {str(k) for k in OPERATIONS}:
        return None
    operation = int(raw_n)
    return FiscalQR(
        bought_at=bought_at,
        amount=amount,
        fn=fields["fn"],
        fd=fields["i"].lstrip("0") or "0",
        fp=fields["fp"].lstrip("0") or "0",
        operation=operation,
    )
