"""The history's terms: its graphs, the IRIs of changes and versions, the predicates of their
records, and the values they hold (times, N-Triples snapshots). Reading and writing the history
(``versions.py``, ``asof.py``, ``recording.py``) share them; the lifecycle reads items with
:func:`is_item_graph` and :func:`value` too.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import pyoxigraph as ox

from registry.namespaces import OGP

XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode(XSD + "integer")
XSD_DATETIME = ox.NamedNode(XSD + "dateTime")
PROV_AT_TIME = ox.NamedNode(PROV + "atTime")
PROV_GENERATED = ox.NamedNode(PROV + "generatedAtTime")
PROV_ASSOCIATED = ox.NamedNode(PROV + "wasAssociatedWith")
PROV_USED = ox.NamedNode(PROV + "used")
PROV_REVISION_OF = ox.NamedNode(PROV + "wasRevisionOf")
DCT_IS_VERSION_OF = ox.NamedNode(DCT + "isVersionOf")

CHANGE_NUMBER = ox.NamedNode(OGP.changeNumber)
CHANGE_KIND = ox.NamedNode(OGP.changeKind)
IN_CHANGE = ox.NamedNode(OGP.inChange)
VERSION_ACTION = ox.NamedNode(OGP.versionAction)
SNAPSHOT = ox.NamedNode(OGP.snapshot)
REASON = ox.NamedNode(OGP.reason)
LOADED_BY = ox.NamedNode(OGP.loadedBy)

#: Change kinds: short name -> ontology individual.
KINDS: dict[str, str] = {
    "load": str(OGP.Load),
    "status": str(OGP.StatusUpdate),
    "erase": str(OGP.Erase),
}
#: Version actions: short name -> ontology individual.
ACTIONS: dict[str, str] = {
    "create": str(OGP.Create),
    "update": str(OGP.Update),
    "delete": str(OGP.Delete),
}
KIND_NAMES = {iri: name for name, iri in KINDS.items()}
ACTION_NAMES = {iri: name for name, iri in ACTIONS.items()}

_HISTORY_SUFFIX = "/graph/history"


# -- IRIs ---------------------------------------------------------------------------------------
def history_graph(base: str) -> str:
    """The history graph of a registry with base URI ``base``."""
    return base + "graph/history"


def lifecycle_graph(base: str) -> str:
    """The lifecycle graph (current statuses and status-change records)."""
    return base + "graph/lifecycle"


def change_iri(base: str, number: int) -> str:
    """The IRI of change ``number``."""
    return f"{base}id/change/{number}"


def version_iri(item: str, number: int) -> str:
    """The stable, citable IRI of ``item``'s version created by change ``number``."""
    return f"{item}/version/{number}"


def is_item(iri: str, base: str) -> bool:
    """An IRI the history versions: under ``{base}id/``, not a status-change or change record."""
    return (
        iri.startswith(base + "id/")
        and not iri.startswith(base + "id/status-change/")
        and not iri.startswith(base + "id/change/")
    )


def is_item_graph(graph: object, base: str) -> bool:
    """A graph whose statements make up item descriptions: source graphs and the lifecycle."""
    if not isinstance(graph, ox.NamedNode):
        return False
    g = graph.value
    return g.startswith(base + "graph/source/") or g == lifecycle_graph(base)


def is_history_graph(graph: object) -> bool:
    """The history graph (recognised by its IRI ending in ``/graph/history``)."""
    return isinstance(graph, ox.NamedNode) and graph.value.endswith(_HISTORY_SUFFIX)


# -- values -------------------------------------------------------------------------------------
def canonical(triples: Iterable[ox.Triple]) -> str:
    """A description as sorted, de-duplicated N-Triples lines (the snapshot text)."""
    return "".join(sorted({f"{t} .\n" for t in triples}))


def parse_snapshot(text: str) -> tuple[ox.Triple, ...]:
    """The triples of a snapshot written by :func:`canonical`."""
    if not text:
        return ()
    return tuple(
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    )


def utc(when: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken as UTC."""
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def time_literal(when: datetime) -> ox.Literal:
    """A time as the ``xsd:dateTime`` literal the history records (UTC, whole seconds)."""
    text = utc(when).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return ox.Literal(text, datatype=XSD_DATETIME)


def parse_time(value: str) -> datetime:
    """A time written by :func:`time_literal` (or any ISO 8601 time), as aware UTC."""
    return utc(datetime.fromisoformat(value.replace("Z", "+00:00")))


def value(term: object) -> str:
    """The IRI or lexical value of a term (what ``.value`` gives, for any term type)."""
    v = getattr(term, "value", None)
    return v if isinstance(v, str) else str(term)


def number_literal(n: int) -> ox.Literal:
    """A change number as an ``xsd:integer`` literal."""
    return ox.Literal(str(n), datatype=XSD_INTEGER)

