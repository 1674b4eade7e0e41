"""The nightly sweep removes what has expired and nothing that is still in use."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import housekeeping
from core.base.clock import utcnow
from core.base.config import Config
from core.base.models import ProcessedUpdate
from core.clients.clients import create_client
from core.files.filelinks import link_for, resolve
from core.files.models import FileLink
from core.selfservice.models import PortalCode, PortalSession
from scheduler.app import build_scheduler


@pytest.fixture
def world_client(actors):
    return create_client(actors["manager"], "Портальный Клиент", "+79120000077")


def test_the_sweep_removes_expired_rows_only(db, world_client):
    now = utcnow()
    live_url, _ = link_for(None, "orders/1/счёт.pdf", "https://crm.example")
    dead = FileLink.create(token="dead-token", storage_key="orders/1/old.pdf",
                           expires_at=now - timedelta(minutes=1))  # fmt: skip
    PortalCode.create(client=world_client, code_hash="a" * 64, expires_at=now - timedelta(days=2))
    fresh_code = PortalCode.create(client=world_client, code_hash="b" * 64,
                                   expires_at=now + timedelta(minutes=10))  # fmt: skip
    PortalSession.create(token_hash="c" * 64, client=world_client, revoked_at=now)
    PortalSession.create(token_hash="d" * 64, client=world_client,
                               created_at=now - timedelta(days=3))  # fmt: skip
    current = PortalSession.create(token_hash="e" * 64, client=world_client)
    ProcessedUpdate.create(channel="telegram", key="1", at=now - timedelta(days=8))
    recent = ProcessedUpdate.create(channel="telegram", key="2", at=now - timedelta(days=2))

    removed = housekeeping.sweep(now)

    assert removed == {"file_links": 1, "portal_codes": 1, "portal_sessions": 2,
                       "processed_updates": 1}  # fmt: skip
    assert resolve(live_url.rsplit("/", 1)[1]) == "orders/1/счёт.pdf"
    assert not FileLink.select().where(FileLink.id == dead.id).exists()
    assert [c.id for c in PortalCode.select()] == [fresh_code.id]
    assert {s.id for s in PortalSession.select()} == {current.id}
    assert [u.id for u in ProcessedUpdate.select()] == [recent.id]
    assert housekeeping.sweep(now) == dict.fromkeys(removed, 0)  # twice is harmless


def test_the_sweep_is_a_nightly_daily_job(db):
    days = {job.name: job for job in build_scheduler(Config(), {}).daily_jobs}
    assert days["housekeeping"].hour == 3
