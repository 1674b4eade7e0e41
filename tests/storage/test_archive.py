"""The backup archive format on its own: streaming in bounded memory, and a crafted archive
that tries to write outside the staging folder is refused."""

from __future__ import annotations

import io
import os
import tarfile
import tracemalloc

import pytest

from storage.archive import ArchiveWriter, BackupRefused, extract_verified


def test_a_large_file_streams_through_in_bounded_memory(tmp_path):
    big = tmp_path / "скан.bin"
    with open(big, "wb") as fh:
        for _ in range(64):
            fh.write(os.urandom(1 << 20))  # 64 MiB
    tracemalloc.start()
    with ArchiveWriter(tmp_path / "copy.tar") as archive:
        archive.add_file("files/Клиенты/скан.bin", big)
        archive.close({})
    extract_verified(tmp_path / "copy.tar", tmp_path / "staging")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 << 20, f"peak {peak / 1048576:.1f} MiB for a 64 MiB file"
    assert (tmp_path / "staging/files/Клиенты/скан.bin").read_bytes() == big.read_bytes()


def _crafted(path, name, kind=tarfile.REGTYPE):
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo(name)
        info.type = kind
        if kind == tarfile.SYMTYPE:
            info.linkname = "/etc/passwd"
            tar.addfile(info)
        else:
            info.size = 4
            tar.addfile(info, io.BytesIO(b"evil"))


@pytest.mark.parametrize(
    "name,kind",
    [
        ("files/../../escape.txt", tarfile.REGTYPE),
        ("/tmp/absolute.txt", tarfile.REGTYPE),
        ("files/link", tarfile.SYMTYPE),
        ("something-else.txt", tarfile.REGTYPE),
    ],
)
def test_a_member_outside_the_layout_is_refused_and_nothing_is_written(tmp_path, name, kind):
    _crafted(tmp_path / "evil.tar", name, kind)
    with pytest.raises(BackupRefused, match="не похожа на копию Бригадира"):
        extract_verified(tmp_path / "evil.tar", tmp_path / "work" / "staging")
    assert not (tmp_path / "work" / "staging").exists()
    assert not (tmp_path / "escape.txt").exists()
