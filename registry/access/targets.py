"""Which graph a write names: a source graph (``{base}graph/source/{id}``), a vocabulary graph,
the provenance graph, the default graph or another one. The Graph Store paths and the graphs a
SPARQL Update writes (``updates.py``) are classified here, and ``graphstore.py`` decides on the
class who may write it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from registry.errors import UsageError
from registry.loading.sources import source_id_for
from registry.uris import Uris

GraphKind = Literal["source", "vocabulary", "provenance", "default", "other"]


@dataclass(frozen=True)
class Target:
    """A graph named by a request: ``iri`` is ``None`` for the default graph."""

    iri: str | None
    kind: GraphKind
    source_id: str | None = None


def target(uris: Uris, iri: str | None) -> Target:
    """Classify a graph IRI (``None``: the default graph)."""
    if iri is None:
        return Target(None, "default")
    if iri == uris.provenance_graph:
        return Target(iri, "provenance")
    if iri.startswith(uris.base + "graph/vocabulary/"):
        return Target(iri, "vocabulary")
    if uris.is_source_graph(iri):
        sid = iri[len(uris.base + "graph/source/") :]
        try:
            source_id_for(sid, sid)
        except UsageError:
            return Target(iri, "other")
        return Target(iri, "source", sid)
    return Target(iri, "other")
