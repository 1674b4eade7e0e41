"""Building and running the processes: the web app (admin, web chat, webhooks), the
Telegram poller and the scheduler. Each process composes only what it runs."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask

from cli.context import Refused
from core.base.config import Config
from core.base.interfaces import FileStore

log = logging.getLogger("brigadir")


MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter number


def cap_malloc_arenas() -> None:
    """At most MALLOC_ARENAS glibc malloc arenas (as MALLOC_ARENA_MAX=2 would), called
    before any thread starts. The threaded web server serves each request in a new thread;
    glibc gives threads arenas of their own (up to 8 per core) and keeps what a request
    freed there — a SQLite page cache, a rendered page — so resident memory crept up by
    each arena's high-water mark. An explicit MALLOC_ARENA_MAX in the environment wins."""
    import ctypes
    import ctypes.util
    import os

    if os.environ.get("MALLOC_ARENA_MAX"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_ARENA_MAX, MALLOC_ARENAS)
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to cap
        log.debug("mallopt unavailable; malloc arenas left as they are")


def build_web_app(config: Config, store: FileStore) -> Flask:
    """The admin with the web chat and, when their tokens are set, the messenger webhooks."""
    from admin.app import create_app
    from bots import web
    from bots.flows import Deps

    app = create_app(config, file_store=store)
    app.register_blueprint(web.make_blueprint(config, store), url_prefix="/chat")
    csrf = app.extensions["csrf"]
    from bots.web import widget

    site_chat = widget.make_blueprint(config, store)  # /widget.js for the firm's own site
    app.register_blueprint(site_chat)
    csrf.exempt(site_chat)  # cross-site by design: the origin list and the cookie stand in
    from bots.phone.webhook import make_blueprint as pbx_blueprint

    pbx = pbx_blueprint()  # always there: the PBX is chosen in the admin, not in the file
    csrf.exempt(pbx)  # the PBX signs each request instead
    app.register_blueprint(pbx)
    if config.telegram.token and config.telegram.mode == "webhook":
        from bots import telegram
        from bots.telegram.webhook import URL_PREFIX

        bp = telegram.make_blueprint(config, store)
        csrf.exempt(bp)  # Telegram proves itself with the secret token header instead
        app.register_blueprint(bp, url_prefix=URL_PREFIX)
    if config.viber.token:
        from bots.viber.webhook import viber_blueprint

        bp = viber_blueprint(config, Deps(store=store, config=config))
        csrf.exempt(bp)  # Viber signs the body (X-Viber-Content-Signature) instead
        app.register_blueprint(bp)
    if config.vk.token:
        from bots.vk.webhook import make_blueprint as vk_blueprint

        bp = vk_blueprint(config, store)
        csrf.exempt(bp)  # VK proves itself with the Callback API secret key instead
        app.register_blueprint(bp)
    if config.max.token:
        from bots.maxbot.webhook import make_blueprint as max_blueprint

        bp = max_blueprint(config, store)
        csrf.exempt(bp)  # MAX proves itself with the subscription's secret header instead
        app.register_blueprint(bp)
    return app


def register_telegram_webhook(config: Config) -> str:
    """Webhook mode: tell Telegram where to post updates, once per start (not per web
    worker). A refusal (say, an http:// base_url) is reported, not fatal: the admin and
    the other channels still work. Returns one line for the console."""
    import requests

    from bots.telegram import register_webhook
    from bots.telegram.api import TelegramApiError
    from bots.telegram.webhook import webhook_url

    url = webhook_url(config)
    try:
        register_webhook(config)
    except (TelegramApiError, requests.RequestException) as exc:
        log.error("telegram: setWebhook %s failed: %s", url, exc)
        return f"Telegram не принял вебхук {url}: {exc}. Проверьте [app] base_url (нужен https)."
    log.info("telegram: webhook set to %s", url)
    return f"Telegram: вебхук {url}"


def build_scheduler(config: Config, store: FileStore) -> Any:
    from bots.email.mailboxes import build_poller
    from scheduler.app import build_scheduler as build
    from scheduler.transports import build_transports

    return build(
        config,
        build_transports(config),
        store=store,
        mail_poller=build_poller(config, store),
        nightly_backup=_nightly_backup(config),
    )


def _nightly_backup(config: Config) -> Any:
    """The scheduler's backup job, wired to the archive maker (None when switched off)."""
    if not config.backup.nightly:
        return None
    from cli.backup import take_backup
    from cli.backup.snapshot import copies_remote
    from scheduler.backups import NightlyBackup

    remote = copies_remote(config) if config.backup.yadisk_copy else None
    return NightlyBackup(config, lambda target: take_backup(config, target), remote).run_once


WEB_THREADS = 8


class WebServer:
    """waitress serving the app from a background thread: `server_port` is the port it
    listens on (0 asked: the one the system gave), `shutdown()` stops it."""

    def __init__(self, server: Any) -> None:
        self._server = server
        self.server_port = int(server.effective_port)
        self._thread = threading.Thread(target=server.run, name="web", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        self._server.task_dispatcher.shutdown(cancel_pending=False, timeout=5)
        self._server.close()
        self._thread.join(timeout=5)


def serve_web(app: Flask, host: str, port: int) -> WebServer:
    """The one-process web server of `brigadir run` (a laptop or a small VPS): waitress with
    a fixed pool of threads, never Werkzeug's development server. It names no server in its
    answers; the client's address behind a proxy is core.base.security.client_address."""
    from waitress.server import create_server

    try:
        server = create_server(
            app,
            host=host,
            port=port,
            threads=WEB_THREADS,
            ident="",
            clear_untrusted_proxy_headers=False,
        )
    except OSError as exc:  # EADDRINUSE and friends: say it in one line, in Russian
        raise Refused(
            f"Не удалось открыть {host}:{port} ({exc.strerror or exc}). Порт занят? "
            "Укажите другой в [web] port или переменной BRIGADIR_WEB_PORT."
        ) from None
    return WebServer(server)


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
    """Telegram long polling until interrupted (or until `stop` is set). The poller
    removes a webhook left from webhook mode before its first getUpdates; Telegram being
    unreachable is waited out (bots.telegram.bot.poll_until), never a reason to stop."""
    from bots.telegram.bot import poll_until

    poll_until(config, store, stop or threading.Event())
