"""core.orders.counter: a client, an order, its files and the preview written together or not at all."""

from __future__ import annotations

import pytest

from core.base.errors import Conflict, ValidationError
from core.base.money import rubles
from core.clients.models import Client
from core.files.models import Attachment
from core.orders import counter
from core.orders.models import Order
from storage.errors import StorageError
from storage.local import LocalStore


class BreaksOnSecondFile(LocalStore):
    """A real local store whose disk fills up after the first file."""

    saves = 0

    def save(self, folder, name, data, content_type=None):
        self.saves += 1
        if self.saves == 2:
            raise StorageError("Диск заполнен.")
        return super().save(folder, name, data, content_type)


def _files(root):
    return [p for p in root.rglob("*") if p.is_file()]


def test_new_client_order_files_and_preview(actors, tmp_path):
    store = LocalStore(tmp_path)
    order = counter.take_order(
        actors["manager"], store, new_client=("Смирнова Ольга", "+7 916 555-44-33"),
        description="Баннер", cost=rubles(1000), advance=rubles(300),
        files=[counter.Upload("макет.pdf", b"%PDF", "application/pdf"),
               counter.Upload("фото.jpg", b"\xff\xd8jpeg", "image/jpeg")],
        preview="фото.jpg",
    )  # fmt: skip
    assert order.client.name == "Смирнова Ольга" and order.paid == rubles(300)
    assert Attachment.select().where(Attachment.order == order.id).count() == 2
    assert order.preview.endswith("фото.jpg") and store.exists(order.preview)


def test_a_failing_file_store_leaves_no_row_and_no_file(actors, tmp_path):
    store = BreaksOnSecondFile(tmp_path)
    before = (Order.select().count(), Client.select().count())
    with pytest.raises(StorageError):
        counter.take_order(
            actors["manager"], store, new_client=("Петрова Анна", "+7 903 111-22-33"),
            description="Кружки", cost=rubles(500),
            files=[counter.Upload("a.pdf", b"%PDF"), counter.Upload("b.pdf", b"%PDF")],
        )  # fmt: skip
    assert (Order.select().count(), Client.select().count()) == before
    assert _files(tmp_path) == []  # the first file went away with the transaction


def test_a_duplicate_phone_is_refused_before_anything_is_stored(actors, tmp_path):
    store = LocalStore(tmp_path)
    counter.take_order(actors["manager"], store, new_client=("Иванов", "+79120000001"),
                       description="Визитки")  # fmt: skip
    with pytest.raises(Conflict, match="уже есть: Иванов"):
        counter.take_order(
            actors["manager"], store, new_client=("Иванова", "8 912 000-00-01"),
            description="Листовки", files=[counter.Upload("a.pdf", b"%PDF")],
        )  # fmt: skip
    assert Client.select().count() == 1 and len(_files(tmp_path)) == 0


def test_no_client_and_a_preview_that_was_not_uploaded_are_refused(actors, tmp_path):
    store = LocalStore(tmp_path)
    with pytest.raises(ValidationError, match="Выберите клиента"):
        counter.take_order(actors["manager"], store, description="Баннер")
    with pytest.raises(ValidationError, match="Превью"):
        counter.take_order(actors["manager"], store, new_client=("Сидоров", None),
                           description="Баннер", preview="нет.jpg")  # fmt: skip
    assert Order.select().count() == 0 and Client.select().count() == 0
