"""The configuration a process runs with, set once by its composition root.

`file_config()` is what config.toml and the environment say; `config()` is that with the
director's Настройки overlaid (core.base.settings) where the file is silent. The overlay is read
from the database on `refresh()`: after the database opens, after each save, and when a
watcher sees another process save (cli/restart.py)."""

from __future__ import annotations

import logging

from core.base import clock
from core.base.config import Config, overlay

__all__ = ["company", "config", "file_config", "init", "opened", "refresh"]

log = logging.getLogger(__name__)

_config: Config | None = None
_effective: Config | None = None


def init(config: Config) -> None:
    global _config, _effective
    _config = config
    _effective = None
    clock.set_zone(config.app.timezone)


def file_config() -> Config:
    if _config is None:  # tests and scripts that never called init get the defaults
        init(Config())
    assert _config is not None
    return _config


def config() -> Config:
    if _effective is None:
        refresh()
    return _effective or file_config()


def refresh() -> Config:
    """Read the web's values again (the file's stay as they were)."""
    global _effective
    base = file_config()
    from core.base import db
    from core.base.models import Setting

    if db.database.obj is None:  # not open yet: the file alone, asked again next time
        return base
    try:
        # Only "section.key" rows can be config.toml's; overlay passes over any it does not know.
        rows = Setting.select().where(Setting.key.contains(".")) if Setting.table_exists() else []
        values = {row.key: opened(row.value) for row in rows if row.value is not None}
        values = {k: v for k, v in values.items() if v is not None}
    except Exception as exc:  # noqa: BLE001 - no table yet, database down: the file alone
        log.debug("settings not read: %s", exc)
        values = {}
    _effective = overlay(base, values) if values else base
    clock.set_zone(_effective.app.timezone)
    return _effective


def opened(value: object) -> object:
    """A stored setting as the code uses it: a sealed token is opened with this install's
    secret key (None when another install sealed it: the director types it again)."""
    if isinstance(value, dict) and set(value) == {"sealed"}:
        from core.base.security import unseal

        return unseal(str(value["sealed"]), file_config().app.secret_key)
    return value


def company() -> dict[str, object]:
    """Company requisites in force (the file's where it sets them, else the director's)."""
    from dataclasses import asdict

    return asdict(config().company)
