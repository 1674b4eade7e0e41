"""The cloud PBX adapters (Novofon, Mango Office): webhooks in, API calls out.

`pbx()` gives the provider chosen in Настройки → Телефония (None when none is)."""

from __future__ import annotations

from typing import Any

from bots.phone.mango import MangoPbx
from bots.phone.novofon import NovofonPbx
from core.calls import options

__all__ = ["pbx"]


def pbx(settings: dict[str, Any] | None = None) -> NovofonPbx | MangoPbx | None:
    settings = settings or options.telephony()
    if settings["provider"] == "novofon" and settings["novofon_key"]:
        return NovofonPbx(
            settings["novofon_key"], settings["novofon_secret"], settings["novofon_url"]
        )
    if settings["provider"] == "mango" and settings["mango_key"]:
        return MangoPbx(settings["mango_key"], settings["mango_salt"], settings["mango_url"])
    return None
