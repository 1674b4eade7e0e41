"""Recordings: fetched from the PBX when it says one is ready and kept with the order's
files (so the nightly backup carries them), played in the cards. A recording the PBX
cannot give yet is asked for again later, a few times."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.base.clock import to_local, utcnow
from core.base.interfaces import FileStore
from core.calls.models import Call
from core.calls.pbx import Pbx, PbxError
from core.channels import health
from core.clients.models import Client
from core.files.attachments import client_folder_key, order_folder_key
from core.files.models import Attachment
from core.orders.models import Order

__all__ = ["MAX_TRIES", "due", "fetch_due", "keep"]

MAX_TRIES = 6  # 1, 2, 4, 8, 16 minutes apart: the PBX has had half an hour
_EXTENSIONS = {"audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/wav": "wav", "audio/x-wav": "wav",
               "audio/ogg": "ogg"}  # fmt: skip


def due(now: datetime | None = None, limit: int = 20) -> list[Call]:
    now = now or utcnow()
    return list(
        Call.select()
        .where(Call.recording_due.is_null(False) & (Call.recording_due <= now))
        .order_by(Call.recording_due)
        .limit(limit)
    )


def _folder(call: Call, store: FileStore) -> str:
    if call.order_id:
        return order_folder_key(Order.get_by_id(call.order_id), store)
    if call.client_id:
        return client_folder_key(Client.get_by_id(call.client_id))
    return "Звонки"


def keep(call: Call, store: FileStore, data: bytes, content_type: str) -> Attachment:
    """The recording's bytes beside the order's files, tied to the call (Call.recording)."""
    ext = _EXTENSIONS.get(content_type, "mp3")
    when = to_local(call.started_at or utcnow()).strftime("%Y-%m-%d %H-%M")
    name = f"Звонок {when}.{ext}"
    stored = store.save(_folder(call, store), name, data, content_type)
    attachment = Attachment.create(
        kind="call", storage_key=stored.key, original_name=name, size=len(data),
        content_type=content_type, order=call.order_id, client=call.client_id,
    )  # fmt: skip  # not tied to the line's message: the order decides who hears it, as for calls
    Call.update(recording=attachment.id, recording_due=None).where(Call.id == call.id).execute()
    return attachment


def _later(call: Call, now: datetime) -> None:
    tries = call.recording_tries + 1
    again = now + timedelta(minutes=2 ** (tries - 1)) if tries < MAX_TRIES else None
    Call.update(recording_tries=tries, recording_due=again).where(Call.id == call.id).execute()


def fetch_due(pbx: Pbx | None, store: FileStore, now: datetime | None = None) -> int:
    """The scheduler's job: fetch what is due; returns how many recordings were kept. A PBX
    that is down or refuses only delays them (the rest of the product does not wait)."""
    if pbx is None:
        return 0
    now = now or utcnow()
    kept = 0
    for call in due(now):
        if call.recording_id is not None or not call.recording_ref:
            Call.update(recording_due=None).where(Call.id == call.id).execute()
            continue
        try:
            data, content_type = pbx.recording(call.recording_ref)
        except PbxError as exc:
            if exc.kind:  # the PBX could not be asked: the director sees it on the dashboard
                health.record_failure("pbx", str(exc), exc.kind)
            _later(call, now)
            continue
        health.record_ok("pbx")
        if not data:
            _later(call, now)
            continue
        keep(call, store, data, content_type)
        kept += 1
    return kept
