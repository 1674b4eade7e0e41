"""The import speaks the firm's own words: a dry run lists the table's unknown status words
and crew names, the person maps each once (a stage; a crew or "create a new crew"), the
mapping is remembered for the next import, and the write stays all or nothing."""

from __future__ import annotations

import io
import re

from click.testing import CliRunner
from openpyxl import Workbook

from core.base.models import Setting
from core.orders import imports
from core.orders.models import Order
from core.people.models import Crew
from core.people.staff import create_crew

HEADERS = ["Дата", "ФИО", "Телефон", "Адрес объекта", "Стоимость", "Бригада", "Статус"]
ROWS = [
    ["01.10.2026", "Иванов Илья", "8 912 000-11-01", "с. Луговое, 1", "30000", "Петров", "монтируется"],
    ["02.10.2026", "Сидоров Сергей", "8 912 000-11-02", "с. Луговое, 2", "20000", "Бригада 1", "Монтаж"],
    ["03.10.2026", "Кузнецов Кирилл", "8 912 000-11-03", "с. Луговое, 3", "25000", "петров", "ждет оплаты"],
    ["04.10.2026", "Лисин Лев", "8 912 000-11-04", "с. Луговое, 4", "15000", "Смирнов", "Сдан в сетевую"],
]  # fmt: skip


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in [HEADERS, *rows]:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _upload(s, data: bytes) -> str:
    resp = s.post("/admin/import/", {"kind": "orders", "pipeline": "installation",
                                        "file": (io.BytesIO(data), "заказы.xlsx")},
                  content_type="multipart/form-data")  # fmt: skip
    return resp.get_data(as_text=True)


def _again(s, html: str, words: dict[str, dict[str, str]], write: bool) -> str:
    token = re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)
    form = {
        "kind": "orders",
        "token": token,
        "write": "1" if write else "0",
        "pipeline": "installation",
    }
    form.update({f"map_{k}": str(i) for k, i in imports.guess_mapping(HEADERS, "orders").items()})
    for what, chosen in words.items():
        form[f"{what}_word"] = list(chosen)
        form[f"{what}_to"] = list(chosen.values())
    return s.post("/admin/import/", form).get_data(as_text=True)


def test_unknown_words_are_mapped_once_then_remembered(as_role, world, staff):
    petrov = create_crew(world["director_actor"], "Бригада Петрова")
    crews_before, orders_before = Crew.select().count(), Order.select().count()
    s = as_role("director")
    html = _upload(s, _xlsx(ROWS))
    # The dry run names each unknown word once; nothing is created, not even a crew.
    assert html.count('name="stage_word"') == 2 and html.count('name="crew_word"') == 2
    assert (
        "Статус «монтируется» — это этап" in html and "Статус «Сдан в сетевую» — это этап" in html
    )
    assert "«Петров» — это бригада" in html and "создать новую бригаду «Смирнов»" in html
    assert "Бригада «Петров» не найдена: выберите бригаду или «создать новую бригаду»" in html
    assert 'с ошибками: <b class="text-danger">3</b>' in html and "disabled" in html
    assert (Crew.select().count(), Order.select().count()) == (crews_before, orders_before)
    # Half mapped and written anyway: all or nothing, still nothing.
    half = _again(
        s, html, {"stage": {"монтируется": "mounting"}, "crew": {"Петров": str(petrov.id)}}, True
    )
    assert "Ничего не записано" in half and "Статус «Сдан в сетевую» не сопоставлен" in half
    assert (Crew.select().count(), Order.select().count()) == (crews_before, orders_before)
    chosen = {"stage": {"монтируется": "mounting", "Сдан в сетевую": "grid"},
              "crew": {"Петров": str(petrov.id), "Смирнов": imports.NEW_CREW}}  # fmt: skip
    checked = _again(s, html, chosen, False)
    assert 'с ошибками: <b class="">0</b>' in checked and Order.select().count() == orders_before
    assert Crew.select().count() == crews_before  # the dry run created nothing
    done = _again(s, html, chosen, True)
    assert "Записано строк: 4" in done
    got = {
        o.client.name: (o.stage.name, o.crew.name)
        for o in Order.select().where(Order.source == "import")
    }
    assert got == {
        "Иванов Илья": ("Монтаж", "Бригада Петрова"), "Сидоров Сергей": ("Монтаж", "Бригада 1"),
        "Кузнецов Кирилл": ("Ждёт оплаты", "Бригада Петрова"), "Лисин Лев": ("Сдача в сетевую", "Смирнов"),
    }  # fmt: skip
    assert Crew.select().count() == crews_before + 1
    # The next table with the same words needs no choices: the mapping was kept.
    assert (
        Setting.get_by_id(imports.WORDS_SETTING).value["stage"]["installation"]["монтируется"]
        == "mounting"
    )
    later = [
        [
            "05.10.2026",
            "Орлов Олег",
            "8 912 000-11-05",
            "с. Луговое, 5",
            "9000",
            "ПЕТРОВ",
            "Монтируется",
        ]
    ]
    html = _upload(s, _xlsx(later))
    assert 'с ошибками: <b class="">0</b>' in html
    assert re.search(r'<option value="mounting" selected>Монтаж</option>', html)
    assert re.search(rf'<option value="{petrov.id}" selected>Бригада Петрова</option>', html)


def test_core_refuses_unmapped_words_and_cli_maps_them(
    db, staff, actors, tmp_path, monkeypatch, database_url
):
    rows = [HEADERS, *ROWS]
    report = imports.run_import(
        actors["director"], rows, "orders", dry_run=False, pipeline="installation"
    )
    assert not report.written and Order.select().count() == 0
    assert report.unmapped == {
        "stage": ["монтируется", "Сдан в сетевую"],
        "crew": ["Петров", "Смирнов"],
        "object_type": [],
    }
    assert Crew.select().count() == 1

    from cli.main import main

    (tmp_path / "заказы.xlsx").write_bytes(_xlsx(ROWS))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIGADIR_DATABASE_URL", database_url)
    runner = CliRunner()
    base = ["import", "orders", "заказы.xlsx", "--pipeline", "installation"]
    check = runner.invoke(main, base, catch_exceptions=False)
    assert "Статусы без этапа: «монтируется», «Сдан в сетевую»" in check.output
    assert 'Бригады не найдены: «Петров», «Смирнов» — укажите: --crew "ИМЯ=Бригада"' in check.output
    done = runner.invoke(main, [*base, "--write", "--status", "монтируется=Монтаж",
                                "--status", "Сдан в сетевую=Сдача в сетевую", "--crew", "Петров=Бригада 1",
                                "--crew", "Смирнов=новая"], catch_exceptions=False)  # fmt: skip
    assert done.exit_code == 0 and "записано" in done.output, done.output
    assert Order.select().count() == 4 and Crew.select().where(Crew.name == "Смирнов").exists()
