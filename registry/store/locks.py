"""One exclusive file lock (``flock``) across processes, with a deadline: the writers of a store
(``EmbeddedStore``, ``RemoteStore``) and the HTTP writers' rights-check-and-write
(``registry.graphstore``) each hold one."""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Iterator
from pathlib import Path

from registry.errors import StoreError
from registry.i18n import msg


@contextlib.contextmanager
def exclusive(lock_file: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file`` (created if missing) for the block.

    Raises :class:`StoreError` when another process has held it for over ``timeout`` seconds."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+b") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(
                        msg(
                            "The registry is busy: another write has held the lock {path} for "
                            "over {seconds:.0f} seconds. Try again later.",
                            path=lock_file,
                            seconds=timeout,
                        )
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
