"""Backups: the whole registry in one file, and back.

A dump is an uncompressed-member ``tar.gz`` with fixed member names (nothing else is read
from it, and nothing is ever extracted to disk by name):

``manifest.json``
    ``format`` (``ogp-registry-dump/1``), ``base_uri``, the ``revision`` and its ``committed``
    time, ``created``, ``tool``, ``quads``, ``graphs`` (quads per graph IRI, ``""`` for the
    default graph) and ``files`` (SHA-256 of every other member).
``registry.nq``
    every quad of one committed revision as N-Quads: every named graph (sources, provenance,
    vocabularies) and the default graph.
``tokens.json``, ``audit.log``, ``dcat-state.json``
    the store's side files, when they exist: the hashed tokens (never token values; they are
    not stored anywhere), the audit log, and the catalogue's issued/modified dates.

A dump reads one committed revision, so it is consistent while the server serves and loads
happen. A restore replaces the whole content in one store transaction (the server picks it up
with its next query); the side files are then replaced atomically each. A dump made under
another base URI is refused: its IRIs would not match the store's.
"""

from __future__ import annotations

import hashlib
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
from registry.audit import AUDIT_FILE, audit_log
from registry.errors import ConfigurationError, SourceError, StoreError
from registry.i18n import msg
from registry.service import Registry

FORMAT = "ogp-registry-dump/1"
MANIFEST = "manifest.json"
QUADS = "registry.nq"
#: Side files of the store directory that a dump carries, in this order.
SIDE_FILES: tuple[str, ...] = ("tokens.json", AUDIT_FILE, "dcat-state.json")
_PRIVATE = frozenset({"tokens.json", AUDIT_FILE})
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

    def to_json(self) -> dict[str, Any]:
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


def _snapshot(reg: Registry) -> tuple[int, str, ox.Store]:
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
            "Lageret {path} har ingen lagrede data å sikkerhetskopiere. Kjør 'ogpreg init' "
            "eller last inn data først.",
            "The store {path} holds no committed data to back up. Run 'ogpreg init' or load "
            "data first.",
            path=reg.store.path,
        )
    )


def _add(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def write_dump(reg: Registry, out: IO[bytes]) -> DumpInfo:
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
        info = DumpInfo(
            base_uri=reg.settings.base_uri,
            revision=number,
            committed=committed,
            created=datetime.now(UTC).replace(microsecond=0).isoformat(),
            quads=sum(counts.values()),
            graphs=dict(sorted(counts.items())),
            files=files,
        )
        with tarfile.open(fileobj=out, mode="w:gz") as tar:
            manifest = json.dumps(info.to_json(), ensure_ascii=False, indent=2).encode("utf-8")
            _add(tar, MANIFEST, manifest)
            tar.add(str(nq), arcname=QUADS, recursive=False)
            for name, data in side.items():
                _add(tar, name, data, 0o600 if name in _PRIVATE else 0o644)
    return info


def dump_to_file(reg: Registry, path: Path) -> DumpInfo:
    """:func:`write_dump` to ``path``, written to a temporary file and renamed into place
    (mode 0600: the dump holds the audit log and the hashed tokens)."""
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
            "{file} er ikke en lesbar sikkerhetskopi fra 'ogpreg dump': {detail}",
            "{file} is not a readable backup made by 'ogpreg dump': {detail}",
            file=file,
            detail=detail,
        ),
        file=file,
    )


@dataclass
class _Opened:
    info: DumpInfo
    quads: list[ox.Quad]
    side: dict[str, bytes]


def read_dump(path: Path) -> _Opened:
    """Read and check a dump: the manifest, every member's SHA-256, the quad count."""
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
            if manifest.get("format") != FORMAT:
                raise _damaged(name, f"unknown format {manifest.get('format')!r}")
            info = DumpInfo(
                base_uri=str(manifest["base_uri"]),
                revision=int(manifest["revision"]),
                committed=str(manifest["committed"]),
                created=str(manifest["created"]),
                quads=int(manifest["quads"]),
                graphs={str(k): int(v) for k, v in manifest["graphs"].items()},
                files={str(k): str(v) for k, v in manifest["files"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise _damaged(name, f"manifest.json: {exc}") from exc
        data = read(QUADS, limit=None)
        side = {n: read(n) for n in SIDE_FILES if n in info.files}
    for member, blob in ((QUADS, data), *side.items()):
        if hashlib.sha256(blob).hexdigest() != info.files.get(member):
            raise _damaged(name, f"{member} does not match its SHA-256 in manifest.json")
    try:
        quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        raise _damaged(name, f"{QUADS}: {exc}") from exc
    if len(set(quads)) != info.quads:
        raise _damaged(
            name, f"{QUADS} has {len(set(quads))} quads, manifest.json says {info.quads}"
        )
    return _Opened(info, quads, side)


@dataclass
class RestoreResult:
    """What a restore did."""

    info: DumpInfo
    revision: int
    side_files: list[str]


def restore(
    reg: Registry, path: Path, *, data_only: bool = False, actor: str = ""
) -> RestoreResult:
    """Replace the whole content of the store with the dump at ``path``, in one transaction;
    then (unless ``data_only``) replace the side files the dump carries."""
    opened = read_dump(Path(path))
    info = opened.info
    if info.base_uri != reg.settings.base_uri:
        raise ConfigurationError(
            msg(
                "Sikkerhetskopien {file} ble laget med basis-URI {dumped}, men lageret bruker "
                "{configured}. Gjenopprett den i et lager med samme basis-URI (--base-uri "
                "{dumped} og et nytt --store).",
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
        f"store revision {rev.number}; side files: {', '.join(written) or 'none'}",
    )
    return RestoreResult(info, rev.number, written)


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
