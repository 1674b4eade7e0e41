"""An order's folder is published only when a person asks, logged and revocable; opening the
card never calls the Disk, and a Disk that hangs holds the share button only for the timeout."""

from __future__ import annotations

import time

import pytest

from core.base.config import Config, StorageSection
from core.files.attachments import attach_to_order
from core.files.models import FolderShare
from core.orders.models import Order
from storage import build_store

TIMEOUT = 0.5


@pytest.fixture
def store(tmp_path, fake_disk):
    """What `brigadir run` builds for backend = "yadisk", pointed at the fake Disk."""
    section = StorageSection(backend="yadisk", yadisk_token="GOOD-TOKEN",
                             yadisk_base_url=fake_disk.base_url, yadisk_timeout=TIMEOUT)  # fmt: skip
    return build_store(Config(storage=section, path=str(tmp_path / "config.toml")))


@pytest.fixture
def passport(world, actors, store):
    """The order with a passport scan in its folder, already synced to the Disk."""
    order = world["mine"]
    attach_to_order(actors["manager"], store, order.id, "паспорт.jpg", b"scan", "image/jpeg")
    store.sync_pending()
    return Order.get_by_id(order.id)


def _published(fake_disk) -> set[str]:
    return set(fake_disk.public)


def test_opening_the_card_makes_no_disk_request(as_role, passport, fake_disk):
    fake_disk.calls.clear()
    for role in ("director", "manager", "executor"):
        html = as_role(role).get(f"/admin/order/card/?id={passport.id}").get_data(as_text=True)
        assert passport.folder in html  # the folder's path is shown…
    assert fake_disk.calls == []  # …without asking the Disk anything
    assert _published(fake_disk) == set()


def test_share_on_request_logged_and_revocable(as_role, passport, fake_disk, staff):
    manager, director = as_role("manager"), as_role("director")
    card = f"/admin/order/card/?id={passport.id}"
    assert "Дать ссылку на папку" in manager.get(card).get_data(as_text=True)
    resp = manager.post("/admin/order/share/", {"id": passport.id}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    share = FolderShare.get(FolderShare.order == passport.id)
    assert share.url.startswith("https://yadi.sk/d/") and share.url in html
    assert share.shared_by_id == staff["manager"].id and share.folder == passport.folder
    assert _published(fake_disk) == {f"/Бригадир/{passport.folder}"}
    # the card shows the stored link and who opened it, still without calling the Disk
    fake_disk.calls.clear()
    html = director.get(card).get_data(as_text=True)
    assert share.url in html and "Закрыть доступ по ссылке" in html
    assert f"открыл(а) {staff['manager'].name}" in html
    assert fake_disk.calls == []
    # the director closes it: the Disk unpublishes, the log keeps both steps
    director.post("/admin/order/share/", {"id": passport.id, "close": "1"})
    assert _published(fake_disk) == set()
    share = FolderShare.get_by_id(share.id)
    assert share.revoked_at is not None and share.revoked_by_id == staff["director"].id
    html = director.get(card).get_data(as_text=True)
    assert "Дать ссылку на папку" in html and f"закрыл(а) {staff['director'].name}" in html
    assert f'href="{share.url}"' not in html


def test_executor_cannot_publish(as_role, passport, fake_disk):
    resp = as_role("executor").post(
        "/admin/order/share/", {"id": passport.id}, follow_redirects=True
    )
    assert "Недостаточно прав" in resp.get_data(as_text=True)
    assert _published(fake_disk) == set() and FolderShare.select().count() == 0


def test_a_hanging_disk_holds_the_button_only_for_the_timeout(as_role, passport, fake_disk):
    fake_disk.slow = [30.0] * 10  # accepts the connection, answers half a minute later
    started = time.monotonic()
    resp = as_role("manager").post(
        "/admin/order/share/", {"id": passport.id}, follow_redirects=True
    )
    took = time.monotonic() - started
    assert "Яндекс Диск не ответил вовремя" in resp.get_data(as_text=True)
    assert took < TIMEOUT * 4, took  # one try per call, never the 90 s of before
    assert FolderShare.select().count() == 0  # nothing recorded
