"""Steps are numbered per line of work ahead of time and may land out of order: a database
made after step 66 landed but before step 35 did must still get 35 (the highest number it
has cannot tell), and a step runs once."""

from __future__ import annotations

from core import migrations


def test_a_step_numbered_below_the_latest_that_lands_later_still_runs_once(db, monkeypatch):
    ran = []
    late = min(set(range(1, migrations.LATEST)) - set(migrations.STEPS))  # a free lower number
    assert late < migrations.LATEST
    monkeypatch.setitem(migrations.STEPS, late, lambda migrator: ran.append(late))

    migrations.upgrade()
    assert ran == [late]
    assert late in migrations.applied_steps()
    migrations.upgrade()
    assert ran == [late]  # recorded: not again


def test_a_database_from_before_steps_were_recorded_counts_every_step_up_to_its_version(db):
    migrations.SchemaStep.delete().execute()
    assert migrations.applied_steps() == {
        v for v in migrations.STEPS if v <= migrations.current_version()
    }
    migrations.upgrade()
    assert migrations.applied_steps() >= set(migrations.STEPS)
