"""Settings saved in the web reach the running processes.

Every few seconds a long-running command (`brigadir run`, `web`, `scheduler`, `bots`) reads the
stored settings: a change of a live one is taken at once (runtime.refresh); a change of one that
only applies at start (a bot token, the web port) makes the process stop in order and start
itself again with the same command line — the page that saved it says so. Under systemd the
process keeps its unit (exec keeps the pid)."""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Any

from core.base import db, runtime, settings

__all__ = ["SettingsWatch", "exec_again"]

log = logging.getLogger("brigadir")
EVERY_SECONDS = 3.0


class SettingsWatch:
    def __init__(self, every: float = EVERY_SECONDS):
        self.every = every
        self.seen = self._read()
        self.at_start = self._needs_restart(self.seen)
        self.restart = threading.Event()

    @staticmethod
    def _read() -> dict[str, Any]:
        try:
            return settings.stored()
        finally:
            db.release()  # the watcher's thread keeps no connection between looks

    @staticmethod
    def _needs_restart(values: dict[str, Any]) -> dict[str, Any]:
        known = settings.fields()
        return {k: v for k, v in values.items() if k in known and not known[k].live}

    def poll(self) -> bool:
        """Look once; True when a setting that applies only at start has changed."""
        values = self._read()
        if values != self.seen:
            self.seen = values
            runtime.refresh()
            db.release()
        changed = sorted(
            k
            for k in set(self._needs_restart(values)) | set(self.at_start)
            if self._needs_restart(values).get(k) != self.at_start.get(k)
        )
        if changed:
            log.info("settings changed (%s): restarting to apply them", ", ".join(changed))
        return bool(changed)

    def start(self, stop: threading.Event) -> threading.Thread:
        """Watch until `stop`; on a restart-only change set `self.restart` and `stop`."""

        def loop() -> None:
            while not stop.wait(self.every):
                try:
                    if self.poll():
                        self.restart.set()
                        stop.set()
                        return
                except Exception:  # noqa: BLE001 - a database hiccup: look again next time
                    log.warning("settings watch: could not read the settings", exc_info=True)

        thread = threading.Thread(target=loop, name="settings-watch", daemon=True)
        thread.start()
        return thread


def exec_again() -> None:
    """Replace this process with the same command (after an orderly stop)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
