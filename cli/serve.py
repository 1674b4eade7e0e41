"""Building and running the processes: the web app (admin, web chat, webhooks), the
Telegram poller and the scheduler. Each process composes only what it runs."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import click
from flask import Flask

from core.config import Config
from core.interfaces import FileStore

log = logging.getLogger("brigadir")


def build_web_app(config: Config, store: FileStore) -> Flask:
    """The admin with the web chat and, when their tokens are set, the messenger webhooks."""
    from admin.app import create_app
    from bots import web
    from bots.flows import Deps

    app = create_app(config, file_store=store)
    app.register_blueprint(web.make_blueprint(config, store), url_prefix="/chat")
    csrf = app.extensions["csrf"]
    if config.telegram.token and config.telegram.mode == "webhook":
        from bots import telegram

        bp = telegram.make_blueprint(config, store)
        csrf.exempt(bp)  # Telegram proves itself with the secret token header instead
        app.register_blueprint(bp, url_prefix="/telegram")
    if config.viber.token:
        from bots.viber.webhook import viber_blueprint

        bp = viber_blueprint(config, Deps(store=store, config=config))
        csrf.exempt(bp)  # Viber signs the body (X-Viber-Content-Signature) instead
        app.register_blueprint(bp)
    return app


def build_scheduler(config: Config, store: FileStore) -> Any:
    from bots.email.mailboxes import build_poller
    from scheduler.app import build_scheduler as build
    from scheduler.transports import build_transports

    return build(
        config, build_transports(config), store=store, mail_poller=build_poller(config, store)
    )


def serve_web(app: Flask, host: str, port: int) -> Any:
    """A threaded werkzeug server in a background thread (the laptop / small VPS setup)."""
    from werkzeug.serving import make_server

    try:
        server = make_server(host, port, app, threaded=True)
    except OSError as exc:  # EADDRINUSE and friends: say it in one line, in Russian
        raise click.ClickException(
            f"Не удалось открыть {host}:{port} ({exc.strerror or exc}). Порт занят? "
            "Укажите другой в [web] port или переменной BRIGADIR_WEB_PORT."
        ) from None
    threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
    return server


def serve_gunicorn(config: Config, workers: int, build: Any) -> None:
    """Production web: gunicorn workers, each building its own app (no shared connections)."""
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{config.web.host}:{config.web.port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")

        def load(self) -> Flask:
            return build()

    Application().run()


def run_polling(config: Config, store: FileStore, stop: threading.Event | None = None) -> None:
    """Telegram long polling until interrupted (or until `stop` is set)."""
    from bots.telegram import run_polling as poll

    async def main() -> None:
        task = asyncio.create_task(poll(config, store))
        while not task.done():
            if stop is not None and stop.is_set():
                task.cancel()
            await asyncio.sleep(0.5)
        if not task.cancelled():
            task.result()

    try:
        asyncio.run(main())
    except asyncio.CancelledError:
        pass
