import pytest

from core.base.interfaces import FileStore
from storage.errors import StorageError
from storage.yadisk_store import MESSAGES, YandexDiskStore

FOLDER = "Клиенты/Иванов И.И./2026-11-23 №123 Баннер"
KEY_DIR = "Клиенты/Иванов И.И/2026-11-23 №123 Баннер"


def test_is_a_file_store(disk):
    assert isinstance(disk, FileStore)


def test_upload_list_download_share_delete(disk, fake_disk):
    disk.check()
    first = disk.save(FOLDER, "макет.pdf", b"layout-1")
    second = disk.save(FOLDER, "макет.pdf", b"layout-2")
    assert first.key == f"{KEY_DIR}/макет.pdf"
    assert second.key == f"{KEY_DIR}/макет (2).pdf"
    # the files really sit under the root folder of the (fake) disk
    assert fake_disk.files[f"/Бригадир/{KEY_DIR}/макет.pdf"] == b"layout-1"
    assert sorted(disk.list(KEY_DIR)) == sorted([first.key, second.key])
    assert disk.list("Клиенты/Нет такого") == []
    assert disk.exists(first.key) and not disk.exists(f"{KEY_DIR}/нет.pdf")
    assert disk.read(second.key) == b"layout-2"
    link = disk.share_link(first.key)
    assert link.startswith("https://yadi.sk/d/")
    assert disk.share_link(first.key) == link  # publishing twice keeps the link
    disk.delete(first.key)
    assert not disk.exists(first.key)
    assert (
        fake_disk.trash[f"/Бригадир/{KEY_DIR}/макет.pdf"] == b"layout-1"
    )  # to the trash, recoverable
    disk.delete(first.key)  # already gone: no error
    with pytest.raises(FileNotFoundError):
        disk.read(first.key)
    with pytest.raises(FileNotFoundError):
        disk.share_link(first.key)


def test_put_overwrites_exact_key(disk, fake_disk):
    disk.put("Клиенты/A/x.txt", b"1")
    disk.put("Клиенты/A/x.txt", b"2")
    assert disk.read("Клиенты/A/x.txt") == b"2"
    assert disk.list("Клиенты/A") == ["Клиенты/A/x.txt"]


def test_base_url_is_per_store_not_global(fake_disk):
    import yadisk

    store = YandexDiskStore("GOOD-TOKEN", base_url=fake_disk.base_url + "/")
    store.put("a.txt", b"x")
    assert yadisk.settings.BASE_API_URL == "https://cloud-api.yandex.net"
    assert fake_disk.files["/Бригадир/a.txt"] == b"x"


def test_expired_token_gives_clear_permanent_error(fake_disk):
    store = YandexDiskStore("EXPIRED", base_url=fake_disk.base_url, n_retries=0)
    for call in (
        store.check,
        lambda: store.save("Клиенты", "a.txt", b"x"),
        lambda: store.read("a.txt"),
    ):
        with pytest.raises(StorageError) as err:
            call()
        assert (
            str(err.value)
            == "Токен Яндекс Диска недействителен или истёк — обновите его в настройках"
        )
        assert err.value.permanent is True
        if call != store.check:  # check_token() answers False; the others raise
            assert type(err.value.__cause__).__name__ == "UnauthorizedError"


def test_no_space_507(disk, fake_disk):
    fake_disk.quota = 10
    disk.save("Клиенты", "small.txt", b"12345")
    with pytest.raises(StorageError) as err:
        disk.save("Клиенты", "big.bin", b"x" * 100)
    assert err.value.message == MESSAGES["space"]
    assert "закончилось место" in str(err.value)
    assert err.value.permanent is True


def test_one_timeout_is_retried_transparently(disk, fake_disk):
    disk.put("a.txt", b"data")
    fake_disk.slow = [1.0]  # the next answer comes after the 0.5 s client timeout
    assert disk.read("a.txt") == b"data"
    downloads = [c for c in fake_disk.calls if c == ("GET", "/v1/disk/resources/download")]
    assert len(downloads) == 2


def test_persistent_timeout_gives_transient_error(disk, fake_disk):
    disk.put("a.txt", b"data")
    fake_disk.slow = [1.0] * 3  # n_retries=2: three attempts, all late
    with pytest.raises(StorageError) as err:
        disk.exists("a.txt")
    assert err.value.message == "Яндекс Диск не ответил вовремя — попробуем ещё раз позже"
    assert err.value.permanent is False


def test_network_down_gives_transient_error(disk, fake_disk):
    fake_disk.down = True
    with pytest.raises(StorageError) as err:
        disk.save("Клиенты", "a.txt", b"x")
    assert err.value.message == "Нет связи с Яндекс Диском — попробуем ещё раз позже"
    assert not err.value.permanent


def test_unshare_closes_the_link(disk, fake_disk):
    stored = disk.save(FOLDER, "паспорт.jpg", b"scan")
    disk.share_link(KEY_DIR)  # a folder, as the order card shares it
    assert f"/Бригадир/{KEY_DIR}" in fake_disk.public
    disk.unshare_link(KEY_DIR)
    assert fake_disk.public == {}
    disk.unshare_link(f"{KEY_DIR}/нет такого")  # nothing there: nothing to close
    assert disk.read(stored.key) == b"scan"
