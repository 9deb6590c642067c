"""Uploaded files kept in a temporary folder for the importers, which read paths.

Each file keeps its own name (so an importer's errors name it), and errors raised while the
files are in use name the file, never the temporary folder it was kept in.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from fastapi import Request, UploadFile

from rarex.io.importers import InputInvalid
from rarex.io.limits import ImportLimits


def import_limits(request: Request) -> ImportLimits:
    """The importers' limits the app was made with (``Settings.import_limits``)."""
    limits: ImportLimits = request.app.state.import_limits
    return limits


def given(upload: UploadFile | None) -> UploadFile | None:
    """A file input left empty still sends a part without a file name."""
    return upload if upload is not None and upload.filename else None


def own_name(filename: str, key: str) -> str:
    return Path(filename).name or key


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls")


def safe_name(filename: str, key: str) -> str:
    """The uploaded file's own name, reduced to harmless characters and given the suffix the
    dataset importer expects. A workbook keeps an Excel suffix of its own, so one named .xls
    is refused as it is on the command line."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename).stem)[:80] or key
    if key != "workbook":
        return stem + ".csv"
    suffix = Path(filename).suffix.lower()
    return stem + (suffix if suffix in WORKBOOK_SUFFIXES else ".xlsx")


@contextmanager
def saved_uploads(
    files: Mapping[str, UploadFile | None],
    name: Callable[[str, str], str] = own_name,
) -> Iterator[dict[str, Path]]:
    """The given uploads as files, by key (a folder per key, so two may share a name)."""
    with tempfile.TemporaryDirectory() as folder:
        paths: dict[str, Path] = {}
        for key, upload in files.items():
            if upload is None:
                continue
            (Path(folder) / key).mkdir()
            path = Path(folder) / key / name(upload.filename or key, key)
            path.write_bytes(upload.file.read())
            paths[key] = path
        try:
            yield paths
        except InputInvalid as exc:
            errors = [
                replace(
                    e,
                    file=Path(e.file).name if e.file.startswith(folder) else e.file,
                    reason=_without(folder, e.reason),
                )
                for e in exc.errors
            ]
            raise InputInvalid(errors, exc.truncated) from None


def _without(folder: str, text: str) -> str:
    """``text`` with every path into the temporary folder cut to the file's name."""
    return re.sub(re.escape(folder) + r"[/\\]?(?:[^/\\\s]+[/\\])*", "", text)


def error_lines(exc: InputInvalid) -> list[str]:
    """The errors as lines for a page, saying when the list was cut short."""
    lines = [str(e) for e in exc.errors]
    if exc.truncated:
        lines.append("(more errors were not listed)")
    return lines
