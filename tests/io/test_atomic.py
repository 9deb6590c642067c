"""A file is written whole or not at all: a failure keeps the old file and leaves no temporary
file behind."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from rarex.io import atomic
from rarex.io.atomic import write_atomically


def test_text_and_bytes_replace_the_file(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    write_atomically(path, "<p>first</p>\n")
    assert path.read_text(encoding="utf-8") == "<p>first</p>\n"
    write_atomically(path, "<p>zweite Fassung · 第二</p>\n".encode())
    assert path.read_text(encoding="utf-8") == "<p>zweite Fassung · 第二</p>\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_new_file_gets_the_mode_of_any_new_file(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    write_atomically(tmp_path / "report.txt", "x")
    assert (tmp_path / "report.txt").stat().st_mode == plain.stat().st_mode


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    write_atomically(path, "new")
    assert (path.stat().st_mode & 0o777, path.read_text(encoding="utf-8")) == (0o640, "new")


def test_a_failure_mid_write_keeps_the_old_file_and_no_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "report.md"
    path.write_text("the old report\n", encoding="utf-8")
    writes: list[int] = []
    real_write = os.write

    def disk_fills_up(descriptor: int, data: bytes | memoryview) -> int:
        if writes:  # the first chunk is written, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        writes.append(real_write(descriptor, data))
        return writes[-1]

    monkeypatch.setattr(os, "write", disk_fills_up)
    with pytest.raises(OSError, match="No space left"):
        write_atomically(path, "x" * (3 * atomic.CHUNK))
    assert writes == [atomic.CHUNK]
    assert path.read_text(encoding="utf-8") == "the old report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_text_that_cannot_be_encoded_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    with pytest.raises(UnicodeEncodeError):
        write_atomically(path, "a lone surrogate \ud800")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "no" / "report.md", "x")
    assert list(tmp_path.iterdir()) == []
