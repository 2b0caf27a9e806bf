"""The SHACL engine for submissions.

pySHACL needs about 70 ms per commitment with five milestones on our shapes (the SHACL-SPARQL
date rules dominate), so a 1,000-commitment submission would take more than a minute. For
submissions:

* the builder evaluates the shapes' five SHACL-SPARQL constraints itself, in Python, with the
  shapes' own messages: the date rules in ``loaders/build/checks.py`` (``date_rules``); the
  organisation-number check digit where a number is read (``loaders/build/refs.py``,
  ``loaders/build/emit.py``); the register record is derived from the number, so it always
  matches;
* the remaining (SHACL Core) constraints run in pyshacl-turbo, a Rust implementation of the
  pySHACL API, on a pyoxigraph store (no rdflib graph), with the shapes compiled once per
  process.

When pyshacl-turbo is not installed, the full shapes run in pySHACL (slow, same results).
``tests/test_loaders_engine.py`` checks that builder rules plus pyshacl-turbo (core) report
exactly what pySHACL (full shapes) reports. See docs/performance.md ("Submissions").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from registry.rdf.convert import quads_to_graph
from registry.validation.report import ValidationReport
from registry.validation.shacl import report_from_results, shapes_graph, validate_graph

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
    """:func:`registry.validation.shacl.validate_graph` with pyshacl-turbo when available
    (``engine`` forces ``"pyshacl"`` or ``"pyshacl-turbo"``); ``core`` leaves out the
    SHACL-SPARQL constraints (turbo only; pySHACL always runs the full shapes)."""
    chosen = engine or engine_name()
    if focus_nodes is not None and not focus_nodes:
        return ValidationReport()
    if chosen == "pyshacl":
        graph = data if isinstance(data, Graph) else quads_to_graph(data)
        return validate_graph(graph, focus_nodes=focus_nodes, file=file)
    stand_ins: StandIns | None = None
    if isinstance(data, Graph):
        target: Any = data
        labels = _graph_labels(data)
    else:
        target = ox.Store()
        sensitive = value_sensitive_predicates(core)
        if sensitive is None:
            target.extend(ox.Quad(q.subject, q.predicate, q.object) for q in data)
        else:
            stand_ins = StandIns(data, sensitive)
            target.extend(stand_ins.quads())
        labels = _quad_labels(data)
    _conforms, results, _text = _compiled(core).validate(
        target,
        inference="none",
        allow_warnings=True,
        focus_nodes=list(focus_nodes) if focus_nodes is not None else None,
    )
    del target
    assert isinstance(results, Graph)
    if stand_ins is not None:
        stand_ins.restore(results)
    return _report(results, labels, file)


# -- long literals -------------------------------------------------------------------------
#: Text literals longer than this many characters reach pyshacl-turbo as a short stand-in
#: (see :class:`StandIns`).
LONG_LITERAL = 256
STAND_IN_PREFIX = "ogpreg-long-literal:"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
#: Constraint parameters whose outcome does not depend on the lexical form of a text literal
#: (only on its presence, number, language tag or datatype), and non-constraint shape terms.
_VALUE_BLIND = frozenset(
    str(t)
    for t in (
        SH.path, SH.minCount, SH.maxCount, SH.datatype, SH.languageIn, SH.uniqueLang,
        SH.nodeKind, SH["class"], SH.name, SH.description, SH.message, SH.severity, SH.order,
        SH.group, SH.deactivated, SH.defaultValue,
    )
)


@lru_cache(maxsize=2)
def value_sensitive_predicates(core: bool) -> frozenset[str] | None:
    """The predicates whose text values some shape constrains by their content (``sh:pattern``,
    ``sh:in``, ``sh:maxLength``, nested shapes, ...), or None when substituting long literals
    is not safe at all for these shapes (SHACL-SPARQL constraints or targets, a path that is
    not a plain IRI, a literal ``sh:targetNode``). Conservative: any ``sh:`` parameter not
    known to be blind to the lexical form makes its path sensitive."""
    shapes = core_shapes() if core else shapes_graph()
    if (None, SH.sparql, None) in shapes or (None, SH.target, None) in shapes:
        return None
    if any(isinstance(o, Literal) for o in shapes.objects(None, SH.targetNode)):
        return None
    sensitive = {str(p) for p in shapes.objects(None, SH.targetObjectsOf)}
    sh = str(SH)
    for shape, path in shapes.subject_objects(SH.path):
        if not isinstance(path, URIRef):
            return None
        for p in shapes.predicates(shape, None):
            if str(p).startswith(sh) and str(p) not in _VALUE_BLIND:
                sensitive.add(str(path))
                break
    return frozenset(sensitive)


class StandIns:
    """Long text literals replaced by short stand-ins on their way to pyshacl-turbo, and put
    back in its results.

    A 50 MB submission is mostly long descriptions; pyshacl-turbo reads its data as one
    N-Quads text and parses it into its own graph, so every byte of them would be held two
    or three times more while the shapes are checked (docs/performance.md, "Memory").
    For a predicate no shape constrains by content (:func:`value_sensitive_predicates`), a
    ``xsd:string`` or language-tagged literal longer than :data:`LONG_LITERAL` characters is
    replaced by ``ogpreg-long-literal:`` + a 128-bit BLAKE2b digest of its text, with the same
    language tag or datatype. Equal texts get equal stand-ins and different texts different
    ones, so counts (``sh:maxCount``), languages (``sh:uniqueLang``, ``sh:languageIn``) and
    datatypes are checked exactly as on the original; a literal that already starts with the
    prefix is replaced too, so no original value can pass for a stand-in. Values and messages
    in the results get the original text back."""

    def __init__(self, data: Sequence[ox.Quad], sensitive: frozenset[str]) -> None:
        self.data = data
        self.sensitive = sensitive
        self.originals: dict[str, int] = {}  # stand-in -> index of a quad with the original

    def _stand_in(self, lit: ox.Literal, index: int) -> ox.Literal | None:
        text = lit.value
        if len(text) <= LONG_LITERAL and not text.startswith(STAND_IN_PREFIX):
            return None
        if lit.language is None and lit.datatype.value not in (_XSD_STRING, _RDF_LANG_STRING):
            return None
        key = STAND_IN_PREFIX + hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
        self.originals.setdefault(key, index)
        if lit.language is not None:
            return ox.Literal(key, language=lit.language)
        return ox.Literal(key)

    def quads(self) -> Iterator[ox.Quad]:
        """The data in the default graph, long literals replaced."""
        for i, q in enumerate(self.data):
            obj = q.object
            if isinstance(obj, ox.Literal) and q.predicate.value not in self.sensitive:
                small = self._stand_in(obj, i)
                if small is not None:
                    obj = small
            yield ox.Quad(q.subject, q.predicate, obj)

    def _original(self, key: str) -> ox.Literal:
        obj = self.data[self.originals[key]].object
        assert isinstance(obj, ox.Literal)
        return obj

    def restore(self, results: Graph) -> None:
        """Put the original texts back into ``results`` (values and messages)."""
        if not self.originals:
            return
        for s, p, o in list(results):
            if not (isinstance(o, Literal) and STAND_IN_PREFIX in str(o)):
                continue
            text = str(o)
            if p == SH.value and text in self.originals:
                orig = self._original(text)
                new = Literal(orig.value, lang=orig.language) if orig.language else Literal(
                    orig.value, datatype=URIRef(orig.datatype.value)
                )
            else:
                for key in self.originals:
                    if key in text:
                        text = text.replace(key, self._original(key).value)
                new = Literal(text, lang=o.language, datatype=o.datatype)
            results.remove((s, p, o))
            results.add((s, p, new))


class SubmissionValidator:
    """The validator :mod:`loaders.load` hands to :meth:`Registry.load`: quads in; for the files
    the builder made (``built``: their names), the core shapes in pyshacl-turbo (the builder
    has evaluated the SPARQL rules), else pySHACL; for every other file (RDF given with the
    submissions) the full shapes, SHACL-SPARQL rules included: nothing checked those."""

    takes_quads = True

    def __init__(self, built: frozenset[str] = frozenset()) -> None:
        self.built = built

    def __call__(
        self,
        data: Sequence[ox.Quad],
        *,
        focus_nodes: Sequence[URIRef] | None = None,
        file: str | None = None,
    ) -> ValidationReport:
        core = turbo_available() and file is not None and file in self.built
        return validate_fast(data, focus_nodes=focus_nodes, file=file, core=core)


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
    """The same conversion as :func:`registry.validation.shacl.validate_graph`."""
    return report_from_results(results, label=labels.get, file=file)
