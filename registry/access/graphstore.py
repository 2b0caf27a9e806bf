"""Writes on behalf of a token: the Graph Store's PUT, POST and DELETE of a source graph, and
SPARQL Update. Who may write which graph is decided in ``rights.py`` (:func:`authorise`, checked
here for every graph a write names).

The endpoint's Graph Store and SPARQL Update paths (endpoint/write/graphstore.py) call this; it
knows nothing of HTTP. The rules (docs/security-writes.md; the rights: ``rights.py``):

* An existing graph keeps its submitting organisation, whoever writes it; a new graph gets the
  token's organisation. ``ogp:loadedBy`` is ``token:<id>``.
* PUT and POST go through :meth:`Registry.load`: the same parsing, SHACL validation and
  all-or-nothing commit as a local load. DELETE and SPARQL Update run in one store transaction
  and are committed only if every changed resource, and everything that refers to a removed
  one, still conforms, with the validation context a load has (what the resources point to,
  and the organisations sharing a number or a name with one they describe).
* SPARQL Update is for ``approver`` and ``admin`` only, must name every graph it writes with a
  constant IRI (``GRAPH <…>`` or ``WITH <…>``), and may not use ``LOAD`` or ``SERVICE`` (the
  server fetches nothing).

HTTP writers take ``<store>/graph-store.lock`` around the rights check and the write, so a
check and the commit it allows cannot be separated by another HTTP write.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

import pyoxigraph as ox
from rdflib import URIRef

from registry.access.rights import authorise, graph_exists, organisation_name, owner_of
from registry.access.targets import Target, target
from registry.access.tokens import TokenRecord
from registry.access.updates import plan_update, run_confined, with_dataset
from registry.errors import (
    SPARQL_FAILURES,
    Forbidden,
    NotFound,
    QueryError,
    UsageError,
    ValidationFailed,
    sparql_failure,
)
from registry.history.recording import next_change
from registry.i18n import msg
from registry.loading.pipeline import LoadResult, record_history
from registry.loading.reserved import reserved_subject_issues
from registry.loading.sources import Provenance, SourceFile
from registry.model.organisations import namesakes
from registry.namespaces import PREFIXES
from registry.rdf.convert import quads_to_graph
from registry.rdf.formats import format_for, parse_rdf
from registry.service import Registry
from registry.store.discard import Discard
from registry.store.locks import exclusive
from registry.validation.report import Issue, ValidationReport
from registry.validation.shacl import validate_graph

__all__ = [  # the rights are read here too (endpoint/submit/, ogpreg/actors.py)
    "GraphChange",
    "UpdateResult",
    "apply_update",
    "authorise",
    "delete_graph",
    "graph_exists",
    "organisation_name",
    "owner_of",
    "put_graph",
    "write_lock",
]


@dataclass
class GraphChange:
    """What a DELETE or an update did to one source graph."""

    graph: str
    source_id: str | None
    triples: int
    added: int
    removed: int
    created: bool = False
    deleted: bool = False

    @property
    def unchanged(self) -> bool:
        return not self.added and not self.removed

    def to_dict(self) -> dict[str, object]:
        return {
            "graph": self.graph,
            "source_id": self.source_id,
            "triples": self.triples,
            "added": self.added,
            "removed": self.removed,
            "created": self.created,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
        }


@dataclass
class UpdateResult:
    """The graphs an update (or a DELETE) changed, and the warnings of their validation."""

    changes: list[GraphChange]
    warnings: list[Issue] = field(default_factory=list)


@contextlib.contextmanager
def write_lock(registry: Registry) -> Iterator[None]:
    """Serialise HTTP writers of one store (rights check + write), across processes."""
    with exclusive(registry.store.path / "graph-store.lock", registry.store.lock_timeout):
        yield


def _as_token(registry: Registry, token: TokenRecord) -> Registry:
    """The same registry and store, recording ``token:<id>`` as ``ogp:loadedBy``."""
    return Registry(replace(registry.settings, user=token.loaded_by), registry.store)


# -- Graph Store: PUT / POST / DELETE -----------------------------------------------------------
def put_graph(
    registry: Registry,
    token: TokenRecord,
    graph: str,
    data: bytes,
    *,
    fmt: str,
    file_name: str,
    merge: bool = False,
    dry_run: bool = False,
) -> tuple[LoadResult, bool]:
    """Replace (``merge=False``, PUT) or add to (``merge=True``, POST) a source graph with RDF
    in ``fmt``, through :meth:`Registry.load`. Returns the load result and whether the graph
    is new. Raises :class:`Forbidden`, :class:`SourceError`, :class:`ValidationFailed`."""
    tgt = target(registry.uris, graph)
    if not data.strip():
        raise UsageError(
            msg(
                "The request has no RDF data. Send the content in the body, or use DELETE to "
                "remove the graph.",
            )
        )
    info = format_for(file_name, fmt)
    with write_lock(registry):
        reader = registry.store.reader()
        authorise(registry, token, tgt, reader)
        assert tgt.iri is not None and tgt.source_id is not None
        existed = graph_exists(reader, registry.uris, tgt.iri)
        submitted_by = owner_of(reader, registry.uris, tgt.iri) if existed else token.organisation
        if merge and existed:
            new = parse_rdf(data, info, base_iri=registry.settings.base_uri, file=file_name)
            old = [
                ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                for q in reader.quads_for_pattern(None, None, None, ox.NamedNode(tgt.iri))
            ]
            merged = ox.serialize([*old, *new], format=ox.RdfFormat.N_QUADS)
            assert merged is not None
            # one line per statement in a stable order: a POST that adds nothing gives the
            # bytes (the hash) the last merge recorded, and its load commits nothing
            payload = b"".join(sorted(set(merged.splitlines(keepends=True))))
            source = SourceFile(file_name, payload, tgt.source_id, "nquads")
        else:
            source = SourceFile(file_name, data, tgt.source_id, info.name)
        # the token's organisation and role decide which statuses and lifecycle statements
        # the file may give (registry/lifecycle/files.py)
        results = _as_token(registry, token).load(
            [source], submitted_by=submitted_by, dry_run=dry_run, actor=token.actor()
        )
    return results[0], not existed


def delete_graph(registry: Registry, token: TokenRecord, graph: str) -> UpdateResult:
    """Remove a source graph and its provenance, if what remains still conforms."""
    tgt = target(registry.uris, graph)
    with write_lock(registry):
        reader = registry.store.reader()
        authorise(registry, token, tgt, reader)
        assert tgt.iri is not None
        if not graph_exists(reader, registry.uris, tgt.iri):
            raise NotFound(
                msg(
                    "The graph {graph} does not exist.",
                    graph=tgt.iri,
                )
            )
        g = ox.NamedNode(tgt.iri)
        return _apply(
            registry, token, [tgt], lambda tx: tx.remove_graph(g), "graph-store-delete",
            confined=True,
        )


# -- SPARQL Update ----------------------------------------------------------------------------
def apply_update(
    registry: Registry,
    token: TokenRecord,
    sparql: str,
    *,
    using: Sequence[str] = (),
    using_named: Sequence[str] = (),
) -> UpdateResult:
    """Run a SPARQL 1.1 update in one store transaction; commit it only if it writes nothing
    but the source graphs it names and they (and whatever refers to what it removed) still
    conform. ``using`` and ``using_named`` are the protocol's ``using-graph-uri`` and
    ``using-named-graph-uri`` (:func:`registry.access.updates.with_dataset`)."""
    if not token.is_editor:
        raise Forbidden(
            msg(
                "SPARQL Update is reserved for the roles approver and admin. Submit the whole "
                "source with PUT to /graph-store?graph=… (ogpreg load --remote).",
            )
        )
    sparql = with_dataset(registry, sparql, list(using), list(using_named))
    plan = plan_update(registry, sparql)
    targets = plan.targets
    with write_lock(registry):
        reader = registry.store.reader()
        for tgt in targets:
            authorise(registry, token, tgt, reader)
        if not targets:
            return UpdateResult([])
        base = registry.settings.base_uri
        # On a store of the graphs it can read or write (registry/access/updates.py), on
        # either engine, unless it reads GRAPH ?g over every graph: then on the transaction,
        # counted before and after (an external engine's transaction then brings every graph
        # into a store of its own: registry/store/remote/transaction.py).
        confined = not plan.reads.every_graph

        def run(tx: ox.Store) -> None:
            try:
                if confined:
                    run_confined(tx, sparql, plan, base_iri=base, prefixes=PREFIXES,
                                 whole_graphs=registry.settings.engine != "embedded")
                else:
                    tx.update(sparql, base_iri=base, prefixes=PREFIXES)
            except SPARQL_FAILURES as exc:
                raise sparql_failure(exc, update=True) from exc

        return _apply(registry, token, targets, run, "sparql-update", confined=confined)


# -- the shared transaction ---------------------------------------------------------------------
def _apply(
    registry: Registry,
    token: TokenRecord,
    targets: list[Target],
    change: Callable[[ox.Store], None],
    file_name: str,
    *,
    confined: bool = False,
) -> UpdateResult:
    """Apply ``change`` to the ``targets`` in one transaction, revalidate and commit. Unless
    ``confined`` (the change writes only those graphs by construction: the registry's own code
    removing them, or an update run on a store of its graphs, ``run_confined``), the store is
    counted before and after to prove that nothing outside them changed (an update reading
    ``GRAPH ?g`` over every graph, run by Oxigraph on the transaction): O(store) twice."""
    uris = registry.uris
    prov = ox.NamedNode(uris.provenance_graph)
    result: UpdateResult | None = None
    with registry.store.transaction() as tx:
        nodes = {t.iri: ox.NamedNode(t.iri) for t in targets if t.iri is not None}
        before = {iri: set(tx.quads_for_pattern(None, None, None, g)) for iri, g in nodes.items()}
        owners = {iri: owner_of(tx, uris, iri) for iri in nodes}
        existed = {iri: graph_exists(tx, uris, iri) for iri in nodes}
        total_before = 0 if confined else len(tx)
        change(tx)
        after = {iri: set(tx.quads_for_pattern(None, None, None, g)) for iri, g in nodes.items()}
        outside_before = total_before - sum(len(b) for b in before.values())
        outside_after = (
            outside_before if confined else len(tx) - sum(len(a) for a in after.values())
        )
        if outside_before != outside_after:
            # Defence in depth: the syntax check named the graphs; the store must agree.
            raise QueryError(
                msg(
                    "The update changed graphs it does not name; nothing was changed.",
                )
            )
        report = _revalidate(registry, tx, before, after, file_name)
        report.issues.extend(
            reserved_subject_issues(
                (q for iri in nodes for q in after[iri] - before[iri]), uris.base, file_name
            )
        )
        if not report.conforms:
            raise ValidationFailed(
                msg(
                    "The result of the change does not conform to the shapes; nothing was changed.",
                ),
                report,
            )
        # History: the load pipeline's history step (registry/loading/pipeline.py,
        # record_history), a version of every item the write changed. The update has already
        # run on ``tx``, so history reads the state before through ``_Before``: ``tx`` outside
        # the written graphs (unchanged), their saved old content in them.
        written = {iri for iri in nodes if before[iri] != after[iri]}
        if written:
            # history reads only quads_for_pattern, which _Before provides
            pre = cast(ox.Store, _Before(tx, {iri: before[iri] for iri in written}))
            number, when = next_change(pre, base=uris.base)
            recorded = record_history(
                pre,
                uris.base,
                {iri: (before[iri], after[iri]) for iri in written},
                number=number,
                when=when,
                agent=token.organisation,
                loaded_by=token.loaded_by,
                sources=sorted(written),
            )
            tx.extend(recorded.quads)
        # Provenance: unlike a load's write step, the data is already written (by the update
        # or the DELETE), a graph left empty is removed, and the record hashes the triples
        # (there is no file).
        changes: list[GraphChange] = []
        touched = False  # whether any graph or its provenance record is written
        for tgt in targets:
            if tgt.iri is None:
                continue
            b, a = before[tgt.iri], after[tgt.iri]
            change_ = GraphChange(
                graph=tgt.iri,
                source_id=tgt.source_id,
                triples=len(a),
                added=len(a - b),
                removed=len(b - a),
                created=not existed[tgt.iri] and bool(a),
                deleted=existed[tgt.iri] and not a,
            )
            changes.append(change_)
            if a == b and (a or not existed[tgt.iri]):
                continue
            touched = True
            g = nodes[tgt.iri]
            for q in list(tx.quads_for_pattern(g, None, None, prov)):
                tx.remove(q)
            if not a:
                tx.remove_graph(g)
                continue
            assert tgt.source_id is not None
            tx.extend(
                Provenance(
                    graph=tgt.iri,
                    source_id=tgt.source_id,
                    file_name=file_name,
                    sha256=_sha256(a),
                    loaded_by=token.loaded_by,
                    triple_count=len(a),
                    submitted_by=owners[tgt.iri] if existed[tgt.iri] else token.organisation,
                ).quads(uris)
            )
        result = UpdateResult(changes, report.warnings)
        if not written and not touched:
            # e.g. INSERT DATA of statements already there: no revision, every cache stays
            # valid (registry/store/discard.py)
            raise Discard
        note_changed = getattr(registry.store, "note_changed", None)
        note_subjects = getattr(registry.store, "note_subjects", None)
        if note_changed is not None and note_subjects is not None:  # issue 24: derived data
            note_changed(list(nodes))  # re-reads the written graphs, and of the shared ones
            note_subjects(uris.provenance_graph, list(nodes))  # only what was written there
            note_quads = getattr(registry.store, "note_quads", None)
            if written and note_quads is not None:
                note_quads(recorded.quads)
    assert result is not None
    return result


class _Before:
    """The state before an update that has already run on ``tx``, for :mod:`registry.history`
    (which reads only ``quads_for_pattern``): ``tx`` outside the written graphs, which the
    update left unchanged, and the saved old content of the written graphs."""

    def __init__(self, tx: ox.Store, old: dict[str, set[ox.Quad]]) -> None:
        self._tx = tx
        self._graphs = {ox.NamedNode(g) for g in old}
        self._old = [q for quads in old.values() for q in quads]
        self._by_subject: dict[object, list[ox.Quad]] = {}
        for q in self._old:
            self._by_subject.setdefault(q.subject, []).append(q)

    def quads_for_pattern(
        self, subject: Any, predicate: Any, object: Any, graph_name: Any = None
    ) -> Iterator[ox.Quad]:
        for q in self._tx.quads_for_pattern(subject, predicate, object, graph_name):
            if q.graph_name not in self._graphs:
                yield q
        if graph_name is not None and graph_name not in self._graphs:
            return
        for q in self._old if subject is None else self._by_subject.get(subject, ()):
            if (
                (predicate is None or q.predicate == predicate)
                and (object is None or q.object == object)
                and (graph_name is None or q.graph_name == graph_name)
            ):
                yield q


def _sha256(quads: Iterable[ox.Quad]) -> str:
    """SHA-256 of the graph's triples as sorted N-Triples lines (blank node labels as stored)."""
    lines = sorted(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads)
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def _describe(store: ox.Store, iris: Iterable[str], skip: ox.NamedNode) -> list[ox.Quad]:
    """Every statement about ``iris`` outside ``skip``, with the blank nodes they lead to."""
    out: list[ox.Quad] = []
    seen: set[ox.NamedNode | ox.BlankNode] = set()
    todo: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(i) for i in iris]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for q in store.quads_for_pattern(node, None, None, None):
            if q.graph_name == skip:
                continue
            out.append(q)
            if isinstance(q.object, ox.BlankNode):
                todo.append(q.object)
    return out


def _revalidate(
    registry: Registry,
    tx: ox.Store,
    before: dict[str, set[ox.Quad]],
    after: dict[str, set[ox.Quad]],
    file_name: str,
) -> ValidationReport:
    """Validate, in the changed store ``tx``, the resources of the changed graphs, the
    resources whose statements were removed, and those that refer to them; with the same
    context a load is validated with (:func:`registry.loading.pipeline.validation_context`:
    ``tx`` holds the state after the change, so no graph is left out)."""
    base = registry.settings.base_uri
    prov = ox.NamedNode(registry.uris.provenance_graph)
    added = [q for iri in after for q in after[iri] - before[iri]]
    removed = [q for iri in after for q in before[iri] - after[iri]]
    if not added and not removed:
        return ValidationReport()

    def named(terms: Iterable[object]) -> set[str]:
        return {t.value for t in terms if isinstance(t, ox.NamedNode)}

    def local(terms: Iterable[object]) -> set[str]:
        return {t for t in named(terms) if t.startswith(base)}

    current = [q for iri in after for q in after[iri]]
    focus = named(q.subject for q in (*current, *added, *removed))
    # Whatever refers to a resource that lost statements is checked again (a comment on a
    # commitment that is gone, a commitment whose lead agency lost its kind).
    for iri in named(q.subject for q in removed):
        for q in tx.quads_for_pattern(None, None, ox.NamedNode(iri), None):
            if q.graph_name != prov and isinstance(q.subject, ox.NamedNode):
                focus.add(q.subject.value)
    # The same context a load is validated with: the focus items' statements in every graph,
    # the statements about everything they point to, and the organisations that share a
    # number or a name with one of them (the shapes' uniqueness rules: an update inserting a
    # copy of a registered organisation is refused as a load of it is).
    data = current + _describe(tx, focus, prov)
    sharing = namesakes(tx, data, ())
    data += _describe(tx, local(q.object for q in data) - focus, prov)
    data += sharing
    report = validate_graph(
        quads_to_graph(data), focus_nodes=sorted(URIRef(f) for f in focus), file=file_name
    )
    for issue in report.issues:
        issue.file = file_name
    return report
