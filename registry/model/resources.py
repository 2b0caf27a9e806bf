"""Resources as people read them: labels in their language, links both ways, who said what.

The core of the registry's web pages (``endpoint/pages/site.py``, ``endpoint/pages/deref.py``) and
of
their RDF representations. It knows nothing of HTTP: it answers "what does the registry say
about this IRI, in bokmål or English, and which source asserted each statement", "what links
here", the timeline of a commitment's milestones, the assessments side by side, the plans and
the dashboard numbers. Every read goes through :meth:`Registry.query` with the IRI or text
bound through ``substitutions`` (never formatted into the query).

Labels and types of everything are read once per store revision into a small index (a dict),
so that a page naming fifty organisations costs one lookup each, not fifty queries.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

import pyoxigraph as ox

from registry.i18n import Lang
from registry.namespaces import (
    OGP,
    OGP_NS,
    OGPSH_NS,
    PREFIXES,
    THEME_NS,
    VOCAB_NS,
)
from registry.service import Registry

Term = ox.NamedNode | ox.BlankNode | ox.Literal

RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
SKOS = PREFIXES["skos"]
DCT = PREFIXES["dct"]
XSD = PREFIXES["xsd"]
SCHEMA = PREFIXES["schema"]
ORG_ORGANIZATION = PREFIXES["org"] + "Organization"
SKOS_CONCEPT = SKOS + "Concept"
SKOS_SCHEME = SKOS + "ConceptScheme"
SCHEMA_PLACE = SCHEMA + "Place"
DCT_IS_REPLACED_BY = DCT + "isReplacedBy"
SKOS_CHANGE_NOTE = SKOS + "changeNote"

#: Where the w3id vocabulary namespaces are documented on this server (relative to the base
#: URI). In production the w3id.org redirects must point here (docs/pages.md).
W3ID_ROOT = "https://w3id.org/ogp-no/"
ONTOLOGY_IRI = "https://w3id.org/ogp-no/def"
SHAPES_IRI = "https://w3id.org/ogp-no/shapes"
THEME_SCHEME = THEME_NS + "scheme"

#: Statuses that take an item out of force: its URI answers 410 Gone (with its description).
STATUS_WITHDRAWN = VOCAB_NS + "status/withdrawn"
STATUS_SUPERSEDED = VOCAB_NS + "status/superseded"
GONE_STATUSES = (STATUS_WITHDRAWN, STATUS_SUPERSEDED)

#: Label properties, best first.
LABEL_PREDICATES: tuple[str, ...] = (SKOS + "prefLabel", DCT + "title", RDFS_LABEL)

#: Labels of the common external terms that the ontology does not label itself.
_RDFS = PREFIXES["rdfs"]
_OWL = PREFIXES["owl"]
EXTRA_LABELS: dict[str, tuple[str, str]] = {
    RDF_TYPE: ("type", "type"),
    RDFS_LABEL: ("etikett", "label"),
    _RDFS + "comment": ("kommentar", "comment"),
    _RDFS + "subClassOf": ("underklasse av", "subclass of"),
    _RDFS + "subPropertyOf": ("underegenskap av", "subproperty of"),
    _RDFS + "domain": ("domene", "domain"),
    _RDFS + "range": ("verdiområde", "range"),
    _RDFS + "isDefinedBy": ("definert i", "defined by"),
    _RDFS + "seeAlso": ("se også", "see also"),
    _OWL + "inverseOf": ("invers av", "inverse of"),
    _OWL + "versionInfo": ("versjon", "version"),
    _OWL + "Ontology": ("Ontologi", "Ontology"),
    _OWL + "Class": ("Klasse", "Class"),
    _OWL + "ObjectProperty": ("Objektegenskap", "Object property"),
    _OWL + "DatatypeProperty": ("Dataegenskap", "Datatype property"),
    _OWL + "FunctionalProperty": ("Funksjonell egenskap", "Functional property"),
    SKOS + "definition": ("definisjon", "definition"),
    SKOS + "broader": ("overordnet begrep", "broader"),
    SKOS + "narrower": ("underordnet begrep", "narrower"),
    SKOS + "topConceptOf": ("toppbegrep i", "top concept of"),
    SKOS + "hasTopConcept": ("har toppbegrep", "has top concept"),
    SKOS + "closeMatch": ("nær match", "close match"),
    SKOS + "exactMatch": ("eksakt match", "exact match"),
    SKOS + "relatedMatch": ("beslektet match", "related match"),
    SKOS + "broadMatch": ("bredere match", "broad match"),
    SKOS + "narrowMatch": ("smalere match", "narrow match"),
    SKOS + "scopeNote": ("omfangsnote", "scope note"),
    SKOS_CHANGE_NOTE: ("endringsnote", "change note"),
    DCT + "license": ("lisens", "licence"),
    DCT + "modified": ("endret", "modified"),
    DCT_IS_REPLACED_BY: ("erstattet av", "replaced by"),
    DCT + "replaces": ("erstatter", "replaces"),
    PREFIXES["prov"] + "Entity": ("Entitet (PROV)", "Entity (PROV)"),
}

Kind = Literal[
    "plan",
    "commitment",
    "milestone",
    "organisation",
    "meeting",
    "place",
    "proposal",
    "comment",
    "assessment",
    "concept",
    "scheme",
    "source",
    "graph",
    "resource",
]

_KIND_BY_TYPE: tuple[tuple[str, Kind], ...] = (
    (str(OGP.ActionPlan), "plan"),
    (str(OGP.Commitment), "commitment"),
    (str(OGP.Milestone), "milestone"),
    (ORG_ORGANIZATION, "organisation"),
    (str(OGP.Ministry), "organisation"),
    (str(OGP.PublicBody), "organisation"),
    (str(OGP.Meeting), "meeting"),
    (str(OGP.ConsultationMeeting), "meeting"),
    (str(OGP.FollowUpMeeting), "meeting"),
    (str(OGP.EvaluationMeeting), "meeting"),
    (str(OGP.Proposal), "proposal"),
    (str(OGP.Comment), "comment"),
    (str(OGP.ProgressAssessment), "assessment"),
    (str(OGP.Source), "source"),
    (SKOS_CONCEPT, "concept"),
    (SKOS_SCHEME, "scheme"),
    (SCHEMA_PLACE, "place"),
)


# -- texts in two languages ----------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    """A text shown on a page: its value, its language tag (None for plain strings) and
    whether it is in another language than the one asked for (a fallback)."""

    value: str
    lang: str | None = None
    fallback: bool = False


def lang_rank(tag: str | None, lang: Lang) -> int:
    t = (tag or "").lower()
    if t == lang or t.startswith(lang + "-"):
        return 0
    other: Lang = "en" if lang == "nb" else "nb"
    if t == other or t.startswith(other + "-"):
        return 1
    if lang == "nb" and t in ("no", "nn"):
        return 1
    if not t:
        return 2
    return 3


def pick(texts: Iterable[tuple[str, str | None]], lang: Lang) -> Text | None:
    """The text in ``lang``; else in the other language (marked as a fallback); else a plain
    string; else any. ``texts`` are (value, language tag) pairs."""
    best: tuple[int, str, str | None] | None = None
    for value, tag in texts:
        rank = lang_rank(tag, lang)
        if best is None or (rank, value) < (best[0], best[1]):
            best = (rank, value, tag)
    if best is None:
        return None
    rank, value, tag = best
    return Text(value, tag or None, fallback=rank in (1, 3))


_MONTHS = {
    "nb": (
        "januar februar mars april mai juni juli august september oktober november desember"
    ).split(),
    "en": (
        "January February March April May June July August September October November December"
    ).split(),
}


def format_date(value: str, lang: Lang) -> str:
    """A date at the precision it has: ``2019`` → 2019; ``2019-07`` → juli 2019 / July 2019;
    ``2019-07-01`` → 1. juli 2019 / 1 July 2019; a date-time adds the local time as given."""
    v = value.strip()
    try:
        if len(v) == 4 and v.isdigit():
            return v
        year, month = int(v[0:4]), int(v[5:7])
        name = _MONTHS[lang][month - 1]
        if len(v) == 7:
            return f"{name} {year}"
        day = int(v[8:10])
        text = f"{day}. {name} {year}" if lang == "nb" else f"{day} {name} {year}"
        if len(v) > 10 and v[10] == "T":
            clock = v[11:16]
            text += f" kl. {clock}" if lang == "nb" else f", {clock}"
        return text
    except (ValueError, IndexError):
        return value


_DATE_TYPES = {XSD + "date", XSD + "gYearMonth", XSD + "gYear", XSD + "dateTime"}


def literal_text(lit: ox.Literal, lang: Lang) -> Text:
    """How a literal reads on a page (dates at their precision, booleans as words)."""
    dt = lit.datatype.value if lit.datatype else ""
    if lit.language:
        return Text(lit.value, lit.language, fallback=lang_rank(lit.language, lang) != 0)
    if dt in _DATE_TYPES:
        return Text(format_date(lit.value, lang))
    if dt == XSD + "boolean":
        yes = lit.value in ("true", "1")
        return Text(("ja" if yes else "nei") if lang == "nb" else ("yes" if yes else "no"))
    return Text(lit.value)


def date_key(value: str | None) -> str:
    """A sort key for dates of any precision (missing dates last)."""
    return value if value else "9999"


# -- where a browser goes for an IRI -------------------------------------------------------
def doc_iri(iri: str, base: str) -> str | None:
    """The page on this server that documents a vocabulary IRI (``ogp:``, ``ogpsh:``,
    ``theme:``, ``vocab:``), or None for other IRIs."""
    if iri == ONTOLOGY_IRI:
        return base + "def"
    if iri.startswith(OGP_NS):
        return base + "def#" + iri[len(OGP_NS) :]
    if iri == SHAPES_IRI:
        return base + "def/shapes"
    if iri.startswith(OGPSH_NS):
        return base + "def/shapes#" + iri[len(OGPSH_NS) :]
    if iri == THEME_SCHEME:
        return base + "def/theme"
    if iri.startswith(THEME_NS):
        return base + "def/theme/" + iri[len(THEME_NS) :]
    if iri.startswith(VOCAB_NS):
        return base + "def/vocab/" + iri[len(VOCAB_NS) :]
    return None


def vocabulary_iri(path: str) -> str | None:
    """The vocabulary IRI documented at ``{base}def/<path>`` (the inverse of :func:`doc_iri`
    for pages that describe one term or scheme)."""
    if path in ("", "def"):
        return ONTOLOGY_IRI
    if path == "shapes":
        return SHAPES_IRI
    if path == "theme":
        return THEME_SCHEME
    if path.startswith("theme/") and len(path) > len("theme/"):
        return THEME_NS + path[len("theme/") :]
    if path.startswith("vocab/") and len(path) > len("vocab/"):
        return VOCAB_NS + path[len("vocab/") :]
    return None


def term_anchor(iri: str) -> str:
    """The anchor of a term on the ontology page: the local name of ``ogp:`` terms, and
    ``prefix-local`` for the external terms the ontology documents (``dct-title``)."""
    if iri.startswith(OGP_NS):
        return iri[len(OGP_NS) :]
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}-{iri[len(ns) :]}"
    return "".join(c if c.isalnum() else "-" for c in iri)


def href(iri: str, base: str) -> str:
    """Where a link to ``iri`` points: vocabulary terms to their documentation here; data
    IRIs (under the base URI) and external IRIs as they are."""
    return doc_iri(iri, base) or iri


# -- the per-revision index of labels and types --------------------------------------------
@dataclass
class _Index:
    revision: int | None
    labels: dict[str, list[tuple[int, str, str | None]]]  # iri -> (priority, value, lang)
    types: dict[str, set[str]]
    documented: set[str]  # terms described in the ontology graph (documented at {base}def)


_LABELS_QUERY = """
SELECT ?x ?p ?l WHERE {
  VALUES ?p { skos:prefLabel dct:title rdfs:label }
  ?x ?p ?l .
  FILTER (isIRI(?x) && isLiteral(?l))
}"""
_TYPES_QUERY = "SELECT ?x ?t WHERE { ?x a ?t FILTER (isIRI(?x) && isIRI(?t)) }"


@dataclass
class Node:
    """A resource named on a page: its IRI, where a link to it goes, its label (None when
    the registry has none) and its types."""

    iri: str
    href: str
    label: Text | None
    types: tuple[str, ...] = ()
    local: bool = False  # minted under the base URI

    @property
    def kind(self) -> Kind:
        return kind_of(self.types)


def kind_of(types: Iterable[str]) -> Kind:
    found = set(types)
    for t, kind in _KIND_BY_TYPE:
        if t in found:
            return kind
    return "resource"


@dataclass
class Value:
    """One object of one statement: a node or a literal, with the graphs asserting it."""

    node: Node | None = None
    text: Text | None = None
    raw: str | None = None  # the literal's lexical form
    datatype: str | None = None
    graphs: list[Node] = field(default_factory=list)
    nested: list[Property] = field(default_factory=list)  # a blank node's own statements


@dataclass
class Property:
    """The values of one predicate (outgoing), or the subjects linking here by it (incoming)."""

    predicate: Node
    values: list[Value] = field(default_factory=list)

    def texts(self) -> list[tuple[str, str | None]]:
        return [(v.raw or "", v.text.lang if v.text else None) for v in self.values if v.raw]


@dataclass
class Description:
    """What the registry says about one IRI, and what links to it."""

    node: Node
    lang: Lang
    properties: list[Property]
    backlinks: list[Property]
    described: bool  # the IRI is the subject of at least one statement
    is_graph: bool = False

    def prop(self, predicate: str) -> Property | None:
        return next((p for p in self.properties if p.predicate.iri == predicate), None)

    def values(self, predicate: str) -> list[Value]:
        p = self.prop(predicate)
        return p.values if p else []

    def nodes(self, predicate: str) -> list[Node]:
        return [v.node for v in self.values(predicate) if v.node is not None]

    def text(self, predicate: str) -> Text | None:
        p = self.prop(predicate)
        return pick(p.texts(), self.lang) if p else None

    def first(self, predicate: str) -> Value | None:
        vals = self.values(predicate)
        return vals[0] if vals else None

    def linking(self, *predicates: str) -> list[Node]:
        """Subjects that link here by any of ``predicates`` (deduplicated, in label order)."""
        seen: dict[str, Node] = {}
        for p in self.backlinks:
            if p.predicate.iri in predicates:
                for v in p.values:
                    if v.node is not None:
                        seen.setdefault(v.node.iri, v.node)
        return sorted(seen.values(), key=node_sort_key)

    @property
    def status(self) -> Node | None:
        nodes = self.nodes(str(OGP.registryStatus))
        return nodes[0] if nodes else None

    @property
    def gone(self) -> bool:
        """Withdrawn or superseded: the URI answers 410 Gone."""
        return any(n.iri in GONE_STATUSES for n in self.nodes(str(OGP.registryStatus)))

    @property
    def replaced_by(self) -> list[Node]:
        return self.nodes(DCT_IS_REPLACED_BY)

    @property
    def reasons(self) -> list[Text]:
        """Why the item was withdrawn or superseded: ``skos:changeNote`` in the page's
        language (falling back as usual); else the registry's ``ogp:editorialNote``."""
        for pred in (SKOS_CHANGE_NOTE, str(OGP.editorialNote)):
            t = self.text(pred)
            if t is not None:
                return [t]
        return []


def node_sort_key(n: Node) -> tuple[str, str]:
    label = n.label.value if n.label else n.iri
    return (unicodedata.normalize("NFKD", label).casefold(), n.iri)


@dataclass
class SearchHit:
    node: Node
    matched: Text
    score: int


@dataclass
class SourceInfo:
    """A source graph, its provenance and what it describes."""

    node: Node
    provenance: list[Property]
    subjects: list[Node]
    triples: int


# -- the reader ------------------------------------------------------------------------------
class Resources:
    """Reads resources for pages and their RDF. One per registry; thread-safe."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.base = registry.settings.base_uri
        self._lock = threading.Lock()
        self._index: _Index | None = None

    # -- plumbing ----------------------------------------------------------------------------
    def select(self, sparql: str, **bind: Term) -> list[ox.QuerySolution]:
        subs: dict[ox.Variable, Term | ox.Triple] = {ox.Variable(k): v for k, v in bind.items()}
        result = self.registry.query(sparql, substitutions=subs or None)
        assert isinstance(result, ox.QuerySolutions)
        return list(result)

    def revision(self) -> int | None:
        rev = self.registry.store.revision()
        return rev.number if rev else None

    def index(self) -> _Index:
        rev = self.revision()
        with self._lock:
            if self._index is not None and self._index.revision == rev and rev is not None:
                return self._index
        labels: dict[str, list[tuple[int, str, str | None]]] = defaultdict(list)
        prio = {p: i for i, p in enumerate(LABEL_PREDICATES)}
        for row in self.select(_LABELS_QUERY):
            lit = cast(ox.Literal, row["l"])
            labels[row["x"].value].append((prio[row["p"].value], lit.value, lit.language))
        types: dict[str, set[str]] = defaultdict(set)
        for row in self.select(_TYPES_QUERY):
            types[row["x"].value].add(row["t"].value)
        documented = {
            r["s"].value
            for r in self.select(
                "SELECT DISTINCT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o FILTER (isIRI(?s)) } }",
                g=ox.NamedNode(self.registry.uris.vocabulary_graph("ontology")),
            )
        }
        idx = _Index(rev, dict(labels), dict(types), documented)
        with self._lock:
            self._index = idx
        return idx

    def label(self, iri: str, lang: Lang) -> Text | None:
        entries = self.index().labels.get(iri)
        if not entries:
            extra = EXTRA_LABELS.get(iri)
            return Text(extra[0] if lang == "nb" else extra[1], lang) if extra else None
        top = min(e[0] for e in entries)
        return pick(((v, tag) for p, v, tag in entries if p == top), lang)

    def types(self, iri: str) -> tuple[str, ...]:
        return tuple(sorted(self.index().types.get(iri, ())))

    def node(self, iri: str, lang: Lang) -> Node:
        types = self.types(iri)
        label = self.label(iri, lang) or self._fallback_label(iri, types, lang)
        link = doc_iri(iri, self.base)
        if link is None and iri in self.index().documented:
            link = self.base + "def#" + term_anchor(iri)
        return Node(iri, link or iri, label, types, iri.startswith(self.base))

    def _fallback_label(self, iri: str, types: Sequence[str], lang: Lang) -> Text | None:
        """A readable name for things without a label: the class and the URI's last segment
        (``Kommentar eksempel-1``), or the last segment alone."""
        if not iri.startswith(self.base) and doc_iri(iri, self.base) is None:
            for prefix, ns in PREFIXES.items():  # xsd:string, rdf:langString, sh:Violation
                if iri.startswith(ns) and len(iri) > len(ns) and prefix != "ogp":
                    return Text(f"{prefix}:{iri[len(ns) :]}")
            return None
        tail = iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        if kind_of(types) == "milestone" and "/milestone/" in iri:
            head = iri.split("/milestone/")[0].rsplit("/", 1)[-1]
            word = "Milepæl" if lang == "nb" else "Milestone"
            return Text(f"{word} {tail} ({head})", lang)
        if iri.startswith(self.base + "graph/"):
            word = {"nb": "Kilde", "en": "Source"}[lang]
            if iri.startswith(self.base + "graph/vocabulary/"):
                word = {"nb": "Vokabular", "en": "Vocabulary"}[lang]
            elif iri == self.registry.uris.provenance_graph:
                return Text({"nb": "Proveniensgrafen", "en": "The provenance graph"}[lang], lang)
            return Text(f"{word} {tail}", lang)
        for t in types:
            cls = self.label(t, lang)
            if cls is not None:
                return Text(f"{cls.value} {tail}", cls.lang, cls.fallback)
        return Text(tail)

    def _value(
        self, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, lang: Lang
    ) -> Value:
        if isinstance(term, ox.NamedNode):
            return Value(node=self.node(term.value, lang))
        if isinstance(term, ox.Literal):
            dt = term.datatype.value if term.datatype and not term.language else None
            return Value(text=literal_text(term, lang), raw=term.value, datatype=dt)
        return Value(text=Text("[…]"))

    # -- existence ---------------------------------------------------------------------------
    def exists(self, iri: str) -> bool:
        """True when the registry mentions the IRI at all: as a subject, an object or the
        name of a graph."""
        result = self.registry.query(
            "ASK { { ?x ?p ?o } UNION { ?s ?p ?x } UNION { GRAPH ?x { ?a ?b ?c } } }",
            substitutions={ox.Variable("x"): ox.NamedNode(iri)},
        )
        return bool(result)

    def is_graph(self, iri: str) -> bool:
        result = self.registry.query(
            "ASK { GRAPH ?x { ?a ?b ?c } }", substitutions={ox.Variable("x"): ox.NamedNode(iri)}
        )
        return bool(result)

    # -- descriptions ------------------------------------------------------------------------
    def outgoing(self, iri: str) -> dict[str, list[Term]]:
        """Every predicate of ``iri`` and its objects (union of all graphs, deduplicated)."""
        out: dict[str, list[Term]] = defaultdict(list)
        for row in self.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", s=ox.NamedNode(iri)):
            obj = row["o"]
            if obj not in out[row["p"].value]:
                out[row["p"].value].append(obj)
        return dict(out)

    def describe(self, iri: str, lang: Lang) -> Description | None:
        """The statements about ``iri`` with the graphs asserting each, and the statements
        linking to it; None when the registry never mentions the IRI."""
        subject = ox.NamedNode(iri)
        props: dict[str, Property] = {}
        values: dict[tuple[str, Term], Value] = {}
        rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", s=subject)
        for row in rows:
            p, o, g = row["p"].value, row["o"], row["g"].value
            prop = props.get(p)
            if prop is None:
                prop = props[p] = Property(self.node(p, lang))
            key = (p, o)
            val = values.get(key)
            if val is None:
                val = values[key] = self._value(o, lang)
                prop.values.append(val)
            if all(n.iri != g for n in val.graphs):
                val.graphs.append(self.node(g, lang))
        nested = self.select(
            "SELECT ?s ?p ?o ?p2 ?o2 WHERE { ?s ?p ?o . ?o ?p2 ?o2 FILTER (isBlank(?o)) }",
            s=subject,
        )
        for row in nested:
            val = values.get((row["p"].value, row["o"]))
            if val is None:
                continue
            sub = next((q for q in val.nested if q.predicate.iri == row["p2"].value), None)
            if sub is None:
                sub = Property(self.node(row["p2"].value, lang))
                val.nested.append(sub)
            sub.values.append(self._value(row["o2"], lang))
        back: dict[str, Property] = {}
        seen: set[tuple[str, str]] = set()
        incoming = self.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER (isIRI(?s)) }", o=subject)
        for row in incoming:
            p, s = row["p"].value, row["s"].value
            if (p, s) in seen:
                continue
            seen.add((p, s))
            prop = back.get(p)
            if prop is None:
                prop = back[p] = Property(self.node(p, lang))
            prop.values.append(Value(node=self.node(s, lang)))
        described = bool(props)
        is_graph = self.is_graph(iri)
        if not described and not back and not is_graph:
            return None
        for prop in back.values():
            prop.values.sort(key=lambda v: node_sort_key(v.node) if v.node else ("", ""))
        ordered = sorted(props.values(), key=lambda p: _predicate_rank(p.predicate.iri))
        for prop in ordered:
            prop.values.sort(key=_value_sort_key)
        return Description(
            node=self.node(iri, lang),
            lang=lang,
            properties=ordered,
            backlinks=sorted(back.values(), key=lambda p: _predicate_rank(p.predicate.iri)),
            described=described,
            is_graph=is_graph,
        )

    def triples(self, iri: str) -> list[ox.Triple]:
        """The RDF representation of a resource: every statement about it, the statements of
        the blank nodes it points to, and every statement pointing to it (from all graphs,
        deduplicated). For a graph name: its provenance and its content."""
        node = ox.NamedNode(iri)
        out: dict[ox.Triple, None] = {}
        for row in self.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", s=node):
            out[ox.Triple(node, row["p"], row["o"])] = None
        for row in self.select(
            "SELECT ?s ?o ?p2 ?o2 WHERE { ?s ?p ?o . ?o ?p2 ?o2 FILTER (isBlank(?o)) }", s=node
        ):
            out[ox.Triple(row["o"], row["p2"], row["o2"])] = None
        for row in self.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", o=node):
            out[ox.Triple(row["s"], row["p"], node)] = None
        if self.is_graph(iri):
            for row in self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", g=node):
                out[ox.Triple(row["s"], row["p"], row["o"])] = None
        return list(out)

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        """The content of one named graph."""
        rows = self.select(
            "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", g=ox.NamedNode(graph)
        )
        return [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]

    def scheme_triples(self, scheme: str) -> list[ox.Triple]:
        """A concept scheme and its concepts (every statement about each)."""
        rows = self.select(
            "SELECT ?scheme ?s WHERE { ?s skos:inScheme ?scheme }", scheme=ox.NamedNode(scheme)
        )
        out: list[ox.Triple] = []
        for iri in [scheme, *sorted({r["s"].value for r in rows})]:
            for p, objs in self.outgoing(iri).items():
                out += [ox.Triple(ox.NamedNode(iri), ox.NamedNode(p), o) for o in objs]
        return out

    # -- search ----------------------------------------------------------------------------
    def search(self, text: str, lang: Lang, *, limit: int = 100) -> list[SearchHit]:
        """Resources whose title, label, alternative label or identifier contains ``text``
        (case-insensitive, also for æ, ø and å); exact and prefix matches first."""
        q = unicodedata.normalize("NFC", text).strip().lower()
        if not q:
            return []
        rows = self.select(
            """SELECT ?x ?l ?q WHERE {
                 VALUES ?p { skos:prefLabel skos:altLabel dct:title rdfs:label dct:identifier
                             skos:notation }
                 ?x ?p ?l .
                 FILTER (isIRI(?x) && isLiteral(?l) && CONTAINS(LCASE(STR(?l)), ?q))
               }""",
            q=ox.Literal(q),
        )
        best: dict[str, SearchHit] = {}
        for r in rows:
            iri = r["x"].value
            if iri.startswith(OGPSH_NS) or iri == SHAPES_IRI:
                continue
            lit = cast(ox.Literal, r["l"])
            low = unicodedata.normalize("NFC", lit.value).lower()
            score = 0 if low == q else 1 if low.startswith(q) else 2
            score = score * 4 + lang_rank(lit.language, lang)
            hit = SearchHit(self.node(iri, lang), literal_text(lit, lang), score)
            if iri not in best or score < best[iri].score:
                best[iri] = hit
        hits = sorted(best.values(), key=lambda h: (h.score // 4, node_sort_key(h.node)))
        return hits[:limit]

    # -- sources ---------------------------------------------------------------------------
    def source(self, graph: str, lang: Lang) -> SourceInfo | None:
        """A named graph: its provenance (from the provenance graph) and the resources it
        describes."""
        if not self.is_graph(graph):
            return None
        desc = self.describe(graph, lang)
        rows = self.select(
            "SELECT DISTINCT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o FILTER (isIRI(?s)) } }",
            g=ox.NamedNode(graph),
        )
        count = self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
            g=ox.NamedNode(graph),
        )
        subjects = sorted((self.node(r["s"].value, lang) for r in rows), key=node_sort_key)
        return SourceInfo(
            node=self.node(graph, lang),
            provenance=desc.properties if desc else [],
            subjects=subjects,
            triples=int(count[0]["n"].value) if count else 0,
        )

    # -- vocabulary documentation --------------------------------------------------------------
    def terms_in_graph(self, graph: str) -> dict[str, dict[str, list[Term]]]:
        """Every IRI subject of one (vocabulary) graph with its statements in that graph."""
        rows = self.select(
            "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o FILTER (isIRI(?s)) } }",
            g=ox.NamedNode(graph),
        )
        out: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for r in rows:
            out[r["s"].value][r["p"].value].append(r["o"])
        return {k: dict(v) for k, v in out.items()}

    def lists_in_graph(self, graph: str) -> dict[tuple[str, str], list[Term]]:
        """The members of every RDF list that an IRI subject of one graph points to
        (``ogpsh:X sh:in ( … )``), by (subject, predicate), sorted."""
        rows = self.select(
            """SELECT ?g ?s ?p ?v WHERE {
                 GRAPH ?g { ?s ?p ?l . ?l rdf:first ?first . ?l rdf:rest*/rdf:first ?v
                            FILTER (isIRI(?s)) }
               }""",
            g=ox.NamedNode(graph),
        )
        out: dict[tuple[str, str], list[Term]] = defaultdict(list)
        for r in rows:
            key = (r["s"].value, r["p"].value)
            if r["v"] not in out[key]:
                out[key].append(r["v"])
        return {k: sorted(v, key=lambda t: t.value) for k, v in out.items()}


# -- helpers ---------------------------------------------------------------------------------
_PREDICATE_ORDER: tuple[str, ...] = (
    RDF_TYPE,
    DCT + "identifier",
    SKOS + "prefLabel",
    DCT + "title",
    RDFS_LABEL,
    SKOS + "altLabel",
    SKOS + "notation",
    str(OGP.registryStatus),
    DCT_IS_REPLACED_BY,
    SKOS_CHANGE_NOTE,
    DCT + "description",
    SKOS + "definition",
    str(OGP.problemAddressed),
    str(OGP.ambition),
    str(OGP.inActionPlan),
    str(OGP.ofCommitment),
    str(OGP.leadAgency),
    str(OGP.supportingPublicBody),
    str(OGP.supportingNonGovernmentalActor),
    str(OGP.theme),
    str(OGP.ogpValue),
    str(OGP.policyArea),
    SCHEMA + "startDate",
    SCHEMA + "endDate",
)
_RANK = {p: i for i, p in enumerate(_PREDICATE_ORDER)}


def _predicate_rank(iri: str) -> tuple[int, str]:
    return (_RANK.get(iri, len(_RANK)), iri)


def _value_sort_key(v: Value) -> tuple[int, str, str]:
    if v.node is not None:
        k = node_sort_key(v.node)
        return (0, k[0], k[1])
    return (1, v.text.lang or "" if v.text else "", v.raw or "")
