"""Resources as people read them: labels in their language, links both ways, who said what.

The core of the registry's web pages (``endpoint/pages/``)
and of their RDF representations. It knows nothing of HTTP: :class:`Resources` answers "what
does the registry say about this IRI, in bokmål or English, and which source asserted each
statement", "what links here", "which resources match this text", what a source graph holds
and what a vocabulary graph defines. Every read goes through
:meth:`registry.handle.RegistryHandle.query` with the IRI or text bound through
``substitutions`` (never formatted into the query).

Labels and types are looked up in the revision's digest (``digest.py``: SQLite, built by the
commit) and remembered until the next revision, so that a page naming fifty organisations costs
fifty indexed lookups the first time and none after, whatever the size of the registry.

What it hands out lives beside it: ``description.py`` (nodes, statements, descriptions),
``text.py`` (texts in two languages, dates), ``terms.py`` (vocabulary IRIs, kinds, links);
``planviews.py`` builds the plan and commitment views on it.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from registry.handle import RegistryHandle
from registry.i18n import Lang, gettext, msg
from registry.model import planpanels
from registry.model.description import (
    Description,
    Node,
    Property,
    SearchHit,
    SourceInfo,
    Term,
    Value,
    node_sort_key,
    predicate_rank,
    value_sort_key,
)
from registry.model.digest import Digest, open_digest
from registry.model.terms import (
    EXTRA_LABELS,
    LABEL_PREDICATES,
    SHAPES_IRI,
    doc_iri,
    kind_of,
    term_anchor,
)
from registry.model.text import Text, lang_rank, literal_text, pick
from registry.namespaces import OGPSH_NS, PREFIXES


# -- what is looked up per revision -----------------------------------------------------------
@dataclass
class _RevisionCache:
    """Labels and types looked up in one revision's digest (``registry/model/digest.py``),
    remembered until the next revision."""

    digest: Digest | None
    labels: dict[str, list[tuple[int, str, str | None]]] = field(default_factory=dict)
    types: dict[str, frozenset[str]] = field(default_factory=dict)
    documented: set[str] | None = None  # terms described in the ontology graph
    #: plan -> query name -> its rows (kept by the commit, or asked of the store)
    panels: dict[str, dict[str, list[planpanels.Row]]] = field(default_factory=dict)


#: A place without a label is called by its address (issue 19).
SCHEMA_PLACE = PREFIXES["schema"] + "Place"
SCHEMA_ADDRESS = PREFIXES["schema"] + "address"
#: Lookups remembered per revision, at most (then forgotten and looked up again).
_CACHE_ENTRIES = 200_000


@dataclass
class SearchResult:
    """The hits of a search, whether more resources match than are given, and whether the
    text was found in so many texts that only the first of them were ranked."""

    hits: list[SearchHit]
    more: bool
    broad: bool


# -- the reader ------------------------------------------------------------------------------
class Resources:
    """Reads resources for pages and their RDF. One per registry; thread-safe."""

    def __init__(self, registry: RegistryHandle) -> None:
        self.registry = registry
        self.base = registry.settings.base_uri
        self._lock = threading.Lock()
        self._cache: _RevisionCache | None = None
        self._pinned = threading.local()  # .cache: this thread's request's revision, if pinned

    # -- plumbing ----------------------------------------------------------------------------
    def select(self, sparql: str, **bind: Term) -> list[ox.QuerySolution]:
        subs: dict[ox.Variable, Term | ox.Triple] = {ox.Variable(k): v for k, v in bind.items()}
        result = self.registry.query(sparql, substitutions=subs or None)
        assert isinstance(result, ox.QuerySolutions)
        return list(result)

    def plan_rows(self, plan: str, name: str) -> list[planpanels.Row]:
        """The answer rows of ``planpanels.QUERIES[name]`` for ``plan``: those the commit kept
        in the revision's digest, else (a digest without them) asked of the store."""
        cache = self._revision_cache()
        rows = cache.panels.get(plan)
        if rows is None:
            if len(cache.panels) > _CACHE_ENTRIES:
                cache.panels.clear()
            kept = cache.digest.panels(plan) if cache.digest else None
            rows = cache.panels[plan] = {
                key: planpanels.decode(data) for key, data in (kept or {}).items()
            }
        if name not in rows:
            asked = self.select(planpanels.for_plan(planpanels.QUERIES[name], plan))
            rows[name] = list(asked)
        return rows[name]

    def revision(self) -> int | None:
        rev = self.registry.store.revision()
        return rev.number if rev else None

    def pin(self) -> None:
        """Until :meth:`unpin`, this thread looks labels and types up in the revision current
        now: a page is drawn from one revision, and asks whether the store has a new one once,
        not once per label it shows (about 1,400 times for a home page, each a ``stat`` of
        ``CURRENT``). The pages pin for each request (``endpoint/pages/routes.py``)."""
        self._pinned.cache = self._current_cache()

    def unpin(self) -> None:
        self._pinned.cache = None

    def _revision_cache(self) -> _RevisionCache:
        pinned: _RevisionCache | None = getattr(self._pinned, "cache", None)
        return pinned if pinned is not None else self._current_cache()

    def _current_cache(self) -> _RevisionCache:
        self.registry.ensure_initialised()
        rev = self.revision()
        with self._lock:
            cache = self._cache
            if cache is not None and cache.digest is not None and cache.digest.revision == rev:
                return cache
        cache = _RevisionCache(open_digest(self.registry.store))
        with self._lock:
            self._cache = cache
        return cache

    def digest(self) -> Digest | None:
        """The digest of the current revision (None for a store never written)."""
        return self._revision_cache().digest

    def _labels(self, iri: str) -> list[tuple[int, str, str | None]]:
        cache = self._revision_cache()
        found = cache.labels.get(iri)
        if found is None:
            prio = {p: i for i, p in enumerate(LABEL_PREDICATES)}
            rows = cache.digest.labels(iri) if cache.digest else []
            found = [(prio[p], v, tag) for p, v, tag in rows]
            if len(cache.labels) > _CACHE_ENTRIES:
                cache.labels.clear()
            cache.labels[iri] = found
        return found

    def label(self, iri: str, lang: Lang) -> Text | None:
        entries = self._labels(iri)
        if not entries:
            extra = EXTRA_LABELS.get(iri)
            return Text(gettext(lang, extra), lang) if extra else None
        top = min(e[0] for e in entries)
        return pick(((v, tag) for p, v, tag in entries if p == top), lang)

    def types(self, iri: str) -> tuple[str, ...]:
        cache = self._revision_cache()
        found = cache.types.get(iri)
        if found is None:
            found = frozenset(cache.digest.types(iri)) if cache.digest else frozenset()
            if len(cache.types) > _CACHE_ENTRIES:
                cache.types.clear()
            cache.types[iri] = found
        return tuple(sorted(found))

    def _documented(self) -> set[str]:
        cache = self._revision_cache()
        if cache.documented is None:
            cache.documented = {
                r["s"].value
                for r in self.select(
                    "SELECT DISTINCT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o FILTER (isIRI(?s)) } }",
                    g=ox.NamedNode(self.registry.uris.vocabulary_graph("ontology")),
                )
            }
        return cache.documented

    def node(self, iri: str, lang: Lang) -> Node:
        types = self.types(iri)
        label = self.label(iri, lang) or self._fallback_label(iri, types, lang)
        link = doc_iri(iri, self.base)
        if link is None and iri in self._documented():
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
            name = msg("Milestone {number} ({commitment})", number=tail, commitment=head)
            return Text(name.render(lang), lang)
        if iri.startswith(self.base + "graph/"):
            if iri.startswith(self.base + "graph/vocabulary/"):
                name = msg("Vocabulary {name}", name=tail)
            elif iri == self.registry.uris.provenance_graph:
                name = msg("The provenance graph")
            else:
                name = msg("Source {name}", name=tail)
            return Text(name.render(lang), lang)
        if SCHEMA_PLACE in types:  # a place is called by its address (issue 19)
            address = next(
                (
                    o
                    for o in self.outgoing(iri).get(SCHEMA_ADDRESS, [])
                    if isinstance(o, ox.Literal)
                ),
                None,
            )
            if address is not None:
                return Text(address.value, address.language or None)
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
        ordered = sorted(props.values(), key=lambda p: predicate_rank(p.predicate.iri))
        for prop in ordered:
            prop.values.sort(key=value_sort_key)
        return Description(
            node=self.node(iri, lang),
            lang=lang,
            properties=ordered,
            backlinks=sorted(back.values(), key=lambda p: predicate_rank(p.predicate.iri)),
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
        """The hits of :meth:`search_result`."""
        return self.search_result(text, lang, limit=limit).hits

    def search_result(self, text: str, lang: Lang, *, limit: int = 100) -> SearchResult:
        """Resources whose title, label, alternative or former name or identifier contains
        ``text`` (case-insensitive, also for æ, ø and å); exact and prefix matches first. An
        organisation is found by its former names too (``skos:hiddenLabel``). At most
        ``limit``, and whether more match; a text found in very many texts is ranked among
        the first of them only (:meth:`registry.model.digest.Digest.search`)."""
        q = unicodedata.normalize("NFC", text).strip().lower()
        digest = self.digest() if q else None
        if digest is None:
            return SearchResult([], more=False, broad=False)
        found = digest.search(q, limit=limit + 20)
        rows = [
            r for r in found.rows
            if not r[0].startswith(OGPSH_NS) and r[0] != SHAPES_IRI
        ]
        names = digest.organisation_names(r[0] for r in rows)  # found as the organisation
        best: dict[str, SearchHit] = {}
        for iri, value, tag, tier in rows:
            if iri in names:
                continue
            score = tier * 4 + lang_rank(tag, lang)
            if iri not in best or score < best[iri].score:
                best[iri] = SearchHit(
                    self.node(iri, lang), literal_text(ox.Literal(value, language=tag)
                                                       if tag else ox.Literal(value), lang), score
                )
        hits = sorted(best.values(), key=lambda h: (h.score // 4, node_sort_key(h.node)))
        reached = len({r[0] for r in found.rows}) >= limit + 20  # the search stopped there
        return SearchResult(
            hits[:limit], more=len(hits) > limit or reached or found.broad, broad=found.broad
        )

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
