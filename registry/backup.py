"""Backups: the whole registry in one file, and back (an operation on a registry,
docs/architecture.md; ``ogpreg dump`` / ``ogpreg restore``).

A dump is an uncompressed-member ``tar.gz`` with fixed member names (nothing else is read
from it, and nothing is ever extracted to disk by name):

``manifest.json``
    ``format`` (``ogp-registry-dump/2``), ``base_uri``, the ``revision`` and its ``committed``
    time, ``created``, ``tool``, ``quads``, ``graphs`` (quads per graph IRI, ``""`` for the
    default graph), ``files`` (SHA-256 of every other member) and ``digest``: SHA-256 (or
    HMAC-SHA256 under ``OGPREG_BACKUP_KEY``) of the canonical manifest without ``digest``.
    Since the manifest holds every member's SHA-256, the digest binds the manifest's fields
    (the base URI, the counts) to the content: editing either is detected.
``registry.nq``
    every quad of one committed revision as N-Quads: every named graph (sources, provenance,
    vocabularies) and the default graph.
``tokens.json``, ``audit.log``, ``dcat-state.json``, ``proposal-contacts.jsonl``
    the store's side files, when they exist: the hashed tokens (never token values; they are
    not stored anywhere), the audit log, the catalogue's issued/modified dates, and the contact
    persons of proposals (personal data kept out of the RDF, registry/access/contacts.py).

A dump reads one committed revision, so it is consistent while the server serves and loads
happen. A restore first checks everything (the digest, each member's SHA-256, the quad counts),
then replaces the whole content in one store transaction (the server picks it up
with its next query); the side files are then replaced atomically each. A dump made under
another base URI is refused: its IRIs would not match the store's.

A plain SHA-256 digest detects a dump changed by accident or by hand, not someone who rewrites
the digest too; with ``OGPREG_BACKUP_KEY`` set, the HMAC can only be made with the key. A dump
without a digest (format 1, older versions), with a plain digest while a key is set, or with an
HMAC while no key is set is refused unless the caller accepts unsigned dumps
(``--accept-unsigned``); a digest that does not match is always refused.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from registry import TOOL
from registry.access.audit import AUDIT_FILE, audit_log
from registry.access.contacts import CONTACTS_FILE
from registry.errors import ConfigurationError, SourceError, StoreError
from registry.handle import RegistryHandle
from registry.i18n import Msg, msg

FORMAT = "ogp-registry-dump/2"
#: Dumps of ogpreg versions before the digest: read only when unsigned dumps are accepted.
OLD_FORMAT = "ogp-registry-dump/1"
#: Shortest OGPREG_BACKUP_KEY accepted.
MIN_KEY_LENGTH = 16
MANIFEST = "manifest.json"
QUADS = "registry.nq"
#: Side files of the store directory that a dump carries, in this order.
SIDE_FILES: tuple[str, ...] = ("tokens.json", AUDIT_FILE, "dcat-state.json", CONTACTS_FILE)
_PRIVATE = frozenset({"tokens.json", AUDIT_FILE, CONTACTS_FILE})
#: Largest manifest or side file read from a dump (the quads are streamed, not limited).
_MAX_SMALL_MEMBER = 256 * 1024 * 1024


@dataclass
class DumpInfo:
    """What a dump holds (its manifest)."""

    base_uri: str
    revision: int
    committed: str
    created: str
    quads: int
    graphs: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)
    #: ``sha256``, ``hmac-sha256`` or ``""`` (an older dump without a digest).
    digest_algorithm: str = ""

    def to_json(self) -> dict[str, Any]:
        """The manifest without its digest."""
        return {
            "format": FORMAT,
            "base_uri": self.base_uri,
            "revision": self.revision,
            "committed": self.committed,
            "created": self.created,
            "tool": TOOL,
            "quads": self.quads,
            "graphs": self.graphs,
            "files": self.files,
        }


def _graph_key(g: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    if isinstance(g, ox.NamedNode):
        return g.value
    return "" if isinstance(g, ox.DefaultGraph) else str(g)


def _snapshot(reg: RegistryHandle) -> tuple[int, str, ox.Store]:
    """A committed revision and its read-only store, read consistently."""
    for _ in range(20):
        before = reg.store.revision()
        reader = reg.store.reader()
        after = reg.store.revision()
        if before is not None and after == before:
            return before.number, before.committed.isoformat(), reader
        if before is None:
            break
    raise StoreError(
        msg(
            "The store {path} holds no committed data to back up. Run 'ogpreg init' or load "
            "data first.",
            path=reg.store.path,
        )
    )


def _canonical(manifest: dict[str, Any]) -> bytes:
    """The bytes a digest is computed over: the manifest without ``digest``, keys sorted."""
    body = {k: v for k, v in manifest.items() if k != "digest"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _backup_key(reg: RegistryHandle) -> bytes | None:
    key = reg.settings.backup_key
    if not key:
        return None
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigurationError(
            msg(
                "OGPREG_BACKUP_KEY is too short: use at least {n} characters (for example from "
                "'openssl rand -hex 32').",
                n=MIN_KEY_LENGTH,
            )
        )
    return key.encode("utf-8")


def _digest(manifest: dict[str, Any], key: bytes | None) -> dict[str, str]:
    data = _canonical(manifest)
    if key is None:
        return {"algorithm": "sha256", "value": hashlib.sha256(data).hexdigest()}
    return {"algorithm": "hmac-sha256", "value": hmac.new(key, data, hashlib.sha256).hexdigest()}


def _add(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def write_dump(reg: RegistryHandle, out: IO[bytes]) -> DumpInfo:
    """Write the whole registry (one committed revision plus the side files) to ``out``."""
    number, committed, reader = _snapshot(reg)
    with tempfile.TemporaryDirectory(prefix="ogpreg-dump-") as tmp:
        nq = Path(tmp) / QUADS
        reader.dump(str(nq), format=ox.RdfFormat.N_QUADS)
        counts: Counter[str] = Counter()
        for q in reader:
            counts[_graph_key(q.graph_name)] += 1
        files = {QUADS: _sha256_file(nq)}
        side: dict[str, bytes] = {}
        for name in SIDE_FILES:
            try:
                side[name] = (reg.store.path / name).read_bytes()
            except FileNotFoundError:
                continue
            files[name] = hashlib.sha256(side[name]).hexdigest()
        key = _backup_key(reg)
        info = DumpInfo(
            base_uri=reg.settings.base_uri,
            revision=number,
            committed=committed,
            created=datetime.now(UTC).replace(microsecond=0).isoformat(),
            quads=sum(counts.values()),
            graphs=dict(sorted(counts.items())),
            files=files,
            digest_algorithm="sha256" if key is None else "hmac-sha256",
        )
        with tarfile.open(fileobj=out, mode="w:gz") as tar:
            body = info.to_json()
            body["digest"] = _digest(body, key)
            manifest = json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
            _add(tar, MANIFEST, manifest)
            tar.add(str(nq), arcname=QUADS, recursive=False)
            for name, data in side.items():
                _add(tar, name, data, 0o600 if name in _PRIVATE else 0o644)
    return info


def dump_to_file(reg: RegistryHandle, path: Path) -> DumpInfo:
    """:func:`write_dump` to ``path``, written to a temporary file and renamed into place
    (mode 0600: the dump holds the audit log, the hashed tokens and contact persons)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            info = write_dump(reg, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return info


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _damaged(file: str, detail: object) -> SourceError:
    return SourceError(
        msg(
            "{file} is not a readable backup made by 'ogpreg dump': {detail}",
            file=file,
            detail=detail,
        ),
        file=file,
    )


def _changed(file: str, what: str, **params: object) -> SourceError:
    """The dump was edited after it was written: say what differs (``what``, a msgid with
    ``params``) and what to do."""
    return SourceError(
        msg(
            "{file}: {what} The backup was changed after 'ogpreg dump' wrote it, so it is "
            "not restored (nothing in the store was changed). Use an untouched copy of the "
            "backup, or make a new one with 'ogpreg dump'.",
            file=file,
            what=msg(what, **params),
        ),
        file=file,
    )


def _unsigned(file: str, what: str, **params: object) -> SourceError:
    """A dump whose manifest cannot be checked against its content: refused unless accepted."""
    return SourceError(
        msg(
            "{file}: {what} Restore it only if you trust the file, with --accept-unsigned.",
            file=file,
            what=msg(what, **params),
        ),
        file=file,
    )


@dataclass
class _Opened:
    info: DumpInfo
    quads: list[ox.Quad]
    side: dict[str, bytes]
    warnings: list[Msg] = field(default_factory=list)


def _check_digest(
    name: str, manifest: dict[str, Any], key: bytes | None, accept_unsigned: bool
) -> list[Msg]:
    """Check the manifest's digest (see the module docstring); the warnings of an accepted
    unsigned dump."""
    fmt = manifest.get("format")
    digest = manifest.get("digest")
    if fmt == OLD_FORMAT and digest is None:
        if not accept_unsigned:
            raise _unsigned(
                name,
                "the backup has no digest over manifest.json (it was made by an older version "
                "of ogpreg), so its base URI and counts cannot be checked against the content.",
            )
        return [msg("Warning: {file} has no digest (older format); manifest.json was not "
                    "checked against the content.", file=name)]
    if fmt != FORMAT:
        raise _damaged(name, f"unknown format {fmt!r}")
    if not isinstance(digest, dict) or not isinstance(digest.get("value"), str):
        raise _changed(name, "manifest.json has no digest.")
    algorithm = digest.get("algorithm")
    value = str(digest["value"])
    if algorithm == "sha256":
        if not hmac.compare_digest(_digest(manifest, None)["value"], value):
            raise _changed(
                name,
                "manifest.json does not match its digest (base URI {base}, {quads} quads, the "
                "members' SHA-256).",
                base=manifest.get("base_uri"), quads=manifest.get("quads"),
            )
        if key is not None:
            if not accept_unsigned:
                raise _unsigned(
                    name,
                    "OGPREG_BACKUP_KEY is set, but the backup is not signed with a key (plain "
                    "SHA-256 only), so anyone could have made its digest.",
                )
            return [msg("Warning: {file} is not signed with OGPREG_BACKUP_KEY.", file=name)]
        return []
    if algorithm == "hmac-sha256":
        if key is None:
            if not accept_unsigned:
                raise _unsigned(
                    name,
                    "the backup is signed with OGPREG_BACKUP_KEY, but no key is set here, so "
                    "its signature cannot be checked. Set OGPREG_BACKUP_KEY to the key it was "
                    "made with.",
                )
            return [msg("Warning: the signature of {file} was not checked (OGPREG_BACKUP_KEY is "
                        "not set).", file=name)]
        if not hmac.compare_digest(_digest(manifest, key)["value"], value):
            raise _changed(
                name,
                "manifest.json does not match its signature (HMAC-SHA256 with "
                "OGPREG_BACKUP_KEY; or the backup was made with another key).",
            )
        return []
    raise _changed(name, "unknown digest algorithm {alg!r}.", alg=algorithm)


def read_dump(path: Path, *, key: bytes | None = None, accept_unsigned: bool = False) -> _Opened:
    """Read and check a dump: the manifest's digest, every member's SHA-256, the quad counts
    (total and per graph). Raises before anything is changed."""
    name = str(path)
    try:
        tar = tarfile.open(path, mode="r:gz")
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise _damaged(name, exc) from exc
    with tar:
        try:
            members = {m.name: m for m in tar.getmembers() if m.isfile()}
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise _damaged(name, exc) from exc

        def read(member: str, limit: int | None = _MAX_SMALL_MEMBER) -> bytes:
            m = members.get(member)
            if m is None:
                raise _damaged(name, f"{member} is missing")
            if limit is not None and m.size > limit:
                raise _damaged(name, f"{member} is too large ({m.size} bytes)")
            fh = tar.extractfile(m)
            assert fh is not None
            return fh.read()

        try:
            manifest = json.loads(read(MANIFEST))
            if not isinstance(manifest, dict):
                raise TypeError("not a JSON object")
        except (ValueError, TypeError) as exc:
            raise _damaged(name, f"manifest.json: {exc}") from exc
        warnings = _check_digest(name, manifest, key, accept_unsigned)
        try:
            info = DumpInfo(
                base_uri=str(manifest["base_uri"]),
                revision=int(manifest["revision"]),
                committed=str(manifest["committed"]),
                created=str(manifest["created"]),
                quads=int(manifest["quads"]),
                graphs={str(k): int(v) for k, v in manifest["graphs"].items()},
                files={str(k): str(v) for k, v in manifest["files"].items()},
                digest_algorithm=str((manifest.get("digest") or {}).get("algorithm", "")),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise _damaged(name, f"manifest.json: {exc}") from exc
        data = read(QUADS, limit=None)
        side = {n: read(n) for n in SIDE_FILES if n in info.files}
    for member, blob in ((QUADS, data), *side.items()):
        if hashlib.sha256(blob).hexdigest() != info.files.get(member):
            raise _changed(
                name,
                "{member} does not match its SHA-256 in manifest.json.",
                member=member,
            )
    try:
        quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        raise _damaged(name, f"{QUADS}: {exc}") from exc
    unique = set(quads)
    counts: Counter[str] = Counter(_graph_key(q.graph_name) for q in unique)
    if len(unique) != info.quads or dict(counts) != info.graphs:
        raise _changed(
            name,
            "{member} has {quads} quads, but manifest.json says {expected} (or the counts per "
            "graph differ).",
            member=QUADS, quads=len(unique), expected=info.quads,
        )
    return _Opened(info, quads, side, warnings)


@dataclass
class RestoreResult:
    """What a restore did."""

    info: DumpInfo
    revision: int
    side_files: list[str]
    #: Why the dump could not be fully checked (an accepted unsigned dump).
    warnings: list[Msg] = field(default_factory=list)


def restore(
    reg: RegistryHandle,
    path: Path,
    *,
    data_only: bool = False,
    actor: str = "",
    accept_unsigned: bool = False,
) -> RestoreResult:
    """Replace the whole content of the store with the dump at ``path``, in one transaction;
    then (unless ``data_only``) replace the side files the dump carries. Everything is
    checked first (:func:`read_dump`); a dump that cannot be checked is refused unless
    ``accept_unsigned``."""
    opened = read_dump(Path(path), key=_backup_key(reg), accept_unsigned=accept_unsigned)
    info = opened.info
    if info.base_uri != reg.settings.base_uri:
        raise ConfigurationError(
            msg(
                "The backup {file} was made with base URI {dumped}, but the store uses "
                "{configured}. Restore it into a store with the same base URI (--base-uri "
                "{dumped} and a new --store).",
                file=path,
                dumped=info.base_uri,
                configured=reg.settings.base_uri,
            )
        )
    with reg.store.transaction(compact=True) as tx:
        tx.clear()
        tx.extend(opened.quads)
    rev = reg.store.revision()
    assert rev is not None
    written: list[str] = []
    if not data_only:
        for name, blob in opened.side.items():
            if name == AUDIT_FILE:
                continue  # appended below, after the entry for this restore
            _replace_file(reg.store.path / name, blob, 0o600 if name in _PRIVATE else 0o644)
            written.append(name)
        if AUDIT_FILE in opened.side:
            _replace_file(reg.store.path / AUDIT_FILE, opened.side[AUDIT_FILE], 0o600)
            written.append(AUDIT_FILE)
    audit_log(reg.store.path).record(
        "backup.restore",
        "ok",
        target=str(path),
        actor=actor or None,
        message=f"{info.quads} quads from revision {info.revision} ({info.created}); "
        f"store revision {rev.number}; side files: {', '.join(written) or 'none'}; digest: "
        + (info.digest_algorithm or "none")
        + (" (accepted with --accept-unsigned)" if opened.warnings else ""),
    )
    return RestoreResult(info, rev.number, written, opened.warnings)


def _replace_file(target: Path, data: bytes, mode: int) -> None:
    tmp = target.with_name(f"{target.name}.restore-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, target)
