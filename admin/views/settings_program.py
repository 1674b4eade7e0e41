"""Настройки → Программа: every setting of the registry (core/base/settings.py), a page a
group. A value config.toml sets is shown read-only; a wrong value is named beside its field
and nothing is saved; a setting that applies only at start says so."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from markupsafe import Markup, escape

from admin.auth import current_actor
from admin.base import BrigadirView
from core.access import require_role
from core.base import runtime, settings
from storage.yandex_oauth import OAuthRefused, authorize_url, exchange

__all__ = ["ProgramSettingsView", "check_channel", "form_values", "literal"]

# The settings pages of a channel: saving one asks the platform at once (a live check).
CHANNEL_OF_GROUP = {"telegram": "telegram", "max": "max", "vk": "vk", "viber": "viber",
                    "mail": "email", "sms": "sms"}  # fmt: skip


def literal(text: str) -> Markup:
    """Escaped text with `backticked` parts as <code>: a name typed as it stands (a server,
    a bot's name, a command) reads as such, not as a word of the page."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text or ""))))


def form_values(group: str) -> dict[str, object]:
    """What the form of a group sent, by setting key (a checkbox not sent is "off")."""
    sent = {}
    for key in request.form.getlist("on_page"):
        item = settings.fields().get(key)
        if item is None or item.group != group:
            continue
        sent[key] = request.form.get(f"set:{key}", "" if item.kind.widget != "checkbox" else "")
    return sent


def rows(group: str, sent: dict[str, object] | None = None) -> list[dict[str, object]]:
    """What the template shows of each setting of a group."""
    stored = settings.stored()
    found = []
    for key, item in settings.fields().items():
        if item.group != group:
            continue
        is_pinned, pinned = settings.pinned_value(key)
        current = pinned if is_pinned else stored.get(key, item.default)
        shown = item.kind.show(current).replace("`", "")
        if sent is not None and key in sent and item.kind.widget != "password":
            shown = str(sent[key])
        found.append({
            "key": key, "item": item, "pinned": is_pinned, "shown": shown,
            "checked": bool(sent[key]) if sent is not None and key in sent else bool(current),
            "has_secret": bool(current), "value": current,
        })  # fmt: skip
    return found


class ProgramSettingsView(BrigadirView):
    roles = ("director",)

    @expose("/", methods=["GET"])
    def index(self):
        return redirect(url_for(".group", group=next(iter(settings.GROUPS))))

    @expose("/<group>/", methods=["GET", "POST"])
    def group(self, group: str):
        settings.fields()
        if group not in settings.GROUPS:
            abort(404)
        errors: dict[str, str] = {}
        sent = None
        if request.method == "POST":
            require_role(current_actor(), "director")
            sent = form_values(group)
            try:
                changed = settings.save(sent)
            except settings.SettingsInvalid as exc:
                errors = exc.errors
                elsewhere = [m for k, m in errors.items() if k not in sent]
                flash(" ".join(["Не сохранено: исправьте отмеченные поля.", *elsewhere]), "error")
            else:
                self._said(changed)
                if changed:
                    check_channel(group)
                return redirect(url_for(".group", group=group))
        return self.render(
            "brigadir/program_settings.html", groups=settings.GROUPS, group=group,
            rows=rows(group, sent if errors else None), errors=errors,
            config_file=runtime.file_config().path or "config.toml", lit=literal,
            yandex_link=authorize_url(runtime.config()) if group == "storage" else "",
        )  # fmt: skip

    @expose("/storage/yandex/", methods=["POST"])
    def yandex_code(self):
        """The code Yandex showed the director, traded for the Disk's token (stored sealed)."""
        require_role(current_actor(), "director")
        try:
            token = exchange(runtime.config(), request.form.get("code", ""))
            settings.save({"storage.yadisk_token": token})
        except (OAuthRefused, settings.SettingsInvalid) as exc:
            flash(str(exc), "error")
        else:
            flash("Яндекс Диск подключён.", "success")
        return redirect(url_for(".group", group="storage"))

    @staticmethod
    def _said(changed: dict[str, object]) -> None:
        if not changed:
            flash("Ничего не изменилось.", "info")
            return
        known = settings.fields()
        later = [known[k].label for k in changed if not known[k].live]
        flash("Настройки сохранены.", "success")
        if later:
            flash(
                "Вступит в силу после перезапуска — «brigadir run» перезапустится сам в течение "
                "нескольких секунд: " + ", ".join(later) + ".",
                "warning",
            )


def check_channel(group: str) -> None:
    """After a channel's settings are saved: its light check (Telegram getMe, MAX /me, VK
    groups.getById, the SMS balance, an SMTP login), said at once in Russian — a wrong token
    is seen now, not when a client's message fails."""
    from bots.transports import build_transports
    from core.base.interfaces import DeliveryError
    from core.channels.health import NAMES
    from core.channels.outage import outage

    channel = CHANNEL_OF_GROUP.get(group)
    if channel is None:
        return
    name = NAMES.get(channel, channel)
    try:
        sender = build_transports(runtime.config(), only=(channel,)).get(channel)
        if sender is None or not callable(getattr(sender, "probe", None)):
            return  # not set up (no token yet): nothing to ask
        sender.probe()
    except DeliveryError as exc:
        if not exc.outage:  # it answered, only not about us: the channel works
            flash(f"Проверка: {name} отвечает.", "success")
            return
        flash(f"Проверка не прошла. {exc}", "error")
    except Exception as exc:  # noqa: BLE001 - an adapter's surprise is the check's failure
        flash(f"Проверка не прошла. {outage(name, exc)}", "error")
    else:
        flash(f"Проверка: {name} отвечает, настройки верны.", "success")
