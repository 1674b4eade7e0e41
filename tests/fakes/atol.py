"""A fake АТОЛ Онлайн, API v5, on 127.0.0.1: getToken, registering a receipt (sell,
sell_correction, sell_refund_correction) under an external_id, and the report by uuid — with
the service's published errors (12 wrong login, 11 expired token, 32 a receipt that does not
validate, 33 the external_id already registered, 34 not processed yet, 50 server error) and
slow answers. Validation follows the v5 request: client e-mail or phone, company inn / sno /
payment_address, items with measure and payment_object as numbers, the total equal to the
items' and the payments' sums."""

from __future__ import annotations

import copy
import time
import uuid as uuidlib
from typing import Any

from tests.fakes.http import FakeHTTPServer, Reply, Request

OPERATIONS = {"sell", "sell_refund", "sell_correction", "sell_refund_correction", "buy"}
METHODS = {"full_prepayment", "prepayment", "advance", "full_payment", "partial_payment",
           "credit", "credit_payment"}  # fmt: skip
VATS = {"none", "vat0", "vat5", "vat7", "vat10", "vat20", "vat22", "vat105", "vat107", "vat110",
        "vat120", "vat122"}  # fmt: skip


def _error(http_status: int, code: int, text: str, **extra: Any) -> Reply:
    body = {"error": {"error_id": str(uuidlib.uuid4()), "code": code, "text": text,
                      "type": "system"}, "timestamp": time.strftime("%d.%m.%Y %H:%M:%S"), **extra}  # fmt: skip
    return Reply(http_status, body)


class FakeAtol(FakeHTTPServer):
    def __init__(self, login: str = "shop-login", password: str = "shop-pass", group: str = "grp1"):
        self.login, self.password, self.group = login, password, group
        self.tokens: set[str] = set()
        self.docs: dict[str, dict] = {}  # uuid → {"operation", "external_id", "body", "reports"}
        self.by_external: dict[str, str] = {}
        self.waits = 1  # reports answered "wait" before "done"
        self.fail_next: list[tuple[int, int, str]] = []  # (http status, code, text) for POSTs
        self.slow_seconds = 0.0  # a registering answer this late (the receipt is still taken)
        self.fail_reports: set[str] = set()  # uuids whose report ends in "fail"
        super().__init__(self._handle)

    @property
    def base(self) -> str:
        return f"{self.url}/possystem/v5"

    def conf(self, **over: Any) -> dict[str, Any]:
        return {"provider": "atol", "url": self.base, "login": self.login, "password": self.password,
                "group_code": self.group, "inn": "7701234567", "email": "shop@example.ru",
                "payment_address": "https://print.example.ru", **over}  # fmt: skip

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def registered(self, operation: str | None = None) -> list[dict]:
        return [d for d in self.docs.values() if operation in (None, d["operation"])]

    # --- the API ---------------------------------------------------------------------------
    def _handle(self, req: Request) -> Reply:
        parts = req.path.removeprefix("/possystem/v5/").split("/")
        if req.method == "POST" and parts == ["getToken"]:
            return self._token(req)
        if len(parts) < 2 or parts[0] != self.group:
            return _error(401, 20, "Код группы, указанный в запросе, не соответствует токену.")
        token = req.headers.get("Token", "")
        if token not in self.tokens:
            return _error(401, 11 if token else 10, "Переданный токен не активен")
        if req.method == "GET" and parts[1] == "report" and len(parts) == 3:
            return self._report(parts[2])
        if req.method == "POST" and parts[1] in OPERATIONS:
            return self._register(parts[1], req)
        return _error(400, 31, f'Операция "{parts[1]}" не поддерживается.')

    def _token(self, req: Request) -> Reply:
        body = req.json()
        if (body.get("login"), body.get("pass")) != (self.login, self.password):
            return _error(401, 12, "Неверный логин или пароль")
        token = uuidlib.uuid4().hex
        self.tokens.add(token)
        return Reply(
            200, {"token": token, "error": None, "timestamp": time.strftime("%d.%m.%Y %H:%M:%S")}
        )

    def _register(self, operation: str, req: Request) -> Reply:
        if self.fail_next:
            status, code, text = self.fail_next.pop(0)
            return _error(status, code, text)
        data = req.json()
        external_id = data.get("external_id") or ""
        if external_id in self.by_external:
            return _error(400, 33, f"В системе существует чек с external_id : {external_id} и "
                          f"group_code: {self.group}", uuid=self.by_external[external_id],
                          status="wait")  # fmt: skip
        problem = self._validate(operation, data)
        if problem:
            return _error(400, 32, f"Ошибка валидации входного чека. Ошибочные поля : {problem}",
                          status="fail")  # fmt: skip
        doc_uuid = str(uuidlib.uuid4())
        self.docs[doc_uuid] = {"operation": operation, "external_id": external_id,
                               "body": copy.deepcopy(data), "reports": 0}  # fmt: skip
        self.by_external[external_id] = doc_uuid
        if self.slow_seconds:
            time.sleep(self.slow_seconds)  # registered, but the answer comes too late
        return Reply(200, {"uuid": doc_uuid, "status": "wait", "error": None,
                           "timestamp": time.strftime("%d.%m.%Y %H:%M:%S")})  # fmt: skip

    def _validate(self, operation: str, data: dict) -> str:
        key = "correction" if operation.endswith("correction") else "receipt"
        r = data.get(key)
        if not isinstance(r, dict) or not data.get("external_id") or not data.get("timestamp"):
            return key
        try:
            time.strptime(data["timestamp"], "%d.%m.%Y %H:%M:%S")
        except ValueError:
            return "timestamp"
        client, company = r.get("client") or {}, r.get("company") or {}
        if not (client.get("email") or client.get("phone")):
            return "client"
        if not (company.get("inn") and company.get("sno") and company.get("payment_address")):
            return "company"
        if key == "correction" and not {"type", "base_date"} <= set(r.get("correction_info") or {}):
            return "correction_info"
        for n, item in enumerate(r.get("items") or [], 1):
            if not (item.get("name") and isinstance(item.get("measure"), int)
                    and isinstance(item.get("payment_object"), int)
                    and item.get("payment_method") in METHODS
                    and (item.get("vat") or {}).get("type") in VATS):  # fmt: skip
                return f"items[{n}]"
            if abs(round(item["price"] * item["quantity"], 2) - item["sum"]) > 0.01:
                return f"items[{n}].sum"
        items = round(sum(i["sum"] for i in r.get("items") or []), 2)
        paid = round(sum(p["sum"] for p in r.get("payments") or []), 2)
        if (
            not r.get("items")
            or abs(items - r.get("total", -1)) > 0.001
            or abs(paid - items) > 0.001
        ):
            return "total"
        return ""

    def _report(self, doc_uuid: str) -> Reply:
        doc = self.docs.get(doc_uuid)
        if doc is None:
            return _error(400, 30, f'Передан некорректный UUID : "{doc_uuid}".', status="fail")
        doc["reports"] += 1
        base = {"uuid": doc_uuid, "timestamp": time.strftime("%d.%m.%Y %H:%M:%S"),
                "group_code": self.group, "daemon_code": "prod-agent-1",
                "device_code": "KKT-1", "external_id": doc["external_id"], "callback_url": ""}  # fmt: skip
        if doc["reports"] <= self.waits:
            return _error(200, 34, "Состояние чека не найдено. Попробуйте позднее.", **base,
                          status="wait")  # fmt: skip
        if doc_uuid in self.fail_reports:
            return _error(200, 1, "Превышено время ожидания чека в очереди.", **base, status="fail")
        key = "correction" if doc["operation"].endswith("correction") else "receipt"
        n = list(self.docs).index(doc_uuid) + 1
        payload = {"total": doc["body"][key]["total"], "fns_site": "www.nalog.gov.ru",
                   "fn_number": "9999078900004312", "shift_number": 1,
                   "receipt_datetime": time.strftime("%d.%m.%Y %H:%M:%S"),
                   "fiscal_receipt_number": n, "fiscal_document_number": 1000 + n,
                   "ecr_registration_number": "0000000001002292",
                   "fiscal_document_attribute": 3000000000 + n,
                   "ofd_receipt_url": f"https://check.example-ofd.ru/rec/{doc_uuid}"}  # fmt: skip
        return Reply(200, {**base, "status": "done", "error": None, "payload": payload})
