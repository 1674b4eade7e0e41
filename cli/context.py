"""Reading the configuration and opening the database, once per process."""

from __future__ import annotations

import os
from pathlib import Path

import click

from core.base import db, runtime
from core.base.config import Config, ConfigError, load_config

DEFAULT_CONFIG = "config.toml"


class Refused(click.ClickException):
    """A command that refuses says why in Russian and nothing else: click's own ClickException
    would print its English "Error: " first. Exit code 1, on stderr, like click's."""

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(self.format_message(), file=file, err=True)


def config_path(explicit: str | None) -> str | None:
    """--config, else $BRIGADIR_CONFIG, else ./config.toml when present, else defaults only."""
    path = explicit or os.environ.get("BRIGADIR_CONFIG")
    if path:
        return path
    return DEFAULT_CONFIG if Path(DEFAULT_CONFIG).exists() else None


def open_config(explicit: str | None) -> Config:
    try:
        config = load_config(config_path(explicit))
    except ConfigError as exc:
        raise Refused(f"Ошибка настроек: {exc}") from None
    runtime.init(config)
    return config


def open_database(config: Config) -> None:
    if config.database_url.startswith("sqlite:///"):
        config.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        db.connect(config.database_url)
    except Exception as exc:  # noqa: BLE001 - any driver error: say which database, stop
        raise Refused(f"Не удалось подключиться к базе {config.database_url}: {exc}") from None
