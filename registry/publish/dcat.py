"""The registry's DCAT-AP-NO catalogue, built from one committed revision of the store.

One dataset per action plan, one for the organisation register, one for the vocabularies
(``registry/publish/exports.py`` decides what each contains and writes the downloadable files), and
the SPARQL endpoint as a ``dcat:DataService``. The catalogue is a pure function of the
revision, the settings and a small state file that remembers when each dataset's content last
changed (``registry/publish/dcat_dates.py`` and docs/dcat.md):

- ``dct:modified`` of a dataset changes when, and only when, its content changes (a hash of
  its triples, independent of blank-node labels); the new value is the load time
  (``prov:generatedAtTime``) of the newest source graph holding any of its triples, or the
  revision's commit time when no contributing graph is newer (a removal). ``dct:issued`` is
  the load time of the oldest contributing source when the dataset is first seen.
- The catalogue's ``dct:modified`` changes when any dataset's content changes or a dataset
  appears or disappears.

The modules: ``dcat_terms.py`` (the vocabularies, standards and IRIs the catalogue uses, the
publisher checked), ``dcat_graph.py`` (the catalogue as triples, DCAT-AP-NO 2.0),
``dcat_graph3.py`` (the DCAT-AP 3 / DCAT-AP-NO 3 graph built from it), ``dcat_profiles.py``
(the profiles a client can ask for), ``dcat_dates.py`` (the dates above) and this one:
:func:`build_catalogue` puts them together for one revision (both graphs), and
:class:`CataloguePublisher` caches the catalogue and its files per store revision. Nothing
here knows HTTP or the command line.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox

from registry.handle import RegistryHandle
from registry.namespaces import PREFIXES, SPDX
from registry.publish.dcat_dates import current_dates
from registry.publish.dcat_graph import build_graph
from registry.publish.dcat_graph3 import build_graph_ap3
from registry.publish.dcat_terms import LDES, CatalogueUris
from registry.publish.exports import DatasetContent, ExportFile, dataset_contents, files_for
from registry.rdf.formats import RDF_FORMATS
from registry.rdf.writing import serialize as write_rdf
from registry.store.embedded import Revision

#: Feed formats: name -> media type (the formats of registry.rdf.formats).
FEED_FORMATS: dict[str, str] = {
    name: RDF_FORMATS[name].media_type for name in ("turtle", "rdfxml", "jsonld", "ntriples")
}


# -- one revision's catalogue, cached ---------------------------------------------------------
@dataclass
class Catalogue:
    """The catalogue and its downloadable files at one store revision, in both of its graphs
    (``registry/publish/dcat_profiles.py``): ``triples`` is the DCAT-AP-NO 2.0 graph (the
    default profile), ``triples_ap3`` the DCAT-AP 3 / DCAT-AP-NO 3 graph."""

    revision: int
    modified: datetime
    triples: list[ox.Triple]
    datasets: list[DatasetContent]
    files: dict[str, ExportFile]  # by file name
    triples_ap3: list[ox.Triple] = field(default_factory=list)
    _serialised: dict[tuple[str, str], bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _by_subject: dict[object, list[ox.Triple]] | None = None

    def graph(self, name: str = "no2") -> list[ox.Triple]:
        """The triples of one of :data:`registry.publish.dcat_profiles.GRAPHS`."""
        return self.triples_ap3 if name == "ap3" else self.triples

    def describe(self, iri: str) -> list[ox.Triple]:
        """What both graphs say about ``iri`` and the blank nodes it reaches, each statement
        once (a resource the catalogue mints, dereferenced: endpoint/catalog.py). The index
        by subject is built once per revision."""
        with self._lock:
            if self._by_subject is None:
                index: dict[object, list[ox.Triple]] = {}
                for t in dict.fromkeys([*self.triples, *self.triples_ap3]):
                    index.setdefault(t.subject, []).append(t)
                self._by_subject = index
            by_subject = self._by_subject
        out: dict[ox.Triple, None] = {}
        todo: list[object] = [ox.NamedNode(iri)]
        seen: set[object] = set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for t in by_subject.get(node, ()):
                out[t] = None
                if isinstance(t.object, ox.BlankNode):
                    todo.append(t.object)
        return list(out)

    def serialise_triples(self, triples: list[ox.Triple], fmt: str) -> bytes:
        """Some of the catalogue's ``triples`` in one of :data:`FEED_FORMATS`, with the
        catalogue's prefixes."""
        return write_rdf(triples, RDF_FORMATS[fmt].ox_format, _AP3_PREFIXES)

    def serialise(self, fmt: str = "turtle", graph: str = "no2") -> bytes:
        """The whole catalogue in one of :data:`FEED_FORMATS`, in one of its graphs (``no2``,
        the default, or ``ap3``); absolute IRIs only. Each is serialised once."""
        with self._lock:
            key = (graph, fmt)
            if key not in self._serialised:
                info = RDF_FORMATS[fmt]
                prefixes = _AP3_PREFIXES if graph == "ap3" else _FEED_PREFIXES
                # the RDF writer: RDF/XML well-formed (registry/rdf/writing.py)
                self._serialised[key] = write_rdf(
                    self.graph(graph), info.ox_format, prefixes
                )
            return self._serialised[key]


_FEED_PREFIXES = {
    **{k: v for k, v in PREFIXES.items() if k in ("dct", "dcat", "foaf", "vcard", "rdf", "xsd")},
    "spdx": str(SPDX),
}
_AP3_PREFIXES = {
    **_FEED_PREFIXES,
    **{k: v for k, v in PREFIXES.items() if k in ("skos", "owl")},
    "ldes": str(LDES),
}


def build_catalogue(
    registry: RegistryHandle, revision: Revision | None, reader: ox.Store
) -> Catalogue:
    """Build the catalogue for ``revision`` from ``reader`` (the same revision) and update the
    state file that remembers content hashes and dates."""
    uris = registry.uris
    contents = dataset_contents(reader, uris)
    files = {c.key: files_for(reader, uris, c) for c in contents}
    return catalogue_from(registry, revision, reader, contents, files)


def catalogue_from(
    registry: RegistryHandle,
    revision: Revision | None,
    reader: ox.Store,
    contents: list[DatasetContent],
    files: dict[str, list[ExportFile]],
) -> Catalogue:
    """The catalogue of ``revision`` from its datasets' contents and files (built now, or
    reused from the previous revision's materialised catalogue: ``materialise.py``)."""
    settings = registry.settings
    u = CatalogueUris(settings.base_uri)
    dates = current_dates(
        registry.store.path,
        revision,
        reader,
        registry.uris.provenance_graph,
        {u.dataset(c.key): c for c in contents},
        u.catalog,
    )
    triples = build_graph(settings, reader, contents, files, dates)
    return Catalogue(
        revision=revision.number if revision else 0,
        modified=dates[u.catalog].modified,
        triples=triples,
        datasets=contents,
        files={f.name: f for fs in files.values() for f in fs},
        triples_ap3=build_graph_ap3(settings, reader, contents, files, triples),
    )


class CataloguePublisher:
    """Builds the catalogue once per store revision and hands out the cached result.

    Every call reads the revision the store has committed at that moment (the one the SPARQL
    endpoint answers from) and rebuilds only when it has changed."""

    def __init__(self, registry: RegistryHandle) -> None:
        self.registry = registry
        self._lock = threading.Lock()
        self._current: Catalogue | None = None

    def _snapshot(self) -> tuple[Revision | None, ox.Store]:
        store = self.registry.store
        while True:
            before = store.revision()
            reader = store.reader()
            after = store.revision()
            if before == after:
                return before, reader

    def current(self) -> Catalogue:
        self.registry.ensure_initialised()
        with self._lock:
            revision, reader = self._snapshot()
            number = revision.number if revision else 0
            if self._current is None or self._current.revision != number:
                self._current = self._catalogue(revision, reader)
            return self._current

    def _catalogue(self, revision: Revision | None, reader: ox.Store) -> Catalogue:
        """The catalogue of ``revision`` (read through ``reader``), built from the store."""
        return build_catalogue(self.registry, revision, reader)
