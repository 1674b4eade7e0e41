"""A fake YooKassa on 127.0.0.1: the v3 API the official SDK calls (payments with
idempotence keys, fetching a payment, refunds) and a stand-in confirmation page that,
when "paid", marks the payment succeeded, posts the notification to the shop (as if through
the shop's proxy from a YooKassa address) and sends the buyer back to the return URL."""

from __future__ import annotations

import base64
import copy
import json
import urllib.request
import uuid

from tests.fakes.http import FakeHTTPServer, Reply, Request

YOOKASSA_IP = "185.71.76.10"  # inside SecurityHelper.YOOKASSA_NETWORKS


class FakeYooKassa(FakeHTTPServer):
    def __init__(self, shop_id: str = "123456", secret: str = "test_secret"):
        self.shop_id, self.secret = shop_id, secret
        self.payments: dict[str, dict] = {}
        self.by_key: dict[str, str] = {}
        self.refunds: list[dict] = []
        self.notify_url = ""  # the shop's notification endpoint
        self.notified: list[tuple[int, str]] = []
        super().__init__(self._handle)

    @property
    def api_url(self) -> str:
        return f"{self.url}/v3"

    def _authorized(self, req: Request) -> bool:
        want = base64.b64encode(f"{self.shop_id}:{self.secret}".encode()).decode()
        return req.headers.get("Authorization") == f"Basic {want}"

    def _handle(self, req: Request) -> Reply:
        if req.path.startswith("/checkout/"):
            return self._checkout(req)
        if not self._authorized(req):
            return Reply(
                401, {"type": "error", "code": "invalid_credentials", "description": "auth"}
            )
        if req.method == "POST" and req.path == "/v3/payments":
            return self._create(req)
        if req.method == "GET" and req.path == "/v3/me":  # the shop's settings (a light check)
            return Reply(200, {"account_id": self.shop_id, "test": True, "status": "enabled",
                               "fiscalization_enabled": False, "payment_methods": ["bank_card"]})  # fmt: skip
        if req.method == "GET" and req.path.startswith("/v3/payments/"):
            payment = self.payments.get(req.path.rsplit("/", 1)[-1])
            if payment is None:
                return Reply(
                    404, {"type": "error", "code": "not_found", "description": "no such payment"}
                )
            return Reply(200, payment)
        if req.method == "POST" and req.path == "/v3/refunds":
            body = req.json()
            refund = {"id": uuid.uuid4().hex, "payment_id": body["payment_id"], "status": "succeeded",
                      "amount": body["amount"], "created_at": "2026-11-27T10:00:00.000Z"}  # fmt: skip
            self.refunds.append({**refund, "key": req.headers.get("Idempotence-Key")})
            return Reply(200, refund)
        return Reply(404, {"type": "error", "code": "not_found"})

    def _create(self, req: Request) -> Reply:
        key = req.headers.get("Idempotence-Key")
        if not key:
            return Reply(400, {"type": "error", "code": "invalid_request", "description": "key"})
        if key in self.by_key:
            return Reply(200, self.payments[self.by_key[key]])
        body = req.json()
        pid = f"2f{str(uuid.uuid4())[2:]}"  # YooKassa ids are 36 characters, UUID-like
        self.payments[pid] = {
            "id": pid, "status": "pending", "paid": False, "amount": body["amount"],
            "description": body.get("description", ""), "metadata": body.get("metadata", {}),
            "confirmation": {"type": "redirect", "confirmation_url": f"{self.url}/checkout/{pid}",
                             "return_url": body["confirmation"]["return_url"]},
            "created_at": "2026-11-27T10:00:00.000Z", "test": True, "refundable": False,
            "recipient": {"account_id": self.shop_id, "gateway_id": "1"},
            "receipt_sent": body.get("receipt"),
        }  # fmt: skip
        self.by_key[key] = pid
        return Reply(200, {k: v for k, v in self.payments[pid].items() if k != "receipt_sent"})

    def succeed(self, pid: str) -> None:
        self.payments[pid].update(status="succeeded", paid=True, refundable=True)

    def notification(self, pid: str, event: str = "payment.succeeded") -> dict:
        return {"type": "notification", "event": event, "object": copy.deepcopy(self.payments[pid])}

    def send_notification(self, pid: str) -> int:
        data = json.dumps(self.notification(pid)).encode()
        request = urllib.request.Request(
            self.notify_url, data=data, method="POST",
            headers={"Content-Type": "application/json", "X-Forwarded-For": YOOKASSA_IP},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                status = resp.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        self.notified.append((status, pid))
        return status

    def _checkout(self, req: Request) -> Reply:
        parts = req.path.strip("/").split("/")
        payment = self.payments.get(parts[1]) if len(parts) > 1 else None
        if payment is None:
            return Reply(404, "нет такого платежа")
        if req.method == "POST" and parts[-1] == "pay":
            self.succeed(payment["id"])
            self.send_notification(payment["id"])
            return Reply(302, b"", {"Location": payment["confirmation"]["return_url"]})
        value = payment["amount"]["value"]
        page = (
            '<!doctype html><html lang="ru"><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Тестовая ЮKassa</title><body style='font-family:sans-serif;padding:16px'>"
            f"<h1>Тестовая ЮKassa</h1><p>{payment['description']}</p><p>К оплате: {value} ₽</p>"
            f"<form method='post' action='/checkout/{payment['id']}/pay'>"
            "<button id='pay' style='font-size:18px;padding:12px 20px'>Оплатить</button></form>"
        )
        return Reply(200, page, {"Content-Type": "text/html; charset=utf-8"})
