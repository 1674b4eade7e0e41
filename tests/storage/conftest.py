import pytest

from storage.yadisk_store import YandexDiskStore


@pytest.fixture
def disk(fake_disk):
    # short timeouts and no pause between retries keep the timeout tests fast
    return YandexDiskStore(
        "GOOD-TOKEN",
        root="disk:/Бригадир",
        base_url=fake_disk.base_url,
        timeout=0.5,
        n_retries=2,
        retry_interval=0,
    )
