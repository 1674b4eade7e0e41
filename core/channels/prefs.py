"""The firm's order of channels (Настройки) and what each client chose to receive."""

from __future__ import annotations

from core.access import Actor, require_role
from core.base import settings
from core.base.errors import ValidationError

__all__ = [
    "CLIENT_CHANNELS",
    "MODES",
    "POLLABLE",
    "RUSSIA_TODAY",
    "channel_mode",
    "channel_order",
    "save_channel_order",
    "save_modes",
]

# Channels a client can be reached on, in the default order for Russia today: MAX is
# preinstalled and growing, Telegram is slowed, VK works, then SMS and e-mail. Viber has been
# blocked since December 2024: only a firm that turns it on gets it (its clients use a VPN).
CLIENT_CHANNELS = ("max", "telegram", "vk", "viber", "sms", "email")
RUSSIA_TODAY = ("max", "telegram", "vk", "sms", "email")
KEY = "channel_order"


def channel_order(default: tuple[str, ...] = RUSSIA_TODAY) -> tuple[str, ...]:
    """The order the director saved in Настройки, else `default` (the config file's)."""
    saved = settings.get(KEY)
    if isinstance(saved, list) and saved:
        return tuple(c for c in saved if c in CLIENT_CHANNELS)
    return tuple(default)


def save_channel_order(actor: Actor, order: list[str]) -> tuple[str, ...]:
    """Save the firm's order: the channels used, best first (a channel left out is not used
    for clients). Refused with a Russian message when empty, unknown or repeated."""
    require_role(actor, "director")
    cleaned = [str(c).strip().lower() for c in order if str(c).strip()]
    unknown = [c for c in cleaned if c not in CLIENT_CHANNELS]
    if unknown:
        raise ValidationError(f"Нет такого канала: {', '.join(unknown)}.")
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError("Каждый канал можно поставить в порядок только один раз.")
    if not cleaned:
        raise ValidationError("Оставьте хотя бы один канал — иначе клиентам нечем писать.")
    settings.put(KEY, cleaned)
    return tuple(cleaned)


# Channels that either poll the platform (no public address needed) or take its webhook.
POLLABLE = ("telegram", "max", "vk")
MODES = {"polling": "опрос (без внешнего адреса)", "webhook": "вебхук (нужен защищённый адрес)"}
MODES_KEY = "channel_modes"


def channel_mode(channel: str, default: str = "polling") -> str:
    """polling | webhook for `channel`: Настройки's choice, else `default` (the config's)."""
    saved = settings.get(MODES_KEY) or {}
    mode = saved.get(channel) if isinstance(saved, dict) else None
    return mode if mode in MODES else default


def save_modes(actor: Actor, modes: dict[str, str]) -> dict[str, str]:
    """Save webhook or polling per channel (takes effect at the next start)."""
    require_role(actor, "director")
    cleaned = {}
    for channel, mode in modes.items():
        if channel not in POLLABLE:
            raise ValidationError(f"Нет такого канала: {channel}.")
        if mode not in MODES:
            raise ValidationError(f"{channel}: выберите опрос или вебхук.")
        cleaned[channel] = mode
    settings.put(MODES_KEY, cleaned)
    return cleaned
