"""The audit log: one JSON line per write attempt on the authenticated paths and per token
issued or revoked, appended to ``<store>/audit.log`` (mode 0600), flushed and fsynced before
the request is answered.

Fields: ``time`` (UTC, ISO 8601), ``action`` (e.g. ``graph-store.put``, ``sparql.update``,
``token.issue``), ``outcome`` (``ok``, ``refused`` or ``failed``), ``status`` (the HTTP status,
when there is one), ``token_id``, ``organisation`` (IRI), ``role``, ``target`` (graph IRI or
source), ``actor`` (the operating-system user, for command-line actions), ``remote`` (the
client address), ``message``. Token values are never passed here, so they never reach the log.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

AUDIT_FILE = "audit.log"
Outcome = Literal["ok", "refused", "failed"]
_MAX_MESSAGE = 4000


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    time: str
    action: str
    outcome: str
    status: int | None = None
    token_id: str | None = None
    organisation: str | None = None
    role: str | None = None
    target: str | None = None
    actor: str | None = None
    remote: str | None = None
    message: str = ""


class AuditLog:
    """The append-only audit log of one store directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / AUDIT_FILE

    def record(
        self,
        action: str,
        outcome: Outcome,
        *,
        status: int | None = None,
        token_id: str | None = None,
        organisation: str | None = None,
        role: str | None = None,
        target: str | None = None,
        actor: str | None = None,
        remote: str | None = None,
        message: str = "",
    ) -> AuditEntry:
        """Append one entry and fsync it; return what was written."""
        if outcome not in ("ok", "refused", "failed"):
            raise ValueError(f"unknown outcome {outcome!r}")
        if len(message) > _MAX_MESSAGE:
            message = message[:_MAX_MESSAGE] + " […]"
        entry = AuditEntry(
            time=datetime.now(UTC).isoformat(timespec="milliseconds"),
            action=action,
            outcome=outcome,
            status=status,
            token_id=token_id,
            organisation=organisation,
            role=role,
            target=target,
            actor=actor,
            remote=remote,
            message=message,
        )
        line = json.dumps(asdict(entry), ensure_ascii=False) + "\n"
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            # One write() per line under an exclusive lock: lines of concurrent writers (server
            # threads, worker processes, the command line) never interleave.
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                data = line.encode("utf-8")
                while data:
                    written = os.write(fd, data)
                    data = data[written:]
                os.fsync(fd)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
        return entry

    def entries(self) -> Iterator[AuditEntry]:
        """Every entry, oldest first."""
        try:
            fh = open(self.path, encoding="utf-8")
        except FileNotFoundError:
            return
        with fh:
            for line in fh:
                if line.strip():
                    yield AuditEntry(**json.loads(line))


def audit_log(store_directory: Path) -> AuditLog:
    return AuditLog(store_directory)
