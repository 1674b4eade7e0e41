"""The outbox's Viber transport: one OutgoingMessage to one Viber user id.

viberbot raises a bare Exception carrying the API status; statuses 5/6 (not registered,
not subscribed) mean the person left: permanent. 12 is Viber's own flood limit."""

from __future__ import annotations

import re

import requests
from viberbot.api.messages import TextMessage

from bots.viber.api import keyboard, make_api
from core.base.config import Config
from core.base.interfaces import DeliveryError, OutgoingMessage
from core.channels.outage import auth_error, outage, server_error

__all__ = ["ViberSender", "build"]

_STATUS = re.compile(r"status[:\s]+(\d+)")
PERMANENT = {5, 6}  # receiverNotRegistered, receiverNotSubscribed
FLOOD = 12  # tooManyRequests
AUTH = 2  # invalidAuthToken


def _http_error(exc: requests.RequestException) -> DeliveryError:
    status = exc.response.status_code if exc.response is not None else None
    if status in (401, 403):
        return auth_error("Viber", f"HTTP {status}")
    if status is not None:
        return server_error("Viber", status)
    return outage("Viber", exc)


class ViberSender:
    channel = "viber"

    def __init__(self, config: Config, api=None):
        self.api = api or make_api(config)

    def send(self, message: OutgoingMessage) -> str | None:
        if (
            message.attachments
        ):  # the deliverer sends a download link instead (core.conversations.delivery)
            raise DeliveryError("Viber: файлы этим каналом не передаются", permanent=True)
        text = message.text
        kb = keyboard([list(row) for row in message.buttons])
        try:
            tokens = self.api.send_messages(
                message.address, [TextMessage(text=text[:7000], keyboard=kb)]
            )
        except requests.RequestException as exc:
            raise _http_error(exc) from exc
        except Exception as exc:  # noqa: BLE001 - viberbot raises a plain Exception
            raise _api_error(exc) from exc
        return str(tokens[-1]) if tokens else None

    def probe(self) -> None:
        """The light check: get_account_info answers when Viber is up and the token is right.
        viberbot returns its answer as it came: a refused token is a status in the body
        (2, invalidAuthToken) of an HTTP 200, not an exception."""
        try:
            answer = self.api.get_account_info()
        except requests.RequestException as exc:
            raise _http_error(exc) from exc
        except Exception as exc:  # noqa: BLE001 - viberbot raises a plain Exception
            raise _api_error(exc) from exc
        status = answer.get("status", 0) if isinstance(answer, dict) else 0
        if status != 0:
            said = answer.get("status_message", "")
            raise _api_error(
                Exception(f"get_account_info failed with status: {status}, message: {said}")
            )


def _api_error(exc: Exception) -> DeliveryError:
    """viberbot's plain Exception ("… status: N …") as a decision for the deliverer."""
    text = str(exc)
    match = _STATUS.search(text)
    status = int(match.group(1)) if match else -1
    lowered = text.lower()
    if status in PERMANENT or "notsubscribed" in lowered or "notregistered" in lowered:
        return DeliveryError(f"Viber: {text}", permanent=True)
    if status == FLOOD:
        return DeliveryError(f"Viber: {text}", retry_after=60)
    if status == AUTH or "invalidauthtoken" in lowered:
        return auth_error("Viber")
    return DeliveryError(f"Viber: {text}")


def build(config: Config) -> ViberSender | None:
    return ViberSender(config) if config.viber.token else None
