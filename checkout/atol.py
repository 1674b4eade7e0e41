"""АТОЛ Онлайн, API v5 (ФФД 1.2): the cloud cash register behind core's CashRegister.

POST {url}/getToken {"login", "pass"} → {"token"} (24 hours; kept until the service says it
expired, codes 10/11). POST {url}/{group_code}/{operation} with the Token header registers a
receipt under our external_id: {"uuid", "status": "wait"}; the same external_id again is error
33, which still names the uuid — so a retry after a lost answer registers nothing twice.
GET {url}/{group_code}/report/{uuid} → wait / done (payload: the fiscal data) / fail. Errors
come as {"error": {"code", "text", "type"}}; 13 and 32 (the request itself is wrong), 12
(login) and 20/21 (group) cannot pass by retrying; the rest (5xx, 34, a slow or lost answer)
are tried again later."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

import httpx

from core.base.clock import to_local, utcnow
from core.base.interfaces import RegisterAnswer, RegisterError
from core.money.fiscal_checks import register_conf

__all__ = ["AtolRegister", "register_from_settings", "to_atol"]

TOKEN_LIFE = 23 * 3600  # the service gives 24 hours; renewed a little earlier
PERMANENT = {12, 13, 14, 20, 21, 30, 31, 32, 40, 41}
# ОКЕИ → ФФД 1.2 measure (tag 2108) as АТОЛ numbers it; anything else is 255 «иная».
MEASURES = {
    "796": 0, "163": 10, "166": 11, "168": 12, "004": 20, "005": 21, "006": 22, "051": 30,
    "053": 31, "055": 32, "111": 40, "112": 41, "113": 42, "245": 50, "233": 51, "359": 70,
    "356": 71, "355": 72, "354": 73,
}  # fmt: skip
SUBJECTS = {"goods": 1, "work": 3, "service": 4, "payment": 10}  # tag 1212
PAYMENT_TYPES = {"cash": 0, "electronic": 1, "advance_offset": 2, "credit": 3}  # tag 1031…1217
PREPAID = {"full_prepayment", "prepayment", "advance"}


def _rub(kopecks: int) -> float:
    return float(Decimal(kopecks) / 100)


def _vat(rate: int | None, method: str) -> dict[str, str]:
    """vat22, vat10 …; a prepayment carries the calculated rate (22/122 → vat122)."""
    if rate is None:
        return {"type": "none"}
    if rate == 0:
        return {"type": "vat0"}
    return {"type": f"vat1{rate:02d}" if method in PREPAID else f"vat{rate}"}


def to_atol(receipt: dict[str, Any], conf: dict[str, Any], external_id: str) -> dict[str, Any]:
    """core's receipt → the v5 request body."""
    items = [
        {"name": i["name"], "price": _rub(i["price"]), "quantity": float(Decimal(i["quantity"])),
         "sum": _rub(i["sum"]), "measure": MEASURES.get(i.get("okei", ""), 255),
         "payment_method": i["method"], "payment_object": SUBJECTS[i["subject"]],
         "vat": _vat(i.get("vat"), i["method"])}
        for i in receipt["items"]
    ]  # fmt: skip
    body: dict[str, Any] = {
        "client": receipt.get("client") or {},
        "company": {"email": conf.get("email", ""), "sno": receipt.get("tax_system") or "usn_income",
                    "inn": conf.get("inn", ""), "payment_address": conf.get("payment_address", "")},
        "items": items,
        "payments": [{"type": PAYMENT_TYPES[p["type"]], "sum": _rub(p["sum"])} for p in receipt["payments"]],
        "total": _rub(receipt["total"]),
    }  # fmt: skip
    if receipt.get("cashier"):
        body["cashier"] = receipt["cashier"][:64]
    stamp = f"{to_local(utcnow()):%d.%m.%Y %H:%M:%S}"
    if "correction" in receipt:
        c = receipt["correction"]
        body["correction_info"] = {"type": c["type"], "base_date": c["base_date"],
                                   "base_number": c.get("base_number") or "б/н"}  # fmt: skip
        return {"external_id": external_id, "correction": body, "timestamp": stamp}
    return {"external_id": external_id, "receipt": body, "timestamp": stamp}


def _fiscal(payload: dict[str, Any]) -> dict[str, str]:
    return {
        "fn": str(payload.get("fn_number", "")), "fd": str(payload.get("fiscal_document_number", "")),
        "fp": str(payload.get("fiscal_document_attribute", "")),
        "when": str(payload.get("receipt_datetime", "")), "total": str(payload.get("total", "")),
        "link": str(payload.get("ofd_receipt_url") or ""),
    }  # fmt: skip


class AtolRegister:
    name = "atol"

    def __init__(self, conf: dict[str, Any], *, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None):  # fmt: skip
        self.conf = conf
        self.url = str(conf.get("url") or "https://online.atol.ru/possystem/v5").rstrip("/")
        self.group = str(conf.get("group_code") or "")
        self.http = httpx.Client(timeout=timeout, transport=transport)
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def _error(self, response: httpx.Response) -> RegisterError:
        try:
            err = response.json().get("error") or {}
        except ValueError:
            err = {}
        code = int(err.get("code") or 0)
        text = err.get("text") or f"ответ {response.status_code}"
        permanent = code in PERMANENT
        return RegisterError(
            f"АТОЛ: {text} (код {code or response.status_code})", permanent=permanent
        )

    def _get_token(self, fresh: bool = False) -> str:
        with self._lock:
            if self._token and not fresh and self._token[1] > time.monotonic():
                return self._token[0]
            body = {"login": self.conf.get("login", ""), "pass": self.conf.get("password", "")}
            response = self._call("POST", f"{self.url}/getToken", json=body)
            if response.status_code != 200 or not response.json().get("token"):
                raise self._error(response)
            self._token = (response.json()["token"], time.monotonic() + TOKEN_LIFE)
            return self._token[0]

    def _call(self, method: str, url: str, **kw: Any) -> httpx.Response:
        try:
            return self.http.request(method, url, **kw)
        except httpx.TimeoutException:
            raise RegisterError("АТОЛ не ответил вовремя") from None
        except httpx.HTTPError as exc:
            raise RegisterError(f"АТОЛ недоступен: {exc.__class__.__name__}") from None

    def _authorised(self, method: str, url: str, **kw: Any) -> httpx.Response:
        response = self._call(method, url, headers={"Token": self._get_token()}, **kw)
        if response.status_code == 401 and self._code(response) in (10, 11):
            response = self._call(method, url, headers={"Token": self._get_token(True)}, **kw)
        return response

    @staticmethod
    def _code(response: httpx.Response) -> int:
        try:
            return int((response.json().get("error") or {}).get("code") or 0)
        except (ValueError, AttributeError):
            return 0

    def send(self, operation: str, external_id: str, receipt: dict) -> RegisterAnswer:
        body = to_atol(receipt, self.conf, external_id)
        response = self._authorised("POST", f"{self.url}/{self.group}/{operation}", json=body)
        data = response.json() if response.headers.get("content-type", "").startswith(
            "application/json") else {}  # fmt: skip
        if response.status_code == 200 and data.get("uuid"):
            return RegisterAnswer(uuid=data["uuid"], status="wait")
        if self._code(response) == 33 and data.get("uuid"):  # registered before: the same one
            return RegisterAnswer(uuid=data["uuid"], status="wait")
        raise self._error(response)

    def report(self, uuid: str) -> RegisterAnswer:
        response = self._authorised("GET", f"{self.url}/{self.group}/report/{uuid}")
        if response.status_code != 200:
            raise self._error(response)
        data = response.json()
        status = data.get("status") or "wait"
        if status == "done":
            return RegisterAnswer(
                uuid=uuid, status="done", fiscal=_fiscal(data.get("payload") or {})
            )
        if status == "fail":
            err = data.get("error") or {}
            return RegisterAnswer(
                uuid=uuid, status="fail", error=f"АТОЛ: {err.get('text', 'ошибка')}"
            )
        return RegisterAnswer(uuid=uuid, status="wait")


def register_from_settings() -> AtolRegister | None:
    """The register the director set up in settings, or None (receipts are off)."""
    conf = register_conf()
    if conf.get("provider") != "atol":
        return None
    return AtolRegister(conf)
