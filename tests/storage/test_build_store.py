from core.base.config import Config, StorageSection
from storage import build_store
from storage.local import LocalStore
from storage.sync import SyncingStore


def test_local_is_the_default_and_lives_under_the_data_folder(tmp_path):
    store = build_store(Config(path=str(tmp_path / "config.toml")))
    assert isinstance(store, LocalStore)
    saved = store.save("Клиенты/Иванов", "макет.pdf", b"%PDF-1.4")
    assert (tmp_path / "data" / "files" / saved.key).read_bytes() == b"%PDF-1.4"


def test_yandex_disk_keeps_files_locally_first(tmp_path):
    section = StorageSection(
        backend="yadisk", yadisk_token="t", yadisk_base_url="http://127.0.0.1:9"
    )
    store = build_store(Config(storage=section, path=str(tmp_path / "config.toml")))
    assert isinstance(store, SyncingStore)
    saved = store.save("Клиенты/Петров", "фото.jpg", b"jpeg")
    assert store.read(saved.key) == b"jpeg"  # readable before any upload
    assert list((tmp_path / "data" / "spool").iterdir())  # and queued for the Disk
