"""The configuration a process runs with, set once by its composition root."""

from __future__ import annotations

from core.base import clock
from core.base.config import Config

__all__ = ["company", "config", "init"]

_config: Config | None = None


def init(config: Config) -> None:
    global _config
    _config = config
    clock.set_zone(config.app.timezone)


def config() -> Config:
    if _config is None:  # tests and scripts that never called init get the defaults
        init(Config())
    assert _config is not None
    return _config


def company() -> dict[str, object]:
    """Company requisites: what the director entered in settings over the config file's."""
    from dataclasses import asdict

    from core.base import settings

    merged: dict[str, object] = asdict(config().company)
    merged.update({k: v for k, v in (settings.get("company") or {}).items() if v not in ("", None)})
    return merged
