"""The director sees the last backup's time and size on the dashboard, and a failure."""

from __future__ import annotations

from datetime import datetime

from core import backups
from core.backups import format_size


def test_the_director_sees_the_last_backup_and_a_later_failure(as_role):
    page = as_role("director").get("/admin/").get_data(as_text=True)
    assert "Резервная копия" in page and "Копий ещё не было." in page

    backups.record_success(
        1_503_238_554, "brigadir-20261127-030000.tar", at=datetime(2026, 11, 27, 0, 0)
    )
    page = as_role("director").get("/admin/").get_data(as_text=True)
    assert "Последняя: 27.11.2026 03:00, 1,4 ГБ" in page  # stored UTC, shown in Moscow time

    backups.record_failure("Нет места на диске", at=datetime(2026, 11, 28, 0, 0))
    page = as_role("director").get("/admin/").get_data(as_text=True)
    assert "Последняя: 27.11.2026 03:00" in page
    assert "Не удалась 28.11.2026 03:00: Нет места на диске" in page

    backups.record_success(2048, "brigadir-20261128-040000.tar", at=datetime(2026, 11, 28, 1, 0))
    page = as_role("director").get("/admin/").get_data(as_text=True)
    assert "Последняя: 28.11.2026 04:00, 2 КБ" in page and "Не удалась" not in page


def test_managers_do_not_see_the_backup_card(as_role):
    backups.record_success(10_000, "brigadir-20261127-030000.tar")
    assert "Резервная копия" not in as_role("manager").get("/admin/").get_data(as_text=True)


def test_file_sizes_read_like_people_say_them():
    assert [format_size(n) for n in (512, 2048, 5 * 1048576 + 300_000, 3 << 30)] == [
        "512 Б", "2 КБ", "5,3 МБ", "3 ГБ",
    ]  # fmt: skip
