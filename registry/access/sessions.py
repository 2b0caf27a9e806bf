"""Browser sessions of the submission pages (endpoint/submit/): who signed in with which token,
until when. Server-side records, so a session ends the moment it is signed out, expires or its
token is revoked; the browser holds only a random id.

A session id is 32 random bytes from the operating system's CSPRNG
(``secrets.token_urlsafe(32)``), sent to the browser once in a cookie and never stored: the file
keeps its SHA-256 (the id is random and long, so a plain hash is enough; no salt or slow hash is
needed, unlike a password). ``<state>/sessions.json`` (mode 0600, written to a temporary file,
fsynced and renamed into place under ``sessions.lock``, like ``tokens.json``) holds per session:
``key`` (the hash), ``token_id``, ``organisation``, ``role``, ``created``, ``expires`` and
``csrf`` (the form token of the session, not a credential on its own).

:meth:`SessionStore.find` answers a session only while it has not expired and its token exists
and is not revoked (``ogpreg token revoke`` ends every session of the token with the next
request). Expired sessions are dropped whenever the file is written. Knows nothing of HTTP:
docs/submitting-in-a-browser.md, "For operators", says how the endpoint uses it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from registry.access.privatefile import write_private
from registry.access.tokens import TokenRecord, TokenStore
from registry.errors import StoreError
from registry.i18n import msg
from registry.store.locks import exclusive

SESSIONS_FILE = "sessions.json"
_FORMAT = "ogpreg-sessions/1"
#: Longest cookie value looked at (``token_urlsafe(32)`` is 43 characters).
_MAX_SECRET = 128
#: Seconds to wait for another writer of the session file.
_LOCK_TIMEOUT = 30.0


@dataclass(frozen=True)
class Session:
    """A signed-in browser: which token, until when, and its form token."""

    key: str
    token_id: str
    organisation: str
    role: str
    created: str
    expires: str
    csrf: str

    def expired(self, now: datetime | None = None) -> bool:
        return datetime.fromisoformat(self.expires) <= (now or datetime.now(UTC))

    def csrf_ok(self, value: str | None) -> bool:
        """Whether ``value`` is this session's form token (compared in constant time)."""
        return bool(value) and hmac.compare_digest(self.csrf, str(value))


def session_key(secret: str) -> str:
    """The stored form of a session id: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class SessionStore:
    """The session file of one state directory; ``lifetime`` in seconds."""

    def __init__(self, directory: Path, lifetime: float) -> None:
        self.directory = Path(directory)
        self.path = self.directory / SESSIONS_FILE
        self.lifetime = lifetime

    # -- file --------------------------------------------------------------------------------
    def _read(self) -> list[dict[str, Any]]:
        try:
            text = self.path.read_text("utf-8")
        except FileNotFoundError:
            return []
        try:
            return list(json.loads(text)["sessions"])
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                msg(
                    "The session file {path} cannot be read ({error}). Delete it: everyone "
                    "signed in to the submission pages signs in again.",
                    path=self.path,
                    error=exc,
                )
            ) from exc

    def _write(self, entries: list[dict[str, Any]]) -> None:
        payload = json.dumps({"format": _FORMAT, "sessions": entries}, indent=1)
        write_private(self.path, payload.encode("utf-8") + b"\n")

    def _change(self, edit: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
        """Rewrite the file under the lock: ``edit`` the live entries (expired ones dropped)."""
        with exclusive(self.directory / "sessions.lock", _LOCK_TIMEOUT):
            now = datetime.now(UTC)
            live = [e for e in self._read() if not _record(e).expired(now)]
            self._write(edit(live))

    # -- operations --------------------------------------------------------------------------
    def create(self, token: TokenRecord) -> tuple[str, Session]:
        """A new session for ``token``: the id for the cookie (shown once) and the record."""
        secret = secrets.token_urlsafe(32)
        now = datetime.now(UTC).replace(microsecond=0)
        session = Session(
            key=session_key(secret),
            token_id=token.id,
            organisation=token.organisation,
            role=token.role,
            created=now.isoformat(),
            expires=(now + timedelta(seconds=self.lifetime)).isoformat(),
            csrf=secrets.token_urlsafe(32),
        )
        self._change(lambda live: [*live, asdict(session)])
        return secret, session

    def find(self, secret: str | None, tokens: TokenStore) -> tuple[Session, TokenRecord] | None:
        """The live session of the cookie value ``secret`` and its token; ``None`` when there is
        none, it has expired, or its token is unknown or revoked."""
        if not secret or len(secret) > _MAX_SECRET:
            return None
        key = session_key(secret)
        entry = next((e for e in self._read() if e.get("key") == key), None)
        if entry is None:
            return None
        session = _record(entry)
        if session.expired():
            return None
        token = next((t for t in tokens.tokens() if t.id == session.token_id), None)
        if token is None or token.revoked:
            self.end(secret)
            return None
        return session, token

    def end(self, secret: str) -> bool:
        """Sign out: remove the session of ``secret``; whether there was one."""
        key = session_key(secret)
        found: list[dict[str, Any]] = []

        def edit(live: list[dict[str, Any]]) -> list[dict[str, Any]]:
            found.extend(e for e in live if e.get("key") == key)
            return [e for e in live if e.get("key") != key]

        self._change(edit)
        return bool(found)

    def end_token(self, token_id: str) -> int:
        """End every session of a token; how many there were."""
        ended: list[dict[str, Any]] = []

        def edit(live: list[dict[str, Any]]) -> list[dict[str, Any]]:
            ended.extend(e for e in live if e.get("token_id") == token_id)
            return [e for e in live if e.get("token_id") != token_id]

        self._change(edit)
        return len(ended)

    def live_keys(self) -> set[str]:
        """The keys of the sessions that have not expired."""
        now = datetime.now(UTC)
        return {str(e["key"]) for e in self._read() if not _record(e).expired(now)}


def _record(entry: dict[str, Any]) -> Session:
    return Session(
        key=str(entry["key"]),
        token_id=str(entry["token_id"]),
        organisation=str(entry["organisation"]),
        role=str(entry["role"]),
        created=str(entry["created"]),
        expires=str(entry["expires"]),
        csrf=str(entry["csrf"]),
    )


__all__ = ["SESSIONS_FILE", "Session", "SessionStore", "session_key"]
