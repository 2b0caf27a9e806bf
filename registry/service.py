"""The Registry façade: initialise, validate, load, query, export, count.

Adapters (the CLI, the endpoint, the loaders) call this; it knows nothing of them. A load runs
the steps of the commit pipeline (registry/loading/pipeline.py); modules below the façade take
a :class:`registry.handle.RegistryHandle` (which :class:`Registry` is) instead of importing it.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

import pyoxigraph as ox

from registry.actors import SYSTEM, Actor, actor_for_load
from registry.errors import (
    SPARQL_FAILURES,
    NotFound,
    UsageError,
    ValidationFailed,
    sparql_failure,
)
from registry.i18n import msg
from registry.loading import bundled
from registry.loading.conflicts import explain as explain_conflicts
from registry.loading.pipeline import (
    LoadResult,
    PreparedSource,
    Validator,
    commit,
    diff,
    drop_overridden_statuses,
    parse,
    parse_all,
    refuse_statuses,
    validate,
    validate_bundled,
)
from registry.loading.reserved import reserved_subject_issues
from registry.loading.sources import SourceFile
from registry.model import digest
from registry.namespaces import PREFIXES
from registry.rdf.formats import RDF_FORMATS
from registry.rdf.writing import serialize as write_rdf
from registry.settings import Settings
from registry.sparql.querytext import admitted
from registry.sparql.syntax import explain as explain_syntax
from registry.store.backend import Backend
from registry.store.embedded import EmbeddedStore, Revision
from registry.uris import Uris
from registry.validation.report import ValidationReport


@dataclass
class Stats:
    """Counts per class and per source."""

    classes: list[tuple[str, int]]
    sources: list[dict[str, object]]
    quads: int
    revision: Revision | None


class Registry:
    """The registry over one store. Build with :func:`open_registry`."""

    def __init__(self, settings: Settings, store: Backend) -> None:
        self.settings = settings
        self.store = store
        self.uris = Uris(settings.base_uri)
        #: The time the next commits record in the history (back-filling earlier plans:
        #: ``ogpreg load --recorded-at``); ``None`` records the time of the commit.
        self.recorded_at: datetime | None = None
        #: What :meth:`ensure_initialised` runs on an empty store. ``None``: :meth:`init` (the
        #: bundled Turtle). The adapters (the CLI, the app factory) set
        #: :func:`loaders.bundled.initialise`, which also loads the bundled submissions through
        #: the loaders — a layer the registry itself does not import.
        self.initialiser: Callable[[Registry], list[LoadResult]] | None = None
        #: Whether everything :attr:`initialiser` loads is in the store. It loads in several
        #: commits, so a first start stopped between them leaves a store that exists but lacks
        #: the rest; :meth:`ensure_initialised` then runs the initialiser again (it refreshes:
        #: what is there already commits nothing). ``None``: a store that exists is complete.
        self.initialised_check: Callable[[Registry], bool] | None = None
        self._complete = False  # checked once true: a store never becomes less initialised
        self._initialising = False  # the initialiser's own loads ask ensure_initialised too

    # -- initialisation ------------------------------------------------------------------
    def is_initialised(self) -> bool:
        """The store exists and holds everything the initialiser loads."""
        if self._complete:
            return True
        check = self.initialised_check
        self._complete = self.store.exists() and (check is None or check(self))
        return self._complete

    def ensure_initialised(self) -> list[LoadResult] | None:
        """Load the vocabularies and bundled data if the store is empty, or finish loading
        them if a first initialisation was stopped between its commits."""
        if self._initialising or self.is_initialised():
            return None
        if self.initialiser is None:
            return self.init()
        with self.initialising():
            return self.initialiser(self)

    @contextlib.contextmanager
    def initialising(self) -> Iterator[None]:
        """While an initialiser runs: its own loads call :meth:`ensure_initialised`, which must
        not start it again before its last commit."""
        before, self._initialising = self._initialising, True
        try:
            yield
        finally:
            self._initialising = before

    def init(self) -> list[LoadResult]:
        """Load (or refresh) the ontology, schemes, shapes and bundled real data, all in one
        commit. The bundled data is validated first; nothing is written if it does not
        conform."""
        files = bundled.vocabulary_sources() + bundled.data_sources()
        base = self.settings.base_uri
        prepared = [parse(f, self._graph_for(f), base_uri=base) for f in files]
        validate_bundled([p for p in prepared if not bundled.is_vocabulary(p.file.source_id)])
        return self._commit(
            prepared, loaded_by="ogp-registry (bundled data)", submitted_by=None, actor=SYSTEM
        )

    def _graph_for(self, f: SourceFile) -> str:
        if bundled.is_vocabulary(f.source_id):
            return self.uris.vocabulary_graph(bundled.vocabulary_name(f.source_id))
        return self.uris.source_graph(f.source_id)

    # -- loading ---------------------------------------------------------------------------
    def prepare(
        self,
        files: Iterable[SourceFile],
        *,
        validator: Validator | None = None,
        actor: Actor | None = None,
    ) -> list[PreparedSource]:
        """Parse and validate every file; collect all problems of all files (steps 1–4 of
        registry/loading/pipeline.py).

        Raises :class:`SourceError` for unreadable files (all of them named) and
        :class:`ValidationFailed` when any file has a violation. Writes nothing.
        ``validator`` replaces :func:`registry.validation.shacl.validate_graph` (same
        arguments, same report). ``actor`` (registry/actors.py; default: the operator) decides
        which statuses and lifecycle statements the files may give
        (registry/lifecycle/files.py)."""
        actor = actor or actor_for_load(None)
        self.ensure_initialised()
        base = self.settings.base_uri
        prepared = parse_all(files, lambda f: self.uris.source_graph(f.source_id), base_uri=base)
        reader = self.store.reader()
        drop_overridden_statuses(reader, base, prepared)
        refuse_statuses(reader, base, prepared, actor)
        for p in prepared:  # no statement about the registry's own graphs
            p.report.issues.extend(reserved_subject_issues(p.quads, base, p.file.name))
        try:
            validate(self.store, base, prepared, validator)
        except ValidationFailed as exc:  # one value too many: say which source has the other
            explain_conflicts(reader, base, exc.report, (p.graph for p in prepared),
                              {p.file.name: p.quads for p in prepared})
            raise
        return prepared

    def validate(
        self,
        files: Iterable[SourceFile],
        *,
        validator: Validator | None = None,
        actor: Actor | None = None,
    ) -> ValidationReport:
        """The validation report alone (raises like :meth:`prepare`)."""
        prepared = self.prepare(files, validator=validator, actor=actor)
        report = ValidationReport()
        for p in prepared:
            report.extend(p.report)
        return report

    def load(
        self,
        files: Iterable[SourceFile],
        *,
        submitted_by: str | None = None,
        dry_run: bool = False,
        validator: Validator | None = None,
        recorded_at: datetime | None = None,
        actor: Actor | None = None,
    ) -> list[LoadResult]:
        """Validate, then write every file into its source graph in one commit.

        All-or-nothing: if any file fails to parse or validate, nothing is written. Loading a
        source id again replaces its graph. ``dry_run`` validates and reports only.
        ``recorded_at`` back-dates the change in the history (not before the latest change).

        ``actor`` (registry/actors.py) is who loads: it decides which statuses and lifecycle
        statements the files may give (registry/lifecycle/files.py). Every adapter passes it;
        without it the load acts as the submitter of ``submitted_by`` (never more than the
        call claims), or, for the registry's own data (no ``submitted_by``), as the operator.
        A submitter's load is recorded for its own organisation."""
        actor = actor or actor_for_load(submitted_by)
        if actor.is_submitter and submitted_by != actor.organisation:
            raise UsageError(
                msg(
                    "A submitter ({org}) can only load data for its own organisation, not for "
                    "{other}.",
                    org=actor.label,
                    other=submitted_by or msg("the registry itself"),
                )
            )
        prepared = self.prepare(files, validator=validator, actor=actor)
        if dry_run:
            return [diff(p, self.store.reader(), self.uris) for p in prepared]
        return self._commit(
            prepared,
            loaded_by=self.settings.user,
            submitted_by=submitted_by,
            actor=actor,
            recorded_at=recorded_at,
        )

    def _commit(
        self,
        prepared: list[PreparedSource],
        *,
        loaded_by: str,
        submitted_by: str | None,
        actor: Actor,
        recorded_at: datetime | None = None,
    ) -> list[LoadResult]:
        """Steps 5–9 of the pipeline in one transaction (registry/loading/pipeline.py,
        :func:`~registry.loading.pipeline.commit`), recorded at ``recorded_at``, else at
        :attr:`recorded_at`, else now."""
        return commit(
            self.store,
            self.uris,
            prepared,
            loaded_by=loaded_by,
            submitted_by=submitted_by,
            actor=actor,
            recorded_at=recorded_at or self.recorded_at,
        )

    # -- reading ---------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]
        | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Evaluate a SPARQL query over the union of all graphs, with the registry's prefixes
        predeclared. Values are bound through ``substitutions``, never formatted in."""
        self.ensure_initialised()
        facts = admitted(sparql)  # nesting and SERVICE refused
        try:
            return self.store.reader().query(
                sparql,
                # The default graph is the union of all graphs unless the query names its own
                # dataset with FROM / FROM NAMED.
                use_default_graph_as_union=not facts.has_dataset,
                prefixes=PREFIXES,
                base_iri=self.settings.base_uri,
                substitutions=substitutions,
            )
        except SyntaxError as exc:  # where, what is wrong, what was expected (issue 19)
            raise explain_syntax(sparql, exc.msg or str(exc), PREFIXES) from exc
        except SPARQL_FAILURES as exc:
            raise sparql_failure(exc) from exc

    def export(self, fmt: str, graph: str | None = None) -> bytes:
        """The whole registry or one graph, in any RDF format. The whole registry in a format
        without named graphs (Turtle, N-Triples, RDF/XML) is the union of all graphs."""
        self.ensure_initialised()
        info = RDF_FORMATS[fmt]
        reader = self.store.reader()
        if graph is None:
            if info.datasets:
                out = reader.dump(format=info.ox_format, prefixes=PREFIXES)
            else:
                # A triple format cannot name graphs: write the union of all graphs.
                union = reader.query(
                    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True
                )
                assert isinstance(union, ox.QueryTriples)
                out = write_rdf(union, info.ox_format, PREFIXES)
        else:
            g = ox.NamedNode(graph)
            if g not in set(reader.named_graphs()):
                raise NotFound(
                    msg(
                        "The graph {graph} does not exist. 'ogpreg stats' lists the graphs.",
                        graph=graph,
                    )
                )
            if info.ox_format == ox.RdfFormat.RDF_XML:
                # through the RDF writer: well-formed XML (registry/rdf/writing.py)
                triples = [q.triple for q in reader.quads_for_pattern(None, None, None, g)]
                out = write_rdf(triples, info.ox_format, PREFIXES)
            else:
                out = reader.dump(format=info.ox_format, from_graph=g, prefixes=PREFIXES)
        assert out is not None
        return out

    def stats(self) -> Stats:
        self.ensure_initialised()
        reader = self.store.reader()
        classes = Counter[str]()
        solutions = reader.query(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
            use_default_graph_as_union=True,
        )
        assert isinstance(solutions, ox.QuerySolutions)
        for sol in solutions:
            classes[str(sol["c"].value)] = int(sol["n"].value)
        sources: list[dict[str, object]] = []
        prov = ox.NamedNode(self.uris.provenance_graph)
        for g in sorted(reader.named_graphs(), key=lambda n: n.value):
            if not isinstance(g, ox.NamedNode) or g == prov:
                continue
            info: dict[str, object] = {"graph": g.value, "triples": 0}
            for q in reader.quads_for_pattern(g, None, None, prov):
                key = q.predicate.value.rsplit("#", 1)[-1]
                if key in ("fileName", "loadedBy", "generatedAtTime", "submittedBy"):
                    info[key] = getattr(q.object, "value", "")
            info["triples"] = sum(1 for _ in reader.quads_for_pattern(None, None, None, g))
            sources.append(info)
        return Stats(
            classes=sorted(classes.items(), key=lambda kv: (-kv[1], kv[0])),
            sources=sources,
            quads=len(reader),
            revision=self.store.revision(),
        )

    def optimize(self) -> Revision:
        """Compact the store into a new revision with the same quads (queries on it run
        faster; docs/performance.md). Safe while the server serves."""
        self.ensure_initialised()
        return self.store.optimize()

    def last_modified(self) -> datetime | None:
        rev = self.store.revision()
        return rev.committed if rev else None


def open_registry(settings: Settings) -> Registry:
    """Open (or create) the registry described by ``settings``: on the embedded store, or on
    an external SPARQL engine when ``OGPREG_ENGINE`` names one (registry/store/remote/)."""
    if settings.engine != "embedded":
        from registry.store.remote.store import open_remote_store

        remote = open_remote_store(settings)
        remote.check_base_uri(settings.base_uri)
        return Registry(settings, remote)
    store = EmbeddedStore(
        settings.store,
        keep_revisions=settings.keep_revisions,
        compact_after=settings.compact_after_quads,
    )
    store.check_base_uri(settings.base_uri)
    digest.install(store)  # each commit keeps the pages' digest (registry/model/digest.py)
    return Registry(settings, store)
