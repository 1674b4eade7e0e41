"""Issue 29, item 12 (and choke point 5 for file names): one function makes every file name
from outside safe — bidirectional-text controls and paths are gone wherever a name is
stored, shown (the order card, the inbox) or served (Content-Disposition, a download link)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from core.access import SYSTEM
from core.conversations.mailbox import ingest_mail
from core.files.attachments import attach_to_order
from core.files.models import Attachment
from core.files.names import clean_file_name, content_disposition
from tests.admin.conftest import login

TRICK = "Акт сверки\u202efdp.exe"  # shows as «Акт сверкиexe.pdf»
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


@pytest.mark.parametrize(
    "raw,clean",
    [
        (TRICK, "Акт сверкиfdp.exe"),
        ("../../x.sh", "x.sh"),
        ("C:\\Users\\a\\счёт.pdf", "счёт.pdf"),
        ("\u2067макет\u2069.pdf", "макет.pdf"),
        ("..bashrc", "bashrc"),
        ("\x00\x07", "файл"),
        ("отчёт  за\tноябрь.xlsx", "отчёт за ноябрь.xlsx"),
    ],
)
def test_the_one_function(raw, clean):
    assert clean_file_name(raw) == clean


def test_a_long_name_keeps_its_extension():
    assert clean_file_name("а" * 500 + ".pdf") == "а" * 196 + ".pdf"


def _header_name(header: str) -> str:
    return unquote(header.split("filename*=UTF-8''", 1)[1])


def test_an_uploaded_trick_is_stored_shown_and_served_plain(app, world, store):
    order = world["own"]
    row = attach_to_order(SYSTEM, store, order.id, TRICK, b"MZ fake", "application/pdf")
    assert row.original_name == "Акт сверкиfdp.exe"
    assert not BIDI & set(row.storage_key)
    session = login(app, "director")
    card = session.get(f"/admin/order/card/?id={order.id}").get_data(as_text=True)
    assert "Акт сверкиfdp.exe" in card and not BIDI & set(card)
    resp = session.get(f"/files/a/{row.id}?download=1")
    assert resp.status_code == 200
    header = resp.headers["Content-Disposition"]
    assert _header_name(header) == "Акт сверкиfdp.exe" and "%E2%80%AE" not in header


def test_a_path_in_a_name_never_leaves_its_folder(app, world, store):
    row = attach_to_order(SYSTEM, store, world["own"].id, "../../x.sh", b"#!/bin/sh", "text/plain")
    assert row.original_name == "x.sh" and ".." not in row.storage_key
    resp = login(app, "director").get(f"/files/a/{row.id}?download=1")
    assert _header_name(resp.headers["Content-Disposition"]) == "x.sh"


def test_a_letters_attachment_is_cleaned_too(db, store):
    from core.conversations.mailbox import IncomingMail

    mail = IncomingMail(message_id="<t1@x.test>", sender="a@x.test", subject="Акт",
                        text="см. вложение",
                        attachments=((f"../{TRICK}", b"MZ", "application/pdf"),))  # fmt: skip
    ingest_mail(mail, store, max_attachment_bytes=10_000)
    row = Attachment.get()
    assert row.original_name == "Акт сверкиfdp.exe" and not BIDI & set(row.storage_key)


def test_an_old_name_is_cleaned_by_the_migration(db):
    from core.migrations import _v30_clean_file_names

    old = Attachment.create(storage_key="Почта/a.pdf", original_name=TRICK)
    fine = Attachment.create(storage_key="Почта/b.pdf", original_name="b.pdf")
    _v30_clean_file_names(None)
    _v30_clean_file_names(None)  # twice: the same
    assert Attachment.get_by_id(old.id).original_name == "Акт сверкиfdp.exe"
    assert Attachment.get_by_id(fine.id).original_name == "b.pdf"


def test_the_header_has_an_ascii_fallback():
    assert content_disposition("счёт.pdf").startswith('attachment; filename="file.pdf"; ')
