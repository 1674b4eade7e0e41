"""Pipeline editing in Settings: stages added, reordered and removed with the counters and
the archive flag kept right; a stage with orders is removed only by moving them; a stage's
responsible person is shown on the card and told when an order arrives."""

from __future__ import annotations

import pytest
from playhouse.migrate import SchemaMigrator, migrate

from core import migrations
from core.base import db as dbmod
from core.base.errors import ValidationError
from core.conversations.models import Notification
from core.orders import orders, pipelines
from core.orders.models import Order, Pipeline, Stage, StageMove


def _flow(code="printing"):
    return [(s.name, s.position) for s in pipelines.stages_of(Pipeline.get(Pipeline.code == code))]


def _counters_match():
    for stage in Stage.select():
        real = Order.select().where(Order.stage == stage.id).count()
        assert stage.order_count == real, stage.name
        archived = {o.is_archived for o in Order.select().where(Order.stage == stage.id)}
        assert archived <= {stage.is_archive}, stage.name


def test_add_and_reorder_stages(world, actors):
    boss = actors["director"]
    printing = Pipeline.get(Pipeline.code == "printing")
    proof = pipelines.add_stage(boss, printing.id, "Согласование макета", position=2)
    assert _flow()[:3] == [("Принят", 1), ("Согласование макета", 2), ("В работе", 3)]
    orders.move_order(boss, world["own"].id, proof.id)
    pipelines.shift_stage(boss, proof.id, +1)
    assert _flow()[:3] == [("Принят", 1), ("В работе", 2), ("Согласование макета", 3)]
    with pytest.raises(ValidationError, match="уже есть"):
        pipelines.add_stage(boss, printing.id, "в работе")
    first = pipelines.stages_of(printing)[0]
    with pytest.raises(ValidationError, match="уже первый"):
        pipelines.shift_stage(boss, first.id, -1)
    archive = Stage.get(Stage.pipeline == printing, Stage.code == "archive")
    with pytest.raises(ValidationError, match="Первый этап не может быть архивным"):
        pipelines.update_stage(boss, archive.id, position=1)
    assert _flow()[0] == ("Принят", 1)
    _counters_match()


def test_archive_flag_follows_the_stage(world, actors):
    boss = actors["director"]
    orders.move_order(boss, world["own"].id, "issued")
    issued = Stage.get(Stage.code == "issued", Stage.pipeline == world["own"].pipeline_id)
    pipelines.update_stage(boss, issued.id, is_archive=True)
    assert Order.get_by_id(world["own"].id).is_archived
    pipelines.update_stage(boss, issued.id, is_archive=False)
    assert not Order.get_by_id(world["own"].id).is_archived
    _counters_match()


def test_stage_with_orders_is_removed_only_by_moving_them(world, actors):
    boss = actors["director"]
    accepted = Stage.get(Stage.code == "accepted", Stage.pipeline == world["own"].pipeline_id)
    in_work = Stage.get(Stage.code == "in_work", Stage.pipeline == world["own"].pipeline_id)
    archive = Stage.get(Stage.code == "archive", Stage.pipeline == world["own"].pipeline_id)
    with pytest.raises(ValidationError, match=r"На этапе «Принят» 4 заказа: выберите"):
        pipelines.remove_stage(boss, accepted.id)
    assert Stage.get_or_none(Stage.id == accepted.id) is not None
    orders.move_order(boss, world["own"].id, "in_work")
    assert pipelines.remove_stage(boss, in_work.id, move_to=archive.id) == 1
    own = Order.get_by_id(world["own"].id)
    assert own.stage_id == archive.id and own.is_archived
    last = StageMove.select().where(StageMove.order == own.id).order_by(StageMove.id.desc()).first()
    assert last.to_stage_id == archive.id and "«В работе» удалён" in last.comment
    assert [name for name, _ in _flow()] == ["Принят", "Выполнен", "Выдан", "Архив"]
    assert [p for _, p in _flow()] == [1, 2, 3, 4]
    _counters_match()


def test_responsible_person_is_told_and_shown(as_role, world, actors, staff):
    boss = actors["director"]
    in_work = Stage.get(Stage.code == "in_work", Stage.pipeline == world["own"].pipeline_id)
    pipelines.update_stage(boss, in_work.id, responsible=staff["executor2"].id)
    orders.move_order(actors["manager"], world["own"].id, "in_work")
    told = Notification.get(Notification.employee == staff["executor2"].id)
    assert told.audience == "staff" and f"№{world['own'].number}" in told.text
    assert "«В работе»" in told.text
    html = (
        as_role("director").get(f"/admin/order/card/?id={world['own'].id}").get_data(as_text=True)
    )
    assert "ответственный за этап: Пётр Печатников" in html
    # Moving an order to their own stage themself: nobody to tell.
    pipelines.update_stage(boss, in_work.id, responsible=staff["manager"].id)
    to_her = Notification.select().where(Notification.employee == staff["manager"].id)
    before = to_her.count()
    orders.move_order(actors["manager"], world["mine"].id, "in_work")
    assert to_her.count() == before


def test_settings_page_adds_moves_and_removes_stages(as_role, world, staff):
    s = as_role("director")
    printing = Pipeline.get(Pipeline.code == "printing")
    resp = s.post("/admin/stage/new/", {"pipeline": str(printing.id), "name": "Доставка", "position": "",
                                        "responsible_role": "", "responsible": str(staff["executor"].id)})  # fmt: skip
    assert resp.status_code == 302, resp.get_data(as_text=True)[-2000:]
    added = Stage.get(Stage.name == "Доставка")
    assert added.responsible_id == staff["executor"].id and added.position == 6
    s.post("/admin/stage/shift/", {"id": str(added.id), "step": "-1"})
    assert Stage.get_by_id(added.id).position == 5
    accepted = Stage.get(Stage.code == "accepted", Stage.pipeline == printing)
    page = s.get(f"/admin/stage/remove/{accepted.id}").get_data(as_text=True)
    assert "На этом этапе заказов: <b>4</b>" in page
    resp = s.post(f"/admin/stage/remove/{accepted.id}", {"move_to": ""}, follow_redirects=True)
    assert "выберите, на какой этап их перенести" in resp.get_data(as_text=True)
    assert Stage.get_or_none(Stage.id == accepted.id) is not None
    in_work = Stage.get(Stage.code == "in_work", Stage.pipeline == printing)
    resp = s.post(
        f"/admin/stage/remove/{accepted.id}", {"move_to": str(in_work.id)}, follow_redirects=True
    )
    assert "Заказов перенесено: 4" in resp.get_data(as_text=True)
    assert (
        Stage.get_by_id(in_work.id).order_count == 4 and Stage.get_by_id(in_work.id).position == 1
    )
    listing = s.get("/admin/stage/").get_data(as_text=True)
    assert "Доставка" in listing and "Иван Монтажников" in listing
    _counters_match()


def test_upgrade_adds_the_responsible_column(db, staff):
    migrator = SchemaMigrator.from_database(dbmod.database.obj)
    # SQLite's own DROP COLUMN refuses a foreign key column: the migrator rebuilds the table.
    legacy = {} if dbmod.is_postgres() else {"legacy": True}
    migrate(migrator.drop_column("stage", "responsible_id", **legacy))
    dbmod.database.execute_sql('DROP INDEX IF EXISTS "stage_move_to_stage_id_at"')
    assert "responsible_id" not in {c.name for c in dbmod.database.get_columns("stage")}
    migrations.SchemaVersion.update(version=5).execute()
    assert migrations.upgrade() == (5, migrations.LATEST)
    assert "responsible_id" in {c.name for c in dbmod.database.get_columns("stage")}
    assert "stage_move_to_stage_id_at" in {i.name for i in dbmod.database.get_indexes("stage_move")}
    assert Stage.select().count() == 11


def test_system_removes_a_stage_with_orders(world, actors):
    """The system actor (no employee) writes the history rows with nobody as the mover."""
    from core.access import SYSTEM

    accepted = Stage.get(Stage.code == "accepted", Stage.pipeline == world["own"].pipeline_id)
    done = Stage.get(Stage.code == "done", Stage.pipeline == world["own"].pipeline_id)
    assert pipelines.remove_stage(SYSTEM, accepted.id, move_to=done.id) == 4
    moves = StageMove.select().where(
        StageMove.to_stage == done.id, StageMove.comment == "Этап «Принят» удалён"
    )
    assert [m.employee_id for m in moves] == [None] * 4
    assert pipelines.first_stage(world["own"].pipeline_id).id != accepted.id
    _counters_match()
