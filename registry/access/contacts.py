"""Contact persons of proposals sent with the browser's proposal form (endpoint/submit/).

A contact person's name and e-mail address are personal data, and the registry publishes
everything in its store. So they are never written to the RDF: they are kept here, in
``<state>/proposal-contacts.jsonl`` (mode 0600, one JSON line per proposal: ``time``, ``item``
(the proposal's IRI), ``organisation``, ``token_id``, ``name``, ``email``), for the
coordinating ministry, which reads them on the status page of the proposal
(docs/submitting-in-a-browser.md, "Contact details"). :meth:`ContactBook.forget` removes an
item's contacts: ``ogpreg erase`` of the proposal (registry/erase.py) calls it. Knows nothing of
HTTP.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

CONTACTS_FILE = "proposal-contacts.jsonl"


@dataclass(frozen=True)
class Contact:
    time: str
    item: str
    organisation: str
    token_id: str
    name: str
    email: str


class ContactBook:
    """The proposal contacts of one state directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / CONTACTS_FILE

    def add(self, item: str, organisation: str, token_id: str, name: str, email: str) -> Contact:
        contact = Contact(
            datetime.now(UTC).isoformat(timespec="seconds"), item, organisation, token_id,
            name, email,
        )
        self.directory.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(asdict(contact), ensure_ascii=False) + "\n").encode("utf-8")
        with self._locked():  # the lock :meth:`forget` holds while it rewrites the file
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        return contact

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """The book's lock (a file beside it): an addition never lands in a file that
        :meth:`forget` is about to replace."""
        with open(self.directory / "proposal-contacts.lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _all(self) -> list[Contact]:
        try:
            lines = self.path.read_text("utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [Contact(**json.loads(line)) for line in lines if line.strip()]

    def of(self, item: str) -> list[Contact]:
        """The contacts given for ``item``, oldest first."""
        return [c for c in self._all() if c.item == item]

    def forget(self, item: str) -> int:
        """Remove every contact of ``item`` and of its sub-resources (``{item}/…``); how many
        were removed. The file is rewritten (never edited in place), so nothing of the removed
        lines is left in it."""
        if not self.path.exists():
            return 0
        with self._locked():
            every = self._all()
            keep = [c for c in every if c.item != item and not c.item.startswith(item + "/")]
            removed = len(every) - len(keep)
            if removed:
                tmp = self.path.with_suffix(".tmp")
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                try:
                    for c in keep:
                        os.write(fd, (json.dumps(asdict(c), ensure_ascii=False) + "\n").encode())
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(tmp, self.path)
            return removed


__all__ = ["CONTACTS_FILE", "Contact", "ContactBook"]
