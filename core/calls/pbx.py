"""What core asks of a cloud PBX, and what it hears from one.

The adapters (bots/phone: Novofon, Mango Office) check each webhook's signature, read
the provider's format into a PbxEvent and hand it to core.calls.log.ingest; they also
implement Pbx for what core asks the provider to do. No HTTP here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

__all__ = ["KINDS", "Pbx", "PbxError", "PbxEvent"]

# ring: the call reached the PBX (in) or left an extension (out); extension: an
# extension is ringing; answer: someone picked up; end: the call is over (the provider's
# verdict: answered or not, how long); record: a recording of the call is ready.
KINDS = ("ring", "extension", "answer", "end", "record")


@dataclass(frozen=True)
class PbxEvent:
    provider: str
    key: str  # the provider's id of the whole call (Novofon pbx_call_id, Mango entry_id)
    kind: str  # one of KINDS
    direction: str = ""  # in | out | "" (the event does not say)
    phone: str = ""  # the outside party's number as the provider wrote it
    line: str = ""  # the firm's number
    extension: str = ""  # the extension this event is about
    started_at: datetime | None = None  # naive UTC: when the call began
    at: datetime | None = None  # naive UTC: when this event happened
    answered: bool | None = None  # end: did anybody talk
    duration: int | None = None  # end: seconds of conversation
    outcome: str = ""  # end: the provider's word (answered, busy, no answer, …)
    recording_ref: str = ""  # the provider's id to fetch the recording by


class PbxError(Exception):
    """The provider refused or could not be reached; the message is Russian, for people.
    kind: how core.channels.health counts it — "" the provider answered (a refusal about
    this request), else why it could not be asked (dns, refused, timeout, auth, network…)."""

    def __init__(self, message: str, kind: str = ""):
        super().__init__(message)
        self.kind = kind


class Pbx(Protocol):
    provider: str

    def callback(self, extension: str, phone: str) -> None:
        """Ring the extension, then connect it to the phone (the provider's callback API)."""

    def recording(self, ref: str) -> tuple[bytes, str]:
        """The recording's bytes and content type."""

    def check(self) -> str:
        """A live check of the keys: a Russian line on success, PbxError otherwise."""
