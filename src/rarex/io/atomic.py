"""Files written whole or not at all.

``write_atomically`` writes to a temporary file beside the target, flushes it to disk and only
then renames it over the target. If anything fails on the way (a full disk, an interrupt, text
that cannot be encoded), the target keeps its old content (or stays absent) and the temporary
file is removed: a reader never sees a half-written or empty report.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

CHUNK = 1024 * 1024


def write_atomically(path: Path, data: str | bytes, *, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``data`` (text is encoded with ``encoding``) in one step."""
    payload = data.encode(encoding) if isinstance(data, str) else bytes(data)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
    try:
        try:
            view = memoryview(payload)
            while view:
                written = os.write(descriptor, view[:CHUNK])
                view = view[written:]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        with contextlib.suppress(FileNotFoundError):  # a new file keeps the umask's mode
            temporary.chmod(stat.S_IMODE(path.stat().st_mode))
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
