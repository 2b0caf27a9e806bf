"""Bearer tokens per organisation for the authenticated write paths.

A token is 32 random bytes from the operating system's CSPRNG (``secrets.token_urlsafe(32)``),
shown once when it is issued and never stored. ``<store>/tokens.json`` (mode 0600, replaced
atomically) keeps, per token: its id, the organisation's IRI and name, the role, when it was
created, a label, whether it is revoked, and ``HMAC-SHA256(key=salt, message=token)`` with a
random 16-byte salt per token. See docs/security-writes.md for why that hash and not a slow one.

Verification computes the HMAC for every stored token and compares each in constant time
(``hmac.compare_digest``), so its duration depends on how many tokens exist, not on which one
matched, whether one matched, or whether the match was revoked. The caller learns only "valid"
(a :class:`TokenRecord`) or "not valid" (``None``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from registry.access.privatefile import write_private
from registry.actors import Actor, Role
from registry.errors import NotFound, StoreError, UsageError
from registry.handle import RegistryHandle
from registry.i18n import msg
from registry.model.organisations import resolve_organisation

#: Roles a token can have. ``submitter``: writes its own organisation's source graphs.
#: ``approver``: the coordinating ministry; writes any source graph and may use SPARQL Update.
#: ``admin``: the registry's operators; the same rights as ``approver``, for any organisation.
ROLES: tuple[str, ...] = ("submitter", "approver", "admin")
EDITOR_ROLES: frozenset[str] = frozenset({"approver", "admin"})

TOKENS_FILE = "tokens.json"
_FORMAT = "ogpreg-tokens/1"
_HASH = "hmac-sha256"
#: Longest bearer value looked at; anything longer is not one of ours (token_urlsafe(32) is 43).
_MAX_SECRET = 256


@dataclass(frozen=True)
class TokenRecord:
    """What the registry knows about a token; never its value."""

    id: str
    organisation: str
    organisation_name: str
    role: str
    created: str
    label: str | None = None
    revoked: bool = False
    revoked_at: str | None = None

    @property
    def is_editor(self) -> bool:
        """Approvers and admins may write any source graph and use SPARQL Update."""
        return self.role in EDITOR_ROLES

    @property
    def loaded_by(self) -> str:
        """How provenance names a write made with this token (``ogp:loadedBy``)."""
        return f"token:{self.id}"

    def actor(self) -> Actor:
        """The organisation and role the token acts as (registry/actors.py)."""
        return Actor(self.organisation, cast(Role, self.role), self.organisation_name or None)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the record, and the value that is shown once and then forgotten."""

    record: TokenRecord
    secret: str


def check_role(role: str) -> None:
    """Refuse a role that is not one of :data:`ROLES`."""
    if role not in ROLES:
        raise UsageError(
            msg(
                "Unknown role {role!r}. Allowed roles: {roles}.",
                role=role,
                roles=", ".join(ROLES),
            )
        )


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _digest(salt: bytes, secret: str) -> str:
    return hmac.new(salt, secret.encode("utf-8"), hashlib.sha256).hexdigest()


class TokenStore:
    """The token file of one store directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / TOKENS_FILE
        self._cache_lock = threading.Lock()
        self._cache: tuple[tuple[int, int, int], list[dict[str, Any]]] | None = None

    # -- file ------------------------------------------------------------------------------
    def _read(self) -> list[dict[str, Any]]:
        """The stored entries; re-read when the file changes (a revoke from the command line
        takes effect on a running server with its next request)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return []
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        with self._cache_lock:
            if self._cache is not None and self._cache[0] == key:
                return self._cache[1]
            try:
                data = json.loads(self.path.read_text("utf-8"))
                entries = list(data["tokens"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise StoreError(
                    msg(
                        "The token file {path} cannot be read ({error}). Restore it from a "
                        "backup, or move it away and issue new tokens.",
                        path=self.path,
                        error=exc,
                    )
                ) from exc
            self._cache = (key, entries)
            return entries

    def _write(self, entries: list[dict[str, Any]]) -> None:
        payload = json.dumps({"format": _FORMAT, "tokens": entries}, ensure_ascii=False, indent=2)
        write_private(self.path, payload.encode("utf-8") + b"\n")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer of the token file at a time, across processes."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / "tokens.lock", "a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @staticmethod
    def _record(entry: dict[str, Any]) -> TokenRecord:
        return TokenRecord(
            id=str(entry["id"]),
            organisation=str(entry["organisation"]),
            organisation_name=str(entry.get("organisation_name", "")),
            role=str(entry["role"]),
            created=str(entry["created"]),
            label=entry.get("label"),
            revoked=bool(entry.get("revoked", False)),
            revoked_at=entry.get("revoked_at"),
        )

    # -- operations ------------------------------------------------------------------------
    def issue(
        self, organisation: str, organisation_name: str, role: str, label: str | None = None
    ) -> IssuedToken:
        """Create a token for ``organisation`` (an IRI) with ``role``; return its value once."""
        check_role(role)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_bytes(16)
        with self._locked():
            entries = [dict(e) for e in self._read()]
            taken = {e["id"] for e in entries}
            token_id = "t-" + secrets.token_hex(4)
            while token_id in taken:
                token_id = "t-" + secrets.token_hex(4)
            record = TokenRecord(
                id=token_id,
                organisation=organisation,
                organisation_name=organisation_name,
                role=role,
                created=_now(),
                label=label or None,
            )
            entry: dict[str, Any] = record.to_dict()
            entry["hash"] = {"alg": _HASH, "salt": salt.hex(), "digest": _digest(salt, secret)}
            entries.append(entry)
            self._write(entries)
        return IssuedToken(record, secret)

    def tokens(self) -> list[TokenRecord]:
        """Every token ever issued (revoked ones too), oldest first."""
        return [self._record(e) for e in self._read()]

    def get(self, token_id: str) -> TokenRecord:
        for record in self.tokens():
            if record.id == token_id:
                return record
        raise NotFound(
            msg(
                "No token with id {id!r}. 'ogpreg token list' shows the tokens.",
                id=token_id,
            )
        )

    def revoke(self, token_id: str) -> TokenRecord:
        """Mark a token revoked (idempotent); it is refused from the next request on."""
        with self._locked():
            entries = [dict(e) for e in self._read()]
            for entry in entries:
                if entry["id"] == token_id:
                    if not entry.get("revoked"):
                        entry["revoked"] = True
                        entry["revoked_at"] = _now()
                        self._write(entries)
                    return self._record(entry)
        return self.get(token_id)  # raises NotFound

    def identify(self, secret: str) -> TokenRecord | None:
        """The token whose value is ``secret``, revoked or not; ``None`` if there is none.

        Every stored hash is computed and compared in constant time; the loop never stops
        early. Use :meth:`verify` to decide whether a request may proceed."""
        if not secret or len(secret) > _MAX_SECRET:
            return None
        match: dict[str, Any] | None = None
        for entry in self._read():
            h = entry.get("hash") or {}
            try:
                salt = bytes.fromhex(str(h.get("salt", "")))
            except ValueError:
                continue
            if h.get("alg") != _HASH:
                continue
            ok = hmac.compare_digest(_digest(salt, secret), str(h.get("digest", "")))
            if ok and match is None:
                match = entry
        return self._record(match) if match is not None else None

    def verify(self, secret: str) -> TokenRecord | None:
        """The token's record if ``secret`` is a valid, unrevoked token; else ``None``."""
        record = self.identify(secret)
        return record if record is not None and not record.revoked else None


def token_store(registry: RegistryHandle) -> TokenStore:
    """The token file that belongs to ``registry``'s store directory."""
    return TokenStore(registry.store.path)


_COORDINATES = "ASK { ?plan a ogp:ActionPlan ; ogp:coordinatedBy ?org }"


def issue(
    registry: RegistryHandle, organisation: str, role: str, label: str | None = None
) -> IssuedToken:
    """Issue a token for an organisation given by number, name or IRI.

    The token is recorded for the organisation whose name the caller is shown (its IRI). A
    number or name several organisations have is refused, naming them all with their IRIs
    (``strict``): two organisations may share a name and even a number in data from before
    the shapes refused a copy, and a token for the wrong one would act for it.

    ``approver`` is the coordinating ministry: the organisation must be the ``ogp:coordinatedBy``
    of an action plan in the registry."""
    check_role(role)
    org = resolve_organisation(registry, organisation, strict=True)
    names = registry.query(
        "SELECT ?org ?name WHERE { ?org skos:prefLabel ?name FILTER(lang(?name) = 'nb') }",
        substitutions={ox.Variable("org"): ox.NamedNode(org.iri)},
    )
    assert isinstance(names, ox.QuerySolutions)
    # Read every row and drop the result here: pyoxigraph results must not be freed by the
    # garbage collector on another thread.
    rows = [str(s["name"].value) for s in names]
    del names
    name = rows[0] if rows else org.name
    if role == "approver":
        coordinates = bool(  # the result is not kept in this frame (see above)
            registry.query(
                _COORDINATES,
                substitutions={ox.Variable("org"): ox.NamedNode(org.iri)},
            )
        )
        if not coordinates:
            raise UsageError(
                msg(
                    "{name} coordinates no action plan in the registry (ogp:coordinatedBy), so "
                    "it cannot have the role approver. Use --role submitter, or --role admin "
                    "for the registry's operators.",
                    name=name,
                )
            )
    return token_store(registry).issue(org.iri, name, role, label)


def list_tokens(registry: RegistryHandle) -> list[TokenRecord]:
    return token_store(registry).tokens()


def revoke(registry: RegistryHandle, token_id: str) -> TokenRecord:
    return token_store(registry).revoke(token_id)


def verify(registry: RegistryHandle, secret: str) -> TokenRecord | None:
    return token_store(registry).verify(secret)
