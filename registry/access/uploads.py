"""Files uploaded in the browser, kept between the check (a dry run) and the confirmation, so
that "confirm" loads exactly the bytes whose report and changes were shown.

One pending upload per session: ``<state>/uploads/<session key>/`` holds the files (named by
their SHA-256) and ``upload.json`` (their names, sizes and digests, the kind asked for, and the
upload's id: the SHA-256 over the files' names and digests in order). A new upload replaces the
session's previous one, so what is kept is bounded by the upload size limit per live session;
uploads of sessions that have ended or expired are removed by :meth:`UploadStore.purge`.
Directories are mode 0700, files 0600. Knows nothing of HTTP.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

UPLOADS_DIR = "uploads"
_META = "upload.json"
_KEY = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class StoredFile:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Upload:
    """A pending upload: its id, its files, the kind asked for, and its check's fingerprint."""

    id: str
    files: tuple[StoredFile, ...]
    kind: str | None = None
    #: the store revision and the changes the check showed (``endpoint/submit/work.py``)
    checked: str = ""


def upload_id(files: list[tuple[str, bytes]]) -> str:
    """The id of a set of files: SHA-256 over each name and the SHA-256 of its bytes."""
    h = hashlib.sha256()
    for name, data in files:
        h.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).hexdigest().encode() + b"\n")
    return h.hexdigest()


class UploadStore:
    """The pending uploads of one state directory."""

    def __init__(self, directory: Path) -> None:
        self.root = Path(directory) / UPLOADS_DIR

    def _dir(self, session_key: str) -> Path:
        if not _KEY.match(session_key):
            raise ValueError("not a session key")
        return self.root / session_key

    def save(
        self, session_key: str, files: list[tuple[str, bytes]], kind: str | None, checked: str
    ) -> Upload:
        """Keep ``files`` as the session's pending upload (replacing an earlier one)."""
        self.discard(session_key)
        d = self._dir(session_key)
        d.mkdir(parents=True, mode=0o700)
        stored = []
        for name, data in files:
            digest = hashlib.sha256(data).hexdigest()
            _write(d / digest, data)
            stored.append(StoredFile(name, digest, len(data)))
        upload = Upload(upload_id(files), tuple(stored), kind, checked)
        meta = {
            "id": upload.id,
            "kind": kind,
            "checked": checked,
            "files": [f.__dict__ for f in stored],
        }
        _write(d / _META, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
        return upload

    def get(
        self, session_key: str, expected_id: str
    ) -> tuple[Upload, list[tuple[str, bytes]]] | None:
        """The session's pending upload and its bytes if its id is ``expected_id`` and every file
        still has the digest it was checked with; else ``None``."""
        d = self._dir(session_key)
        try:
            meta = json.loads((d / _META).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if meta.get("id") != expected_id:
            return None
        stored = tuple(StoredFile(str(f["name"]), str(f["sha256"]), int(f["size"]))
                       for f in meta.get("files", []))
        files = []
        for f in stored:
            try:
                data = (d / f.sha256).read_bytes()
            except OSError:
                return None
            if hashlib.sha256(data).hexdigest() != f.sha256:
                return None
            files.append((f.name, data))
        if upload_id(files) != expected_id:
            return None
        return Upload(expected_id, stored, meta.get("kind"), str(meta.get("checked", ""))), files

    def discard(self, session_key: str) -> None:
        """Remove the session's pending upload, if any."""
        shutil.rmtree(self._dir(session_key), ignore_errors=True)

    def purge(self, live_keys: set[str]) -> int:
        """Remove the uploads of sessions not in ``live_keys``; how many were removed."""
        removed = 0
        with contextlib.suppress(FileNotFoundError):
            for d in self.root.iterdir():
                if d.name not in live_keys:
                    shutil.rmtree(d, ignore_errors=True)
                    removed += 1
        return removed


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)


__all__ = ["UPLOADS_DIR", "StoredFile", "Upload", "UploadStore", "upload_id"]
