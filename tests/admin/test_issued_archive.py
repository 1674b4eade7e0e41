"""Issue 28: the print shop's «Выдан» sends an order to the archive, in the preset and in an
existing firm's pipeline after the upgrade."""

from __future__ import annotations

from core import migrations
from core.orders import orders
from core.orders.models import Order, Pipeline, Stage


def _issued() -> Stage:
    printing = Pipeline.get(Pipeline.code == "printing")
    return Stage.get((Stage.pipeline == printing) & (Stage.code == "issued"))


def test_issued_order_goes_to_the_archive(world, actors):
    boss = actors["director"]
    assert _issued().name == "Выдан" and _issued().is_archive
    for code in ("in_work", "done"):
        orders.move_order(boss, world["own"].id, code)
        assert not Order.get_by_id(world["own"].id).is_archived
    orders.move_order(boss, world["own"].id, "issued")
    own = Order.get_by_id(world["own"].id)
    assert own.is_archived and own.closed_at is not None


def test_upgrade_makes_an_existing_firms_issued_an_archive_stage(world, actors):
    boss = actors["director"]
    orders.move_order(boss, world["own"].id, "issued")
    # The pipeline as an older version made it: «Выдан» a working stage, its order open.
    Stage.update(is_archive=False).where(Stage.id == _issued().id).execute()
    Order.update(is_archived=False, closed_at=None).where(Order.id == world["own"].id).execute()
    migrations.SchemaVersion.update(version=64).execute()
    assert migrations.upgrade()[0] == 64
    assert _issued().is_archive
    assert Order.get_by_id(world["own"].id).is_archived
    other = Order.get_by_id(world["mine"].id)
    assert not other.is_archived  # orders on other stages stay where they were
    migrations.SchemaVersion.update(version=64).execute()
    migrations.upgrade()  # idempotent
    assert _issued().is_archive and Order.get_by_id(world["own"].id).is_archived
