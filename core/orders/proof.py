"""A job done with proof: the crew photographs the form the client signed; the order
moves on to the configured stage and the photo stays on the order."""

from __future__ import annotations

from dataclasses import dataclass

from core.access import Actor, require_order, require_order_write
from core.base import settings
from core.base.db import database
from core.base.errors import ValidationError
from core.base.interfaces import FileStore
from core.files.attachments import attach_to_order
from core.files.models import Attachment
from core.orders import pipelines
from core.orders.models import Order, Stage
from core.orders.orders import move_order

__all__ = ["DEFAULT_PROOF_STAGES", "ProofResult", "complete_with_proof", "proof_stage"]

# Where "job done" lands per pipeline; the director can override with the setting
# "proof_stage" ({"printing": "done", ...}).
DEFAULT_PROOF_STAGES = {"printing": "done", "installation": "documents"}


@dataclass(frozen=True)
class ProofResult:
    order: Order
    attachment: Attachment
    moved: bool  # False: the order was already at or past the stage


def proof_stage(order: Order) -> Stage | None:
    codes = {**DEFAULT_PROOF_STAGES, **(settings.get("proof_stage") or {})}
    code = codes.get(order.pipeline.code)
    if not code:
        return None
    return Stage.get_or_none((Stage.pipeline == order.pipeline_id) & (Stage.code == code))


def complete_with_proof(
    actor: Actor,
    store: FileStore,
    order_id: int,
    name: str,
    data: bytes,
    content_type: str = "image/jpeg",
    comment: str = "",
) -> ProofResult:
    """Attach the photo and walk the order forward stage by stage up to the proof stage.
    Each step is an ordinary move (the executor may only take the next one), so the
    history shows every stage passed and who passed it."""
    order = require_order(actor, order_id)
    require_order_write(actor, order)
    target = proof_stage(order)
    if target is None:
        raise ValidationError("Для этого процесса не настроен этап «работа сдана».")
    with database.atomic():
        attachment = attach_to_order(actor, store, order.id, name, data, content_type, kind="proof")
        moved = False
        stage = order.stage
        note = comment.strip() or "Фото подписанного бланка"
        while stage.position < target.position:
            upcoming = pipelines.next_stage(stage)
            if upcoming is None:
                break
            move_order(actor, order.id, upcoming.id, note)
            stage, moved = upcoming, True
    return ProofResult(order=Order.get_by_id(order.id), attachment=attachment, moved=moved)
