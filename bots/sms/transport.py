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

__all__ = ["HttpFormSender", "SmsRuSender", "SmscSender", "build"]

log = logging.getLogger(__name__)

# SMS.ru codes no retry fixes (its published list): 202 wrong recipient, 203 no text,
# 205 longer than 8 parts, 207 no sending to this number, 209 the number is in the stop
# list. Not permanent: 200/300-series auth, 201 money, 204 sender name not approved,
# 206/230-232 daily and per-number limits, 220 service unavailable.
SMSRU_PERMANENT = {202, 203, 205, 207, 209}
# SMSC.ru send.php errors no retry fixes: 6 text or sender name forbidden, 7 wrong number
# format, 8 cannot be delivered to this number. 9 = too many identical/concurrent requests:
# retried after a pause. 1-5 (parameters, login, money, IP blocked, date) are retried.
SMSC_PERMANENT = {6, 7, 8}
SMSC_TOO_OFTEN = 9


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


def _post(url: str, data: dict, timeout: float) -> requests.Response:
    try:
        response = requests.post(url, data=data, timeout=timeout)
    except requests.RequestException as exc:
        raise DeliveryError(f"SMS-шлюз недоступен: {type(exc).__name__}") from exc
    if response.status_code == 429:
        retry = response.headers.get("Retry-After", "")
        raise DeliveryError(
            "SMS-шлюз: слишком часто", retry_after=float(retry) if retry.isdigit() else 5
        )
    if response.status_code >= 500:
        raise DeliveryError(f"SMS-шлюз: HTTP {response.status_code}")
    return response


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
        response = _post(f"{self.base_url}/sms/send", data, self.timeout)
        try:
            body = response.json()
        except ValueError as exc:
            raise DeliveryError(f"SMS.ru: непонятный ответ HTTP {response.status_code}") from exc
        result = (body.get("sms") or {}).get(phone) or body
        code = int(result.get("status_code") or 0)
        if result.get("status") == "OK" and code == 100:
            return str(result.get("sms_id") or "") or None
        reason = result.get("status_text") or body.get("status_text") or "ошибка"
        raise DeliveryError(f"SMS.ru {code}: {reason}", permanent=code in SMSRU_PERMANENT)


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
        response = _post(f"{self.base_url}/sys/send.php", data, self.timeout)
        try:
            body = response.json()
        except ValueError as exc:
            raise DeliveryError(f"SMSC: непонятный ответ HTTP {response.status_code}") from exc
        if "error_code" not in body and "error" not in body and body.get("id") is not None:
            return str(body["id"])
        code = int(body.get("error_code") or 0)
        reason = body.get("error") or "ошибка"
        raise DeliveryError(
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
    if sms.provider == "smsru" and sms.api_id:
        return SmsRuSender(sms.api_id, base_url=sms.url or "https://sms.ru", sender=sms.sender,
                           use_translit=sms.translit)  # fmt: skip
    if sms.provider == "smsc" and sms.login and sms.password:
        return SmscSender(sms.login, sms.password, base_url=sms.url or "https://smsc.ru",
                          sender=sms.sender, use_translit=sms.translit)  # fmt: skip
    if sms.provider == "http" and sms.url:
        return HttpFormSender(sms.url, login=sms.login, password=sms.password, sender=sms.sender,
                              use_translit=sms.translit)  # fmt: skip
    if sms.provider:
        log.warning("SMS provider %r is not configured completely; SMS is off", sms.provider)
    return None
