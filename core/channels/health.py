"""Channel health: works / slow / failing / not set up, from real results.

Every process that talks to a platform reports here: the deliverer after each send, the
pollers, the webhooks' replies, the periodic check. Only channel-side failures count (the
platform unreachable, refusing the firm's token, answering 5xx); a person who blocked the
bot is that person's problem, not the channel's. A channel is failing after one hard
failure (no address, refused, timeout, wrong token) or FAIL_AFTER soft ones in a row, and
works again after one success. The transitions are compare-and-set updates, so with
several processes reporting at once the director is told exactly once each way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.base.clock import format_datetime, utcnow
from core.base.config import Config
from core.base.db import database
from core.channels.models import ChannelState
from core.conversations import outbox
from core.conversations.models import Notification
from core.people.models import Employee

__all__ = [
    "CHANNELS",
    "HARD",
    "NAMES",
    "STATE_NAMES",
    "Health",
    "board",
    "configured_channels",
    "down",
    "record_failure",
    "record_ok",
]

# Every outside service the product talks to, in the order the dashboard lists them.
CHANNELS = ("max", "telegram", "vk", "viber", "sms", "email", "imap", "yadisk", "yookassa", "pbx")
NAMES = {
    "max": "MAX", "telegram": "Telegram", "vk": "ВКонтакте", "viber": "Viber", "sms": "SMS",
    "email": "Почта (отправка)", "imap": "Почта (приём)", "yadisk": "Яндекс Диск",
    "yookassa": "ЮKassa", "web": "Веб-чат", "pbx": "Телефония",
}  # fmt: skip
STATE_NAMES = {"ok": "работает", "slow": "медленно", "failing": "не работает", "off": "не настроен"}
HARD = frozenset({"dns", "refused", "timeout", "auth", "tls", "money"})
FAIL_AFTER = 2  # soft failures in a row (5xx, a dropped connection) before failing
SLOW_SECONDS = 4.0  # a moving average of successful calls above this is "slow"
QUIET_SECONDS = 10.0  # a healthy channel's success is written at most this often


@dataclass(frozen=True)
class Health:
    """One line of the dashboard's channel table."""

    channel: str
    name: str
    state: str  # ok | slow | failing | off
    state_name: str
    since: datetime | None
    last_error: str
    last_error_at: datetime | None


def _row(channel: str) -> ChannelState:
    ChannelState.insert(channel=channel).on_conflict_ignore().execute()
    return ChannelState.get(ChannelState.channel == channel)


def record_failure(channel: str, error: str, kind: str = "network") -> str:
    """A channel-side failure; returns the channel's state after it. Tells the directors
    when this failure is the one that made it failing."""
    now = utcnow()
    with database.atomic():
        _row(channel)
        ChannelState.update(
            failures=ChannelState.failures + 1, last_error=error[:1000], last_error_at=now,
            checked_at=now,
        ).where(ChannelState.channel == channel).execute()  # fmt: skip
        row = ChannelState.get(ChannelState.channel == channel)
        if row.state == "failing":
            return "failing"
        if kind not in HARD and row.failures < FAIL_AFTER:
            return row.state
        changed = (
            ChannelState.update(state="failing", since=now)
            .where((ChannelState.channel == channel) & (ChannelState.state != "failing"))
            .execute()
        )
        if changed:
            _tell_directors(channel, f"down:{now.isoformat()}", _down_text(channel, error))
    return "failing"


def record_ok(channel: str, seconds: float = 0.0) -> str:
    """A successful call that took `seconds`; returns the channel's state after it. Tells
    the directors when the channel comes back from failing."""
    now = utcnow()
    row = ChannelState.get_or_none(ChannelState.channel == channel)
    if (
        row is not None and row.state == "ok" and not row.failures and seconds < SLOW_SECONDS
        and row.last_ok_at is not None
        and (now - row.last_ok_at).total_seconds() < QUIET_SECONDS
    ):  # fmt: skip
        return "ok"  # fine a moment ago and fine now: nothing new to write
    with database.atomic():
        row = _row(channel)
        ms = seconds * 1000
        latency = round(ms if row.latency_ms == 0 else 0.7 * row.latency_ms + 0.3 * ms)
        state = "slow" if latency > SLOW_SECONDS * 1000 else "ok"
        ChannelState.update(failures=0, last_ok_at=now, checked_at=now, latency_ms=latency).where(
            ChannelState.channel == channel
        ).execute()
        if row.state == "failing":
            changed = (
                ChannelState.update(state=state, since=now)
                .where((ChannelState.channel == channel) & (ChannelState.state == "failing"))
                .execute()
            )
            if changed:
                text = (
                    f"{NAMES.get(channel, channel)} снова работает (не работал с "
                    f"{format_datetime(row.since)}). Сообщения снова идут через него."
                )
                _tell_directors(channel, f"up:{row.since.isoformat()}", text)
        elif row.state != state:
            ChannelState.update(state=state, since=now).where(
                (ChannelState.channel == channel) & (ChannelState.state == row.state)
            ).execute()
    return state


def down() -> set[str]:
    """The channels failing now (new messages skip them while another channel is left)."""
    query = ChannelState.select(ChannelState.channel).where(ChannelState.state == "failing")
    return {row.channel for row in query}


def board(configured: list[str] | set[str]) -> list[Health]:
    """Every channel the product knows, with its state ("не настроен" when the firm has not
    set it up) and its last error, for the dashboard."""
    rows = {row.channel: row for row in ChannelState.select()}
    lines = []
    for channel in CHANNELS:
        row = rows.get(channel)
        state = "off" if channel not in configured else (row.state if row else "ok")
        lines.append(Health(
            channel, NAMES[channel], state, STATE_NAMES[state],
            row.since if row and state != "off" else None,
            row.last_error if row and state != "off" else "",
            row.last_error_at if row and state != "off" else None,
        ))  # fmt: skip
    return lines


def configured_channels(config: Config) -> set[str]:
    """The outside services this firm has set up (a token, a host, a shop), by the config."""
    found = {name for name in ("telegram", "viber", "vk", "max") if getattr(config, name).token}
    sms = config.sms
    if (sms.provider == "smsru" and sms.api_id) or (
        sms.provider == "smsc" and sms.login and sms.password
    ) or (sms.provider == "http" and sms.url):  # fmt: skip
        found.add("sms")
    if (config.smtp.host and config.smtp.sender) or any(
        m.smtp_host and m.address for m in config.mailboxes
    ):
        found.add("email")
    if (config.imap.host and config.imap.user) or any(m.imap_host for m in config.mailboxes):
        found.add("imap")
    if config.storage.backend == "yadisk" and config.storage.yadisk_token:
        found.add("yadisk")
    if config.yookassa.shop_id:
        found.add("yookassa")
    from core.base import settings

    if settings.value("calls.provider"):  # the cloud PBX (core.calls) is the web's setting
        found.add("pbx")
    return found


def _down_text(channel: str, error: str) -> str:
    name = NAMES.get(channel, channel)
    return (
        f"{name} не работает: {error}. Пока он не заработает, сообщения клиентам и сотрудникам "
        f"идут следующим каналом по порядку из Настроек. Когда {name} заработает, я сообщу."
    )


def _tell_directors(channel: str, what: str, text: str) -> None:
    for director in Employee.select().where((Employee.role == "director") & Employee.active):
        key = f"channel:{channel}:{what}:{director.id}"[:200]
        if not Notification.select().where(Notification.idempotency_key == key).exists():
            outbox.notify_staff(director, text, key=key)
