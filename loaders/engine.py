"""The SHACL engine for submissions.

pySHACL needs about 70 ms per commitment with five milestones on our shapes (the SHACL-SPARQL
date rules dominate), so a 1,000-commitment submission would take more than a minute. For
submissions:

* the builder evaluates the shapes' five SHACL-SPARQL constraints itself, in Python, with the
  shapes' own messages: the date rules in ``loaders/build.py`` (``date_rules``); the
  organisation-number check digit where a number is read (``loaders/refs.py``,
  ``loaders/build.py``); the register record is derived from the number, so it always matches;
* the remaining (SHACL Core) constraints run in pyshacl-turbo, a Rust implementation of the
  pySHACL API, on a pyoxigraph store (no rdflib graph), with the shapes compiled once per
  process.

When pyshacl-turbo is not installed, the full shapes run in pySHACL (slow, same results).
``tests/test_loaders_engine.py`` checks that builder rules plus pyshacl-turbo (core) report
exactly what pySHACL (full shapes) reports. See docs/performance.md ("Submissions").
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from registry.rdfconv import quads_to_graph
from registry.validation import (
    ValidationReport,
    report_from_results,
    shapes_graph,
    validate_graph,
)

_LABELS = (
    "http://purl.org/dc/terms/identifier",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://purl.org/dc/terms/title",
)


def turbo_available() -> bool:
    try:
        import pyshacl_turbo  # noqa: F401
    except ImportError:
        return False
    return True


def engine_name() -> str:
    return "pyshacl-turbo" if turbo_available() else "pyshacl"


@lru_cache(maxsize=1)
def core_shapes() -> Graph:
    """The shapes without their SHACL-SPARQL constraints (the builder evaluates those)."""
    full = shapes_graph()
    g = Graph()
    for t in full:
        if t[1] != SH.sparql:
            g.add(t)
    return g


@lru_cache(maxsize=2)
def _compiled(core: bool) -> Any:
    import pyshacl_turbo

    shapes = core_shapes() if core else shapes_graph()
    return pyshacl_turbo.compile_shapes(shapes, advanced=True)  # type: ignore[no-untyped-call]


def validate_fast(
    data: Graph | Sequence[ox.Quad],
    *,
    focus_nodes: Sequence[URIRef] | None = None,
    file: str | None = None,
    engine: str | None = None,
    core: bool = False,
) -> ValidationReport:
    """:func:`registry.validation.validate_graph` with pyshacl-turbo when available
    (``engine`` forces ``"pyshacl"`` or ``"pyshacl-turbo"``); ``core`` leaves out the
    SHACL-SPARQL constraints (turbo only; pySHACL always runs the full shapes)."""
    chosen = engine or engine_name()
    if focus_nodes is not None and not focus_nodes:
        return ValidationReport()
    if chosen == "pyshacl":
        graph = data if isinstance(data, Graph) else quads_to_graph(data)
        return validate_graph(graph, focus_nodes=focus_nodes, file=file)
    if isinstance(data, Graph):
        target: Any = data
        labels = _graph_labels(data)
    else:
        target = ox.Store()
        target.extend([ox.Quad(q.subject, q.predicate, q.object) for q in data])
        labels = _quad_labels(data)
    _conforms, results, _text = _compiled(core).validate(
        target,
        inference="none",
        allow_warnings=True,
        focus_nodes=list(focus_nodes) if focus_nodes is not None else None,
    )
    assert isinstance(results, Graph)
    return _report(results, labels, file)


class SubmissionValidator:
    """The validator :mod:`loaders.submission` hands to :meth:`Registry.load`: quads in,
    core shapes in pyshacl-turbo (the builder has evaluated the SPARQL rules), else pySHACL."""

    takes_quads = True

    def __call__(
        self,
        data: Sequence[ox.Quad],
        *,
        focus_nodes: Sequence[URIRef] | None = None,
        file: str | None = None,
    ) -> ValidationReport:
        return validate_fast(data, focus_nodes=focus_nodes, file=file, core=turbo_available())


def _quad_labels(quads: Sequence[ox.Quad]) -> dict[str, str]:
    out: dict[str, tuple[int, str]] = {}
    for q in quads:
        p = q.predicate.value
        if p in _LABELS and isinstance(q.object, ox.Literal):
            rank = _LABELS.index(p) * 2 + (0 if q.object.language in (None, "nb") else 1)
            s = q.subject.value if isinstance(q.subject, ox.NamedNode) else str(q.subject)
            if s not in out or rank < out[s][0]:
                out[s] = (rank, q.object.value)
    return {k: v for k, (_r, v) in out.items()}


def _graph_labels(data: Graph) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in reversed(_LABELS):
        for s, o in data.subject_objects(URIRef(p)):
            if isinstance(o, Literal) and o.language in (None, "nb"):
                out[str(s)] = str(o)
    return out


def _report(results: Graph, labels: dict[str, str], file: str | None) -> ValidationReport:
    """The same conversion as :func:`registry.validation.validate_graph`."""
    return report_from_results(results, label=labels.get, file=file)
