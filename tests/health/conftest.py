from __future__ import annotations

from tests.scheduler.conftest import client_tg  # noqa: F401 - the same client and order
