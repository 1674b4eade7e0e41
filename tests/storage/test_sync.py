import pytest

from core.base.interfaces import FileStore
from storage.errors import StorageError
from storage.local import LocalStore
from storage.sync import BACKOFF_START, SpoolQueue, SyncingStore, sync_pending


@pytest.fixture
def syncing(tmp_path, disk):
    return SyncingStore(LocalStore(tmp_path / "files"), disk, SpoolQueue(tmp_path / "spool"))


def remote(fake_disk, key):
    return fake_disk.files.get(f"/Бригадир/{key}")


def test_is_a_file_store(syncing):
    assert isinstance(syncing, FileStore)


def test_save_is_local_first_and_sync_uploads(syncing, fake_disk):
    stored = syncing.save("Клиенты/Петров", "чек.jpg", b"photo")
    assert syncing.local.read(stored.key) == b"photo"
    assert remote(fake_disk, stored.key) is None  # nothing on the network in the request path
    report = syncing.sync_pending()
    assert (report.uploaded, report.pending, report.error) == (1, 0, None)
    assert remote(fake_disk, stored.key) == b"photo"


def test_network_drop_loses_nothing_and_retries_after_backoff(syncing, fake_disk, tmp_path):
    fake_disk.down = True
    keys = [syncing.save("Клиенты/Петров", f"фото{i}.jpg", bytes([i])).key for i in range(3)]
    report = syncing.sync_pending(now=1000.0)
    assert report.uploaded == 0 and report.pending == 3
    assert (
        report.error == "Нет связи с Яндекс Диском — попробуем ещё раз позже"
        and not report.permanent
    )

    # a restart: a new store over the same folders still knows what is pending
    again = SyncingStore(
        LocalStore(tmp_path / "files"), syncing.remote, SpoolQueue(tmp_path / "spool")
    )
    failed = [i for i in again.queue.items() if i.attempts]
    assert len(failed) == 1 and failed[0].last_error == report.error
    fake_disk.down = False
    # the failed item waits for its back-off; the others go up
    report = again.sync_pending(now=1000.0 + 1)
    assert report.uploaded == 2 and report.pending == 1
    report = again.sync_pending(now=1000.0 + BACKOFF_START + 1)
    assert report.uploaded == 1 and report.pending == 0
    assert [remote(fake_disk, k) for k in keys] == [b"\x00", b"\x01", b"\x02"]


def test_backoff_grows_and_is_capped(syncing, fake_disk):
    fake_disk.down = True
    syncing.save("Клиенты", "a.txt", b"x")
    now, waits = 0.0, []
    for _ in range(10):
        item = syncing.queue.items()[0]
        now = max(now, item.next_try)
        syncing.sync_pending(now=now)
        waits.append(syncing.queue.items()[0].next_try - now)
    assert waits[:3] == [30.0, 60.0, 120.0]
    assert waits[-1] == 3600.0


def test_expired_token_keeps_files_queued(tmp_path, fake_disk):
    from storage.yadisk_store import YandexDiskStore

    bad = YandexDiskStore("EXPIRED", base_url=fake_disk.base_url, n_retries=0)
    store = SyncingStore(LocalStore(tmp_path / "files"), bad, SpoolQueue(tmp_path / "spool"))
    stored = store.save("Клиенты", "a.pdf", b"pdf")
    report = store.sync_pending()
    assert report.permanent and "Токен Яндекс Диска" in report.error
    assert report.failed_keys == [stored.key] and report.pending == 1
    assert store.read(stored.key) == b"pdf"  # still served from the local copy


def test_delete_is_mirrored_and_dropped_upload_is_skipped(syncing, fake_disk):
    kept = syncing.save("Клиенты", "kept.txt", b"k")
    syncing.sync_pending()
    gone = syncing.save("Клиенты", "gone.txt", b"g")
    syncing.delete(gone.key)  # deleted before it ever went up
    syncing.delete(kept.key)
    report = syncing.sync_pending()
    assert (report.uploaded, report.dropped, report.deleted, report.pending) == (0, 1, 2, 0)
    assert remote(fake_disk, kept.key) is None and remote(fake_disk, gone.key) is None


def test_share_link_pushes_a_pending_file_first(syncing, fake_disk):
    stored = syncing.save("Клиенты", "макет.pdf", b"pdf")
    link = syncing.share_link(stored.key)
    assert link.startswith("https://yadi.sk/d/")
    assert remote(fake_disk, stored.key) == b"pdf"
    assert syncing.queue.items() == []


def test_share_link_when_offline_says_so(syncing, fake_disk):
    stored = syncing.save("Клиенты", "макет.pdf", b"pdf")
    fake_disk.down = True
    with pytest.raises(StorageError, match="Нет связи с Яндекс Диском"):
        syncing.share_link(stored.key)
    assert len(syncing.queue.items()) == 1


def test_read_falls_back_to_remote(syncing, fake_disk):
    syncing.remote.put("Клиенты/с другого компьютера.txt", b"remote")
    assert syncing.exists("Клиенты/с другого компьютера.txt")
    assert syncing.read("Клиенты/с другого компьютера.txt") == b"remote"


def test_second_runner_backs_off_while_one_holds_the_lock(syncing):
    syncing.save("Клиенты", "a.txt", b"x")
    with syncing.queue.lock() as mine:
        assert mine
        report = sync_pending(syncing.local, syncing.remote, syncing.queue)
    assert report.busy and report.pending == 1 and report.uploaded == 0
