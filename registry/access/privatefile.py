"""Files only the service user may read (tokens, sessions), replaced whole and atomically.

A writer writes a temporary file beside the target (created with mode 0600, never readable by
anyone else, not even for a moment), fsyncs it, renames it over the target and fsyncs the
directory: a reader sees the old file or the new one, and a crash leaves one of them. Writers
of one file take its lock first (``registry/store/locks.py``, or ``fcntl``), so the temporary
name, which carries the process id, is never written by two at once.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` (mode 0600), atomically and durably."""
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f"{path.name}.tmp-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
