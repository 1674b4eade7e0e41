"""The viberbot client, pointed at the configured API base, and Reply -> Viber messages."""

from __future__ import annotations

import json
import types

import requests
from viberbot import Api, BotConfiguration
from viberbot.api.messages import KeyboardMessage, TextMessage

from bots.flows.types import Reply
from core.base.config import Config

__all__ = ["PAYLOAD_PREFIX", "keyboard", "make_api", "to_messages"]

# A pressed button comes back as an ordinary text message whose text is the button's
# ActionBody; the prefix tells a button from something the person typed.
PAYLOAD_PREFIX = "btn:"
MAX_ROWS = 12
TIMEOUT = 15  # Viber draws at most 12 rows of buttons


def make_api(config: Config) -> Api:
    viber = config.viber
    api = Api(BotConfiguration(name=viber.name[:28], avatar=viber.avatar, auth_token=viber.token))
    # viberbot copies its module-level URL at construction; the instance attribute is
    # the one place that decides where requests go (tests: a fake on 127.0.0.1).
    api._request_sender._viber_bot_api_url = viber.api_base.rstrip("/")
    api._request_sender.post_request = types.MethodType(_post_request, api._request_sender)
    api._request_sender._brigadir_timeout = (  # connect, answer
        min(3.0, config.notify.platform_timeout),
        config.notify.platform_timeout,
    )
    return api


def _post_request(sender, endpoint: str, payload: str) -> dict:
    """viberbot's own post_request has no timeout (a hung API would hang the deliverer)
    and logs the payload, auth token included, on every error. Same contract otherwise."""
    response = requests.post(
        f"{sender._viber_bot_api_url}/{endpoint}",
        data=payload,
        headers={
            "User-Agent": sender._user_agent,
            "X-Viber-Auth-Token": sender._bot_configuration.auth_token,
        },
        timeout=getattr(sender, "_brigadir_timeout", TIMEOUT),
    )
    response.raise_for_status()
    return json.loads(response.text)


def keyboard(buttons: list[list[tuple[str, str]]], menu: list[list[str]] | None = None,
             ask_contact: bool = False) -> dict | None:  # fmt: skip
    """Inline choices (payload buttons) and menu labels as one Viber keyboard."""
    rows: list[list[dict]] = []
    for row in buttons:
        rows.append([{"ActionType": "reply", "ActionBody": PAYLOAD_PREFIX + p, "Text": label}
                     for label, p in row])  # fmt: skip
    for labels in menu or []:
        rows.append(
            [{"ActionType": "reply", "ActionBody": label, "Text": label} for label in labels]
        )
    if ask_contact:
        rows.append(
            [{"ActionType": "share-phone", "ActionBody": "phone", "Text": "📱 Отправить мой номер"}]
        )
    if not rows:
        return None
    flat = []
    for row in rows[:MAX_ROWS]:
        width = max(1, 6 // len(row))
        flat += [{**b, "Columns": width, "Rows": 1, "TextSize": "regular"} for b in row[:6]]
    return {
        "Type": "keyboard",
        "DefaultHeight": False,
        "InputFieldState": "regular",
        "Buttons": flat,
    }


def to_messages(reply: Reply, share_link: str | None = None) -> list:
    """One Reply as Viber messages. Viber sends files only by public URL: a file with no
    shareable link is announced in the text instead of being dropped silently."""
    text = reply.text
    if reply.file is not None:
        text += f"\n\n📎 {reply.file.name}" + (
            f": {share_link}" if share_link else " (в веб-кабинете)"
        )
    kb = keyboard(reply.buttons, reply.menu, reply.ask_contact)
    message = TextMessage(
        text=text[:7000], keyboard=kb, min_api_version=3 if reply.ask_contact else None
    )
    return [message] if text.strip() else ([KeyboardMessage(keyboard=kb)] if kb else [])
