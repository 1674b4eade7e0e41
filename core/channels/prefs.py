"""The firm's order of channels (Настройки) and what each client chose to receive."""

from __future__ import annotations

from core.access import Actor, require_role
from core.base import runtime, settings
from core.base.errors import ValidationError

__all__ = [
    "CLIENT_CHANNELS",
    "MODES",
    "POLLABLE",
    "RUSSIA_TODAY",
    "WEBHOOK_ONLY",
    "channel_mode",
    "channel_order",
    "save_channel_order",
    "save_modes",
    "usable_channels",
]

# Channels a client can be reached on, in the default order for Russia today: MAX is
# preinstalled and growing, Telegram is slowed, VK works, then SMS and e-mail. Viber has been
# blocked since December 2024: only a firm that turns it on gets it (its clients use a VPN).
CLIENT_CHANNELS = ("max", "telegram", "vk", "viber", "sms", "email")
RUSSIA_TODAY = ("max", "telegram", "vk", "sms", "email")
# The order is one setting of the registry (core.base.setting_fields): Настройки → Каналы
# связи, Настройки → Сообщения клиентам and config.toml [notify] fallback are the same value.
KEY = "notify.fallback"


def channel_order(
    default: tuple[str, ...] = RUSSIA_TODAY, *, pinned: bool = False
) -> tuple[str, ...]:
    """The order in force, read at each use: the director's from Настройки, else `default`
    (the config file's, whose default is Russia today's). `pinned`: config.toml sets it, and
    the file wins (Настройки shows it, not editable)."""
    saved = None if pinned else settings.get(KEY)
    if isinstance(saved, list) and saved:
        return tuple(c for c in saved if c in CLIENT_CHANNELS)
    return tuple(default)


def save_channel_order(actor: Actor, order: list[str]) -> tuple[str, ...]:
    """Save the firm's order: the channels used, best first (a channel left out is not used
    for clients). Refused with a Russian message when empty, unknown, repeated or pinned in
    config.toml; nothing is written then."""
    require_role(actor, "director")
    if not [c for c in order if str(c).strip()]:
        raise ValidationError("Оставьте хотя бы один канал — иначе клиентам нечем писать.")
    settings.save({KEY: [str(c).strip().lower() for c in order]})
    return tuple(settings.value(KEY))


def usable_channels() -> set[str]:
    """The channels this firm can reach clients on now: set up (a token, a gateway, a mail
    server) and in its order, and the web chat — what the deliverer will try."""
    from core.channels.health import configured_channels

    config = runtime.config()
    order = channel_order(config.notify.fallback, pinned="notify.fallback" in config.pinned)
    return (configured_channels(config) & set(order)) | {"web"}


# How each messenger receives: Telegram polls the platform (no public address needed) or
# takes its webhook (telegram.mode of the registry). MAX and VK take only their webhooks.
POLLABLE = ("telegram",)
WEBHOOK_ONLY = ("max", "vk", "viber")
MODES = {"polling": "опрос (без внешнего адреса)", "webhook": "вебхук (нужен защищённый адрес)"}


def channel_mode(channel: str) -> str:
    """polling | webhook: how `channel` receives messages, as the processes start it."""
    if channel in WEBHOOK_ONLY:
        return "webhook"
    return settings.value(f"{channel}.mode") if channel in POLLABLE else "polling"


def save_modes(actor: Actor, modes: dict[str, str]) -> dict[str, str]:
    """Save webhook or polling per channel (takes effect at the next start); a pinned value
    that is not changed is left alone."""
    require_role(actor, "director")
    changes = {}
    for channel, mode in modes.items():
        if channel not in POLLABLE:
            raise ValidationError(f"Нет такого канала: {channel}.")
        if mode not in MODES:
            raise ValidationError(f"{channel}: выберите опрос или вебхук.")
        if mode != channel_mode(channel):
            changes[f"{channel}.mode"] = mode
    if changes:
        settings.save(changes)
    return {c: channel_mode(c) for c in modes}
