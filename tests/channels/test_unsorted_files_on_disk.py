"""Issue 29, item 27: when the firm keeps its files on Yandex Disk, the attachments of letters
no order claimed go up too: the same store as every order file, through the sync job."""

from __future__ import annotations

import dataclasses

from core.base.config import Config
from core.conversations import mailbox
from core.conversations.mailbox import IncomingMail, ingest_mail
from core.files.models import Attachment
from scheduler.app import _sync_files
from storage import build_store


def test_an_unsorted_letters_files_reach_yandex_disk(db, tmp_path, fake_disk):
    config = Config()
    config = dataclasses.replace(
        config,
        app=dataclasses.replace(config.app, data_dir=str(tmp_path)),
        storage=dataclasses.replace(config.storage, backend="yadisk", yadisk_token="GOOD-TOKEN",
                                    yadisk_base_url=fake_disk.base_url),
    )  # fmt: skip
    store = build_store(config)
    letter = IncomingMail(
        message_id="<stray-1@elsewhere.test>", sender="stranger@elsewhere.test",
        subject="Смета на вывеску", text="Посмотрите смету",
        attachments=(("смета.pdf", b"%PDF-1.4 estimate", "application/pdf"),),
    )  # fmt: skip
    message = ingest_mail(letter, store, max_attachment_bytes=10 * 2**20)
    assert message.order_id is None  # unsorted
    (kept,) = Attachment.select().where(Attachment.message == message.id)
    assert kept.storage_key.startswith(mailbox.UNSORTED_FOLDER)

    _sync_files(store)  # the scheduler's minute job
    assert fake_disk.files.get(f"/Бригадир/{kept.storage_key}") == b"%PDF-1.4 estimate"
