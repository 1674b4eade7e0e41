"""SMS senders behind core.base.interfaces.Sender: SMS.ru, SMSC.ru and a generic HTTP form gateway.

SMS.ru answers JSON (`json=1`): {"status": "OK", "status_code": 100, "sms": {"7912…":
{"status": "OK", "status_code": 100, "sms_id": "…"}}, "balance": …}. A per-number error
carries its own status_code and status_text.

SMSC.ru (`/sys/send.php`, `fmt=3`) answers {"id": …, "cnt": parts} or {"error": text,
"error_code": N[, "id": …]}.

For both, codes that mean "this number or this text will never go" are permanent (the
next channel is tried); the rest — money, limits, a sender name awaiting approval, the
service down — are retried, since people can fix them."""

from __future__ import annotations

import logging

import requests

from bots.sms.text import fit, translit
from core.base.config import Config
from core.base.errors import ValidationError
from core.base.interfaces import DeliveryError, OutgoingMessage
from core.base.phones import normalize_phone
from core.channels.outage import auth_error, outage, server_error

__all__ = ["HttpFormSender", "SmsRuSender", "SmscSender", "build"]

log = logging.getLogger(__name__)

# SMS.ru codes no retry fixes (its published list): 202 wrong recipient, 203 no text,
# 205 longer than 8 parts, 207 no sending to this number, 209 the number is in the stop
# list. Not permanent: 200/300-series auth, 201 money, 204 sender name not approved,
# 206/230-232 daily and per-number limits, 220 service unavailable.
SMSRU_PERMANENT = {202, 203, 205, 207, 209}
# SMS.ru codes that mean SMS is down for every message of the firm.
SMSRU_AUTH = {200, 300, 301}  # wrong api_id, token, login or password
SMSRU_MONEY = 201
SMSRU_SERVER = 220  # the service is temporarily unavailable
# SMSC.ru send.php errors no retry fixes: 6 text or sender name forbidden, 7 wrong number
# format, 8 cannot be delivered to this number. 9 = too many identical/concurrent requests:
# retried after a pause. 1-5 (parameters, login, money, IP blocked, date) are retried.
SMSC_PERMANENT = {6, 7, 8}
SMSC_TOO_OFTEN = 9
SMSC_AUTH = {2, 4}  # wrong login or password; the address blocked
SMSC_MONEY = 3


def _prepare(message: OutgoingMessage, use_translit: bool) -> tuple[str, str]:
    """(digits of an E.164 phone, text ready to send); a bad phone is permanent, and so is
    a file: SMS cannot carry one (the deliverer sends a download link instead)."""
    if message.attachments:
        raise DeliveryError("SMS: файлы этим каналом не передаются", permanent=True)
    try:
        phone = normalize_phone(message.address)
    except ValidationError as exc:
        raise DeliveryError(
            f"Неверный номер телефона: {message.address!r}", permanent=True
        ) from exc
    text = translit(message.text) if use_translit else message.text
    return phone.lstrip("+"), fit(text)


def _post(url: str, data: dict, timeout: float, name: str = "SMS-шлюз") -> requests.Response:
    try:
        response = requests.post(url, data=data, timeout=(min(3.0, timeout), timeout))
    except requests.RequestException as exc:
        raise outage(name, exc) from exc
    if response.status_code == 429:
        retry = response.headers.get("Retry-After", "")
        raise DeliveryError(
            "SMS-шлюз: слишком часто", retry_after=float(retry) if retry.isdigit() else 5
        )
    if response.status_code >= 500:
        raise server_error(name, response.status_code)
    if response.status_code in (401, 403):
        raise auth_error(name, f"HTTP {response.status_code}")
    return response


def _money(name: str, code: int | str = "") -> DeliveryError:
    more = f" (код {code})" if code != "" else ""
    return DeliveryError(
        f"{name}: на счёте закончились деньги{more} — пополните баланс", outage="money"
    )


# SMS.ru delivery report codes: 103 delivered, 110 read; 104 expired, 105 deleted by the
# operator, 106 phone failure, 107 unknown reason, 108 rejected, 150 no route to the number.
SMSRU_DELIVERED = {103, 110}
SMSRU_UNDELIVERED = {104, 105, 106, 107, 108, 150}
# SMSC.ru statuses: 1 delivered, 2 read, 4 link opened; 3 expired, 20 cannot be delivered,
# 22 wrong number, 23 prohibited, 25 the number is unavailable.
SMSC_DELIVERED = {1, 2, 4}
SMSC_UNDELIVERED = {3, 20, 22, 23, 25}


def _smsru_error(code: int, reason: str) -> DeliveryError:
    if code in SMSRU_AUTH:
        return auth_error("SMS.ru", f"{code}: {reason}")
    if code == SMSRU_MONEY:
        return _money("SMS.ru", code)
    if code == SMSRU_SERVER:
        return server_error("SMS.ru", code)
    return DeliveryError(f"SMS.ru {code}: {reason}", permanent=code in SMSRU_PERMANENT)


class SmsRuSender:
    channel = "sms"

    def __init__(self, api_id: str, *, base_url: str = "https://sms.ru", sender: str = "",
                 use_translit: bool = False, timeout: float = 15):  # fmt: skip
        self.api_id, self.base_url, self.sender = api_id, base_url.rstrip("/"), sender
        self.use_translit, self.timeout = use_translit, timeout

    def send(self, message: OutgoingMessage) -> str | None:
        phone, text = _prepare(message, self.use_translit)
        data = {"api_id": self.api_id, "to": phone, "msg": text, "json": 1}
        if self.sender:
            data["from"] = self.sender
        body = self._call("sms/send", data)
        result = (body.get("sms") or {}).get(phone) or body
        code = int(result.get("status_code") or 0)
        if result.get("status") == "OK" and code == 100:
            return str(result.get("sms_id") or "") or None
        reason = result.get("status_text") or body.get("status_text") or "ошибка"
        raise _smsru_error(code, reason)

    def _call(self, method: str, data: dict) -> dict:
        response = _post(f"{self.base_url}/{method}", data, self.timeout, "SMS.ru")
        try:
            body = response.json()
        except ValueError as exc:
            raise server_error("SMS.ru", f"(непонятный ответ HTTP {response.status_code})") from exc
        return body if isinstance(body, dict) else {}

    def probe(self) -> None:
        """The light check: the balance answers when SMS.ru is up and the key is right."""
        body = self._call("my/balance", {"api_id": self.api_id, "json": 1})
        code = int(body.get("status_code") or 0)
        if code != 100:
            raise _smsru_error(code, str(body.get("status_text") or "ошибка"))
        if float(body.get("balance") or 0) <= 0:
            raise _money("SMS.ru")

    def statuses(self, ids: list[str]) -> dict[str, tuple[bool | None, str]]:
        """Delivery reports of sent messages: id -> (delivered? None while on the way, why)."""
        body = self._call("sms/status", {"api_id": self.api_id, "sms_id": ",".join(ids), "json": 1})
        found: dict[str, tuple[bool | None, str]] = {}
        for sms_id, item in (body.get("sms") or {}).items():
            code = int((item or {}).get("status_code") or 0)
            text = str((item or {}).get("status_text") or "")
            found[str(sms_id)] = (
                True if code in SMSRU_DELIVERED else False if code in SMSRU_UNDELIVERED else None,
                text or f"код {code}",
            )
        return found


class SmscSender:
    """SMSC.ru's HTTP API: one POST to /sys/send.php per message, JSON answer (fmt=3)."""

    channel = "sms"

    def __init__(self, login: str, password: str, *, base_url: str = "https://smsc.ru",
                 sender: str = "", use_translit: bool = False, timeout: float = 15):  # fmt: skip
        self.login, self.password, self.sender = login, password, sender
        self.base_url, self.use_translit, self.timeout = base_url.rstrip("/"), use_translit, timeout

    def send(self, message: OutgoingMessage) -> str | None:
        phone, text = _prepare(message, self.use_translit)
        data = {"login": self.login, "psw": self.password, "phones": phone, "mes": text,
                "fmt": 3, "charset": "utf-8"}  # fmt: skip
        if self.sender:
            data["sender"] = self.sender
        body = self._call("send.php", data)
        if "error_code" not in body and "error" not in body and body.get("id") is not None:
            return f"{body['id']}:{phone}"  # a report is asked for by id and phone together
        raise _smsc_error(body)

    def _call(self, script: str, data: dict) -> dict:
        response = _post(f"{self.base_url}/sys/{script}", data, self.timeout, "SMSC")
        try:
            body = response.json()
        except ValueError as exc:
            raise server_error("SMSC", f"(непонятный ответ HTTP {response.status_code})") from exc
        return body if isinstance(body, dict) else {}

    def probe(self) -> None:
        """The light check: the balance answers when SMSC is up and the login is right."""
        body = self._call("balance.php", {"login": self.login, "psw": self.password, "fmt": 3})
        if "error_code" in body or "error" in body:
            raise _smsc_error(body)
        if float(body.get("balance") or 0) <= 0:
            raise _money("SMSC")

    def statuses(self, ids: list[str]) -> dict[str, tuple[bool | None, str]]:
        """Delivery reports: "id:phone" -> (delivered? None while on the way, why)."""
        found: dict[str, tuple[bool | None, str]] = {}
        for ref in ids:
            sms_id, _, phone = ref.partition(":")
            body = self._call("status.php", {"login": self.login, "psw": self.password,
                                             "id": sms_id, "phone": phone, "fmt": 3})  # fmt: skip
            if "status" not in body:
                continue
            code = int(body.get("status") or 0)
            found[ref] = (
                True if code in SMSC_DELIVERED else False if code in SMSC_UNDELIVERED else None,
                f"статус {code}" + (f", ошибка {body['err']}" if body.get("err") else ""),
            )
        return found


def _smsc_error(body: dict) -> DeliveryError:
    code = int(body.get("error_code") or 0)
    reason = str(body.get("error") or "ошибка")
    if code in SMSC_AUTH:
        return auth_error("SMSC", f"{code}: {reason}")
    if code == SMSC_MONEY:
        return _money("SMSC", code)
    return DeliveryError(
        f"SMSC {code}: {reason}",
        permanent=code in SMSC_PERMANENT,
        retry_after=10 if code == SMSC_TOO_OFTEN else None,
    )


class HttpFormSender:
    """Any gateway that takes a form POST: login, password, sender, phone, text.
    A 2xx answer is success (its body, trimmed, is the message id); 4xx is permanent."""

    channel = "sms"

    def __init__(self, url: str, *, login: str = "", password: str = "", sender: str = "",
                 use_translit: bool = False, timeout: float = 15):  # fmt: skip
        self.url, self.login, self.password, self.sender = url, login, password, sender
        self.use_translit, self.timeout = use_translit, timeout

    def send(self, message: OutgoingMessage) -> str | None:
        phone, text = _prepare(message, self.use_translit)
        data = {"login": self.login, "password": self.password, "sender": self.sender,
                "phone": phone, "text": text}  # fmt: skip
        response = _post(self.url, data, self.timeout)
        if 400 <= response.status_code < 500:
            raise DeliveryError(
                f"SMS-шлюз отказал: HTTP {response.status_code} {response.text[:200]}",
                permanent=True,
            )
        return response.text.strip()[:200] or None


def build(config: Config) -> SmsRuSender | SmscSender | HttpFormSender | None:
    sms = config.sms
    wait = config.notify.platform_timeout
    if sms.provider == "smsru" and sms.api_id:
        return SmsRuSender(sms.api_id, base_url=sms.url or "https://sms.ru", sender=sms.sender,
                           use_translit=sms.translit, timeout=wait)  # fmt: skip
    if sms.provider == "smsc" and sms.login and sms.password:
        return SmscSender(sms.login, sms.password, base_url=sms.url or "https://smsc.ru",
                          sender=sms.sender, use_translit=sms.translit, timeout=wait)  # fmt: skip
    if sms.provider == "http" and sms.url:
        return HttpFormSender(sms.url, login=sms.login, password=sms.password, sender=sms.sender,
                              use_translit=sms.translit, timeout=wait)  # fmt: skip
    if sms.provider:
        log.warning("SMS provider %r is not configured completely; SMS is off", sms.provider)
    return None
