"""The catalogue materialised with its revision: built by the commit, read from files after.

The DCAT catalogue is a function of one revision (``registry/publish/dcat.py``), and building
it reads every plan's content (about 50 s at 10,000 commitments). So a store on which
:func:`install` was called builds it before each commit, into the revision's derived folder
(:meth:`registry.store.embedded.EmbeddedStore.derived_dir`), in every profile's graph and every
feed format, with every download file::

    catalogue/meta.json                 revision, modified, the files' kinds and media types,
                                        and per dataset what the catalogue graph needs of it
    catalogue/graph-<no2|ap3>.<format>  the catalogue as served (format: registry.rdf.formats)
    catalogue/files/<name>              the download files

**In proportion to what the commit changed.** When the writer said what it changed
(:class:`registry.store.embedded.Changes`) and the previous revision has its materialised
catalogue, only the datasets the change touches are read again and their files written; the
files of the others are hard links to the previous revision's, and what the catalogue graph
says of them (content hash, graphs, themes, file sizes and checksums) comes from the previous
``meta.json``. The catalogue graph is then assembled from these parts by the same code as a
build from scratch (:func:`registry.publish.dcat_graph.build_graph`), so its bytes are the
same. A dataset is touched when

- a graph it has statements in was changed as a whole, or
- a changed subject is one of its members in the previous revision or in the new one: found
  by following the membership links from the subject towards the plans in the digest of both
  revisions (``registry/model/digest.py``, :func:`touched`), or
- for a plan, an organisation that leads one of its commitments changed (its CSV shows the
  lead's name), and for the organisation register and the vocabularies, a subject of theirs.

A blank node in a graph changed as a whole counts by what it points to (the IRIs that are
objects of its statements), since the digest keeps no blank node: an assessment uploaded as
``[] ogp:assesses <commitment>`` touches that commitment's plan. Without the digest of both
revisions, without the previous catalogue, or after a change to the default graph or of a blank
node's statements named as changed subjects, everything is built from scratch.
:class:`registry.publish.dcat.CataloguePublisher` serves a revision's catalogue from these files
when they exist (:func:`read`), and builds it as before when they do not (a revision committed
by a process that did not install the materialiser, or a remote store).
``tests/test_materialised.py`` checks that the catalogue after incremental commits equals, byte
for byte, the one built from scratch.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from registry.handle import RegistryHandle
from registry.model import digest
from registry.namespaces import OGP, THEME_NS, VOCAB_NS
from registry.publish.dcat import (
    FEED_FORMATS,
    Catalogue,
    CataloguePublisher,
    build_catalogue,
    catalogue_from,
)
from registry.publish.dcat_profiles import GRAPHS
from registry.publish.exports import (
    DatasetContent,
    DatasetKey,
    ExportFile,
    dataset_content,
    dataset_keys,
    files_for,
)
from registry.store.embedded import Changes, EmbeddedStore, Revision

FOLDER = "catalogue"
VERSION = 2
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ORG = "http://www.w3.org/ns/org#Organization"

#: Membership of a plan's dataset (``registry/publish/exports.py``, ``plan_members``), followed
#: backwards from a member towards its plan: subject -> object ...
_UP = tuple(str(x) for x in (OGP.inActionPlan, OGP.ofCommitment, OGP.forActionPlan,
                             OGP.submittedAt, OGP.commentOn, OGP.isResponseTo, OGP.assesses))
#: ... and object -> subject.
_DOWN = (str(OGP.hasCommitment), str(OGP.hasMilestone), "https://schema.org/location",
         str(OGP.derivedFromProposal), str(OGP.discussed))


class _Files(Mapping[str, ExportFile]):
    """The download files of a materialised catalogue, read from disk when asked for."""

    def __init__(self, folder: Path, kinds: dict[str, list[str]]) -> None:
        self.folder = folder
        self.kinds = kinds
        self._lock = threading.Lock()
        self._loaded: dict[str, ExportFile] = {}

    def __getitem__(self, name: str) -> ExportFile:
        kind, media_type = self.kinds[name]
        with self._lock:
            found = self._loaded.get(name)
            if found is None:
                data = (self.folder / "files" / name).read_bytes()
                found = self._loaded[name] = ExportFile(name, kind, media_type, data)
            return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.kinds)

    def __len__(self) -> int:
        return len(self.kinds)


class _StoredFile(ExportFile):
    """A download file of the previous revision, known by its size and checksums only (what
    the catalogue graph says of it); its bytes stay on disk."""

    def __post_init__(self) -> None:
        pass

    @property
    def byte_size(self) -> int:
        return int(self.__dict__["_size"])


def _stored(row: list[Any]) -> ExportFile:
    name, kind, media_type, size, sha256, sha1 = row
    f = _StoredFile(name, kind, media_type, b"")
    object.__setattr__(f, "sha256", sha256)
    object.__setattr__(f, "sha1", sha1)
    object.__setattr__(f, "_size", int(size))
    return f


class MaterialisedCatalogue(Catalogue):
    """A catalogue read from its materialised files: the same answers as the one built."""

    folder: Path

    def serialise(self, fmt: str = "turtle", graph: str = "no2") -> bytes:
        with self._lock:
            key = (graph, fmt)
            if key not in self._serialised:
                self._serialised[key] = (self.folder / f"graph-{graph}.{fmt}").read_bytes()
            return self._serialised[key]

    def graph(self, name: str = "no2") -> list[ox.Triple]:
        data = self.serialise("ntriples", name)
        return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def _part(c: DatasetContent, files: list[ExportFile]) -> dict[str, Any]:
    """What the catalogue graph needs of one dataset, to reuse it in the next revision."""
    return {
        "kind": c.kind,
        "hash": c.content_hash,
        "plan": c.plan,
        "plan_id": c.plan_id,
        "graphs": sorted(c.graphs),
        "themes": sorted(c.used_themes()),
        "theme_members": sorted(m for m in c.members if m.startswith(THEME_NS)),
        "files": [[f.name, f.kind, f.media_type, f.byte_size, f.sha256, f.sha1] for f in files],
    }


def _reused(key: str, part: dict[str, Any]) -> tuple[DatasetContent, list[ExportFile]]:
    content = DatasetContent(
        key=key,
        kind=part["kind"],
        triples=(),
        graphs=frozenset(part["graphs"]),
        content_hash=part["hash"],
        plan=part["plan"],
        plan_id=part["plan_id"],
        members=frozenset(part["theme_members"]),
        themes=frozenset(part["themes"]),
    )
    return content, [_stored(row) for row in part["files"]]


def write(
    cat: Catalogue,
    target: Path,
    parts: dict[str, dict[str, Any]] | None = None,
    linked: Mapping[str, Path] | None = None,
) -> None:
    """Write ``cat`` into ``target``/catalogue (a temporary folder renamed at the end); the
    files named in ``linked`` are hard links to those paths (the previous revision's)."""
    folder = target / FOLDER
    tmp = target / f".{FOLDER}.{os.getpid()}.{threading.get_ident()}"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "files").mkdir(parents=True)
    for graph in GRAPHS:
        for fmt in FEED_FORMATS:
            (tmp / f"graph-{graph}.{fmt}").write_bytes(cat.serialise(fmt, graph))
    linked = linked or {}
    for name, f in cat.files.items():
        if name in linked:
            try:
                os.link(linked[name], tmp / "files" / name)
            except OSError:  # a file system without hard links: a copy, still not rebuilt
                shutil.copyfile(linked[name], tmp / "files" / name)
        else:
            (tmp / "files" / name).write_bytes(f.data)
    if parts is None:
        parts = {d.key: _part(d, _files_of(cat, d)) for d in cat.datasets}
    meta = {
        "version": VERSION,
        "revision": cat.revision,
        "modified": cat.modified.isoformat(),
        "files": {name: [f.kind, f.media_type] for name, f in cat.files.items()},
        "datasets": [
            [d.key, d.kind, d.content_hash, d.plan, d.plan_id] for d in cat.datasets
        ],
        "parts": parts,
    }
    (tmp / "meta.json").write_text(json.dumps(meta, sort_keys=True), "utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)


def _files_of(cat: Catalogue, d: DatasetContent) -> list[ExportFile]:
    """The files of dataset ``d`` in ``cat``, in the order :func:`files_for` gives them."""
    stem = d.file_stem
    names = [f"{stem}.ttl", f"{stem}.nt", f"{stem}-commitments.csv", f"{stem}-milestones.csv"]
    return [cat.files[n] for n in names if n in cat.files]


def _meta(folder: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("version") == VERSION else None


def read(store: object, revision: Revision) -> MaterialisedCatalogue | None:
    """The materialised catalogue of ``revision``, or None when there is none."""
    if not isinstance(store, EmbeddedStore):
        return None
    folder = store.derived_dir(revision.number) / FOLDER
    meta = _meta(folder)
    if meta is None or meta.get("revision") != revision.number:
        return None
    cat = MaterialisedCatalogue(
        revision=revision.number,
        modified=datetime.fromisoformat(meta["modified"]),
        triples=[],
        datasets=[  # what the catalogue says of each; the triples are in the files
            DatasetContent(key, kind, (), frozenset(), content_hash, plan, plan_id)
            for key, kind, content_hash, plan, plan_id in meta["datasets"]
        ],
        files={},
    )
    cat.folder = folder
    cat.files = _Files(folder, meta["files"])  # type: ignore[assignment]
    return cat


# -- which datasets a commit touches --------------------------------------------------------------
@dataclass(frozen=True)
class Touched:
    """The datasets a change touches: plans by IRI, and the two others."""

    plans: frozenset[str]
    organisations: bool
    vocabularies: bool


def touched(
    clone: ox.Store,
    store_dir: Path,
    number: int,
    changes: Changes,
    parts: Mapping[str, Mapping[str, Any]],
    vocabulary_graphs: frozenset[str],
) -> Touched | None:
    """What the change of revision ``number`` touches (see the module docstring), from the
    digest of it and of the revision before; None when that cannot be told (build all)."""
    if "" in changes.graphs or any(s.startswith("_:") for s in changes.subject_set()):
        return None
    before = digest.shared_at(store_dir, number - 1)
    after = digest.shared_at(store_dir, number)
    if before is None or after is None:
        return None
    subjects = changes.subject_set()
    # what a blank node in a graph changed as a whole points to: the digest keeps no blank
    # node, so this is the only way to the dataset it joins (an assessment uploaded as
    # ``[] ogp:assesses <commitment>``); where it was before, the dataset's part names its graph
    hung: set[str] = set()
    for graph in changes.graphs:  # what a graph changed as a whole holds now, and held
        for q in clone.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            if isinstance(q.subject, ox.NamedNode):
                subjects.add(q.subject.value)
            elif isinstance(q.object, ox.NamedNode):
                hung.add(q.object.value)
        subjects.update(r[0] for r in before.rows("SELECT DISTINCT s FROM facts WHERE g = ?",
                                                  graph))
    plans: set[str] = set()
    organisations = False
    for d in (before, after):
        reach = digest.reached(d, subjects | hung, _UP, _DOWN)
        plans |= {r[0] for r in _typed(d, reach, str(OGP.ActionPlan))}
        orgs = {r[0] for r in _typed(d, subjects, ORG)}
        names = {r[0] for r in _typed(d, subjects, str(OGP.OrganisationName))}
        if names:
            orgs |= {r[0] for r in _chunks(d, "SELECT s FROM facts WHERE p = ? AND o IN ({})",
                                          sorted(names), str(OGP.hasName))}
        if orgs or names:
            organisations = True
            led = {r[0] for r in _chunks(d, "SELECT s FROM facts WHERE p = ? AND o IN ({})",
                                         sorted(orgs), str(OGP.leadAgency))}
            reach = digest.reached(d, led, _UP, _DOWN)
            plans |= {r[0] for r in _typed(d, reach, str(OGP.ActionPlan))}
    vocabularies = bool(vocabulary_graphs & (set(changes.graphs) | set(changes.subjects)))
    vocabularies = vocabularies or any(s.startswith((THEME_NS, VOCAB_NS)) for s in subjects)
    for key, part in parts.items():  # a graph it has statements in, changed as a whole
        if set(part["graphs"]) & changes.graphs:
            if part["kind"] == "plan":
                plans.add(part["plan"])
            elif key == "organisations":
                organisations = True
            else:
                vocabularies = True
    return Touched(frozenset(plans), organisations, vocabularies)


def _chunks(d: digest.Digest, sql: str, items: list[str], *first: str) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for i in range(0, len(items), 400):
        chunk = items[i : i + 400]
        out += d.rows(sql.format(",".join("?" * len(chunk))), *first, *chunk)
    return out


def _typed(d: digest.Digest, iris: set[str], kind: str) -> list[tuple[Any, ...]]:
    return _chunks(d, "SELECT DISTINCT s FROM facts WHERE p = ? AND o = ? AND s IN ({})",
                   sorted(iris), RDF_TYPE, kind)


# -- the deriver ---------------------------------------------------------------------------------
def derive_catalogue(
    registry: RegistryHandle,
    clone: ox.Store,
    target: Path,
    previous: Path | None,
    changes: Changes | None,
    revision: Revision,
) -> str:
    """Materialise the catalogue of ``revision`` (its content in ``clone``) into ``target``:
    from the previous revision's parts where the change did not touch them. Returns
    ``"incremental"`` or ``"full"`` (what was done)."""
    prev_folder = previous / FOLDER if previous is not None else None
    meta = _meta(prev_folder) if prev_folder is not None else None
    uris = registry.uris
    found: Touched | None = None
    if changes is not None and meta is not None and meta.get("revision") == revision.number - 1:
        vocab = frozenset(uris.vocabulary_graph(g) for g in ("themes", "values"))
        found = touched(
            clone, target.parent.parent, revision.number, changes, meta["parts"], vocab
        )
    if found is None or prev_folder is None or meta is None:
        write(build_catalogue(registry, revision, clone), target)
        return "full"
    parts: dict[str, dict[str, Any]] = {}
    contents: list[DatasetContent] = []
    files: dict[str, list[ExportFile]] = {}
    linked: dict[str, Path] = {}
    for key in dataset_keys(clone, uris):
        name, kind, plan, ident = key
        old = meta["parts"].get(name)
        if old is not None and not _is_touched(found, key) and (
            old["kind"], old["plan"], old["plan_id"]) == (kind, plan, ident):
            content, fs = _reused(name, old)
            parts[name] = old
            linked.update({f.name: prev_folder / "files" / f.name for f in fs})
        else:
            content = dataset_content(clone, uris, key)
            fs = files_for(clone, uris, content)
            parts[name] = _part(content, fs)
        contents.append(content)
        files[name] = fs
    cat = catalogue_from(registry, revision, clone, contents, files)
    write(cat, target, parts, linked)
    return "incremental"


def _is_touched(found: Touched, key: DatasetKey) -> bool:
    name, kind, plan, _ident = key
    if kind == "plan":
        return plan in found.plans
    return found.organisations if kind == "organisations" else found.vocabularies


def install(registry: RegistryHandle) -> None:
    """Make the registry's store build the catalogue of each revision before committing it."""
    store = registry.store
    if not isinstance(store, EmbeddedStore):
        return

    def derive(
        clone: ox.Store,
        target: Path,
        previous: Path | None,
        changes: Changes | None,
        revision: Revision,
    ) -> None:
        derive_catalogue(registry, clone, target, previous, changes, revision)

    store.add_deriver("catalogue", derive)


class MaterialisedPublisher(CataloguePublisher):
    """A :class:`CataloguePublisher` that serves a revision's materialised catalogue when the
    commit wrote one, and builds it (as before) when not."""

    def _catalogue(self, revision: Revision | None, reader: ox.Store) -> Catalogue:
        found = read(self.registry.store, revision) if revision else None
        return found or super()._catalogue(revision, reader)
