"""Settings → Каналы связи: the firm's order of channels (a place number each, empty for
not used; Viber only when turned on), webhook or polling per messenger, and what each
channel needs. Rules: core.channels.prefs; health: core.channels.health."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import expose

from admin.auth import current_actor
from core.base import runtime
from core.base.db import database
from core.base.errors import ValidationError
from core.channels import health, prefs

__all__ = ["ChannelsMixin", "NEEDS"]

# What each channel needs, in the director's words (README «Каналы связи» has the same table).
NEEDS = {
    "max": ("токен бота из бизнес-кабинета MAX (юрлицо или ИП)", "да: вебхук (опроса пока нет)", "да — клиент пишет первым"),
    "telegram": ("токен бота от «Отца ботов» в Telegram", "нет: опрос", "да — клиент нажимает «Старт»"),
    "vk": ("ключ доступа сообщества и его номер", "да: только вебхук (опроса пока нет)", "да — клиент пишет первым"),
    "viber": ("токен бота; в России заблокирован", "да: только вебхук", "да"),
    "sms": ("договор со СМС-шлюзом (ключ, имя отправителя)", "нет", "нет"),
    "email": ("почтовый ящик: сервер отправки и сервер приёма", "нет", "нет"),
}  # fmt: skip


def _parse_order(form) -> list[str]:
    picked = []
    for index, channel in enumerate(prefs.CLIENT_CHANNELS):
        raw = (form.get(f"place_{channel}") or "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= 9:
            raise ValidationError(f"«{health.NAMES[channel]}»: место — число от 1 до 9 или пусто.")
        picked.append((int(raw), index, channel))
    return [channel for _place, _index, channel in sorted(picked)]


class ChannelsMixin:
    @expose("/channels/", methods=["GET", "POST"])
    def channels_view(self):
        actor = current_actor()
        config = runtime.config()
        if request.method == "POST":
            try:
                order = _parse_order(request.form)
                modes = {c: request.form.get(f"mode_{c}", "") for c in prefs.POLLABLE}
                with database.atomic():
                    prefs.save_channel_order(actor, order)
                    prefs.save_modes(actor, modes)
            except ValidationError as exc:
                flash(f"Не сохранено: {exc}", "error")
            else:
                flash("Порядок каналов сохранён. Способ получения (опрос или вебхук) — "
                      "со следующего запуска.", "success")  # fmt: skip
                return redirect(url_for(".channels_view"))
        order = prefs.channel_order(config.notify.fallback,
                                    pinned="notify.fallback" in config.pinned)  # fmt: skip
        return self.render(
            "brigadir/channels.html",
            channels=prefs.CLIENT_CHANNELS, names=health.NAMES, needs=NEEDS,
            places={c: order.index(c) + 1 for c in order},
            modes={c: prefs.channel_mode(c) for c in prefs.POLLABLE},
            mode_names=prefs.MODES, pollable=prefs.POLLABLE,
            board={h.channel: h for h in health.board(health.configured_channels(config))},
        )  # fmt: skip
