import datetime as dt

import pytest

from core.base.interfaces import FileStore
from storage.folders import order_folder
from storage.local import LocalStore
from storage.names import check_key, safe_segment


@pytest.fixture
def store(tmp_path):
    return LocalStore(tmp_path / "files")


def test_is_a_file_store(store):
    assert isinstance(store, FileStore)


def test_save_read_exists_delete(store):
    folder = order_folder("Иванов И.И.", dt.date(2026, 11, 23), 123, "Баннер")
    stored = store.save(folder, "макет.pdf", b"%PDF-1.4 data")
    assert stored.key == "Клиенты/Иванов И.И/2026-11-23 №123 Баннер/макет.pdf"
    assert stored.size == 13 and stored.content_type == "application/pdf"
    assert store.read(stored.key) == b"%PDF-1.4 data"
    assert (store.root / stored.key).read_bytes() == b"%PDF-1.4 data"
    assert store.exists(stored.key)
    assert store.list(folder) == [stored.key]
    store.delete(stored.key)
    assert not store.exists(stored.key)
    with pytest.raises(FileNotFoundError):
        store.read(stored.key)
    assert store.share_link("a.pdf") is None


def test_collisions_get_numbered_names(store):
    keys = [store.save("Клиенты/Петров", "file.pdf", bytes([i])).key for i in range(3)]
    assert keys == [
        "Клиенты/Петров/file.pdf",
        "Клиенты/Петров/file (2).pdf",
        "Клиенты/Петров/file (3).pdf",
    ]
    assert [store.read(k) for k in keys] == [b"\x00", b"\x01", b"\x02"]
    assert store.save("", "README", b"x").key == "README"
    assert store.save("", "README", b"y").key == "README (2)"


@pytest.mark.parametrize(
    "folder, name, expected",
    [
        ("../../etc", "passwd", "etc/passwd"),
        ("/abs/path", "x.txt", "abs/path/x.txt"),
        ("a/../../b", "..", "a/b/файл"),
        ("Клиенты", 'ООО "Ромашка" <филиал>: отчёт?.pdf', "Клиенты/ООО «Ромашка» филиал отчёт.pdf"),
        ("Клиенты", "CON.txt", "Клиенты/_CON.txt"),
        ("com1", "nul", "_com1/_nul"),
        ("Клиенты\\Сидоров", "скан .", "Клиенты/Сидоров/скан"),
        ("Клиенты", "a\x00b\tc\n.jpg", "Клиенты/a b c.jpg"),
        ("Клиенты", "...hidden", "Клиенты/hidden"),
    ],
)
def test_names_are_safe_and_stay_inside_root(store, folder, name, expected):
    stored = store.save(folder, name, b"1")
    assert stored.key == expected
    assert store.path(stored.key).is_relative_to(store.root)


@pytest.mark.parametrize(
    "key",
    [
        "../x",
        "/etc/passwd",
        "a/../../x",
        "a//b",
        "C:/Windows/x",
        "a\\b",
        "a/./b",
        "a/b.",
        "",
        "a/CON",
    ],
)
def test_keys_that_could_escape_are_refused(store, key):
    with pytest.raises(ValueError, match="Недопустимый путь"):
        store.read(key)
    assert store.exists(key) is False
    with pytest.raises(ValueError):
        check_key(key)


def test_symlink_out_of_root_is_refused(store, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (store.root / "link").symlink_to(outside)
    with pytest.raises(ValueError):
        store.read("link/secret.txt")


def test_safe_segment_limits_length_and_keeps_extension():
    name = safe_segment("Очень длинное название " * 20 + ".pdf")
    assert len(name) <= 120 and name.endswith(".pdf")
    assert safe_segment("   ") == "без имени"


def test_order_folder_from_awkward_client_names():
    d = dt.date(2026, 11, 23)
    assert (
        order_folder("Иванов И.И.", d, 123, "Баннер") == "Клиенты/Иванов И.И/2026-11-23 №123 Баннер"
    )
    assert order_folder("../../root", d, 7, "") == "Клиенты/root/2026-11-23 №7"
    assert order_folder(
        "ИП Смирнов/Кузнецов", d, 8, "визитки 1000 шт. на меловке двусторонние цветные"
    ) == ("Клиенты/ИП Смирнов Кузнецов/2026-11-23 №8 визитки 1000 шт. на меловке двусторонние")
    assert order_folder("", d, 9, "x") == "Клиенты/Без имени/2026-11-23 №9 x"
