"""Dereferencing: every URI the registry mints answers with a page for people and RDF for
programs (docs/pages.md).

* ``{base}id/…`` (plans, commitments, milestones, organisations, meetings, places, proposals,
  comments, assessments) and ``{base}graph/…`` (source, provenance and vocabulary graphs).
* The vocabulary (``https://w3id.org/ogp-no/…``) is documented at ``{base}def`` (ontology),
  ``{base}def/theme`` (themes; ``def/theme/<code>`` one theme), ``{base}def/vocab`` (value
  sets; ``def/vocab/<set>`` one set, ``def/vocab/<set>/<code>`` one value) and
  ``{base}def/shapes`` (SHACL). ``{base}def?uri=<w3id IRI>`` redirects to the right page. In
  production the w3id.org redirects point at these paths.

Content negotiation: ``text/html`` (also what ``*/*`` gets), ``text/turtle``,
``application/ld+json``, ``application/n-triples``, ``application/rdf+xml``,
``application/n-quads``, ``application/trig``, chosen by the ``Accept`` header's q-values (ties
go to that order), with ``Vary: Accept``. A ``format`` parameter (``html``, ``ttl``/``turtle``,
``jsonld``, ``nt``/``ntriples``, ``rdf``/``rdfxml``, ``nq``/``nquads``, ``trig``) or a file
extension (``.html``, ``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``, ``.nq``, ``.trig``) overrides the
header. Nothing acceptable: 406. Unknown URI: 404. Withdrawn or superseded: 410 Gone, with the
description, the reason and the successor (``Link: <…>; rel="successor-version"``).

The two dataset formats (N-Quads, TriG) put each statement of a description in the named graph
it comes from: a statement that several sources assert appears once per source graph, the
provenance in the provenance graph, a vocabulary in its vocabulary graph (docs/pages.md). A
version (``…/version/<n>``, ``?as_of=``) is a reconstruction that no graph asserts now: its
statements are in the document's default graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, request

from endpoint import conneg
from endpoint.app import error_response, state
from endpoint.pages.site import (
    Page,
    alternates_for,
    not_found_page,
    page_lang,
    render,
    resource_page,
    resources,
)
from registry.i18n import Lang, msg
from registry.model.resources import (
    DCT_IS_REPLACED_BY,
    GONE_STATUSES,
    ONTOLOGY_IRI,
    RDF_TYPE,
    SKOS,
    THEME_SCHEME,
    Node,
    Resources,
    Term,
    Text,
    doc_iri,
    literal_text,
    node_sort_key,
    pick,
    term_anchor,
    vocabulary_iri,
)
from registry.namespaces import OGP, PREFIXES, VOCAB_NS

bp = Blueprint("deref", __name__)

SH = PREFIXES["sh"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]


@dataclass(frozen=True)
class Representation:
    """One way to answer for a resource."""

    name: str
    media_type: str
    extension: str
    names: tuple[str, ...]  # values of the format parameter
    aliases: tuple[str, ...] = ()  # other media types that select it in Accept
    ox_format: ox.RdfFormat | None = None

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"

    @property
    def dataset(self) -> bool:
        """N-Quads and TriG: statements in named graphs (JSON-LD could hold them too, but the
        registry's JSON-LD stays one graph, as it always was)."""
        return self.name in ("nquads", "trig")


HTML = Representation("html", "text/html", ".html", ("html", "htm"), ("application/xhtml+xml",))
REPRESENTATIONS: tuple[Representation, ...] = (
    HTML,
    Representation(
        "turtle",
        "text/turtle",
        ".ttl",
        ("turtle", "ttl"),
        ("application/x-turtle", "application/turtle"),
        ox.RdfFormat.TURTLE,
    ),
    Representation(
        "jsonld",
        "application/ld+json",
        ".jsonld",
        ("jsonld", "json-ld", "json"),
        ("application/json",),
        ox.RdfFormat.JSON_LD,
    ),
    Representation(
        "ntriples",
        "application/n-triples",
        ".nt",
        ("ntriples", "nt", "n-triples"),
        (),
        ox.RdfFormat.N_TRIPLES,
    ),
    Representation(
        "rdfxml",
        "application/rdf+xml",
        ".rdf",
        ("rdfxml", "rdf", "xml", "rdf+xml"),
        ("application/xml", "text/xml"),
        ox.RdfFormat.RDF_XML,
    ),
    Representation(
        "nquads",
        "application/n-quads",
        ".nq",
        ("nquads", "nq", "n-quads"),
        ("text/x-nquads",),
        ox.RdfFormat.N_QUADS,
    ),
    Representation(
        "trig",
        "application/trig",
        ".trig",
        ("trig",),
        ("application/x-trig",),
        ox.RdfFormat.TRIG,
    ),
)
BY_EXTENSION = {r.extension: r for r in REPRESENTATIONS}


class UnknownFormat(ValueError):
    """The format parameter names no representation."""


def negotiate(accept: str | None, fmt: str | None = None) -> Representation | None:
    """The representation for a request: the ``format`` parameter if given (raises
    :class:`UnknownFormat` for an unknown one), else the best by the Accept header's q-values
    (ties in the order of :data:`REPRESENTATIONS`); None when nothing is acceptable."""
    if fmt is not None and fmt.strip():
        value = fmt.strip().lower()
        for r in REPRESENTATIONS:
            if value in r.names or value == r.media_type or value in r.aliases:
                return r
        raise UnknownFormat(fmt)
    ranges = conneg.parse_accept(accept)
    chosen: Representation | None = None
    chosen_q = 0.0
    for r in REPRESENTATIONS:
        # the media type by the usual rules; an alias only when the client names it
        # (so that "text/html;q=0, */*" does not bring HTML back through its XHTML alias)
        named = [q for m, q in ranges if m in r.aliases]
        q = max([conneg.quality(ranges, r.media_type), *named])
        if q > chosen_q:
            chosen, chosen_q = r, q
    return chosen


def _used_prefixes(triples: Sequence[ox.Triple]) -> dict[str, str]:
    """The registry's prefixes that the triples' IRIs use (for Turtle and RDF/XML)."""
    iris = {
        t.value
        for tr in triples
        for t in (tr.subject, tr.predicate, tr.object)
        if isinstance(t, ox.NamedNode)
    } | {
        tr.object.datatype.value
        for tr in triples
        if isinstance(tr.object, ox.Literal) and tr.object.datatype
    }
    return {p: ns for p, ns in PREFIXES.items() if any(i.startswith(ns) for i in iris)}


def serialize(triples: Sequence[ox.Triple], rep: Representation) -> bytes:
    """``triples`` in ``rep``; in a dataset format, in the document's default graph (statements
    no graph asserts, such as a version's)."""
    if rep.dataset:
        return serialize_quads([ox.Quad(t.subject, t.predicate, t.object) for t in triples], rep)
    assert rep.ox_format is not None
    ordered = sorted(triples, key=str)
    out = ox.serialize(
        ordered,
        format=rep.ox_format,
        prefixes=_used_prefixes(ordered) if rep.name in ("turtle", "rdfxml") else None,
    )
    assert out is not None
    return out


def serialize_quads(quads: Sequence[ox.Quad], rep: Representation) -> bytes:
    """``quads`` in a dataset format (N-Quads, TriG), sorted by graph, then statement."""
    assert rep.dataset and rep.ox_format is not None
    ordered = sorted(quads, key=lambda q: (str(q.graph_name), str(q)))
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ordered]
    out = ox.serialize(
        ordered,
        format=rep.ox_format,
        prefixes=_used_prefixes(triples) if rep.name == "trig" else None,
    )
    assert out is not None
    return out


def description_quads(res: Resources, iri: str) -> list[ox.Quad]:
    """What :meth:`Resources.triples` describes, each statement in every named graph that
    asserts it: the statements about ``iri``, those of the blank nodes it points to, those
    pointing to it, and for a graph name its content. Every IRI is bound, never formatted."""
    node = ox.NamedNode(iri)
    out: dict[ox.Quad, None] = {}
    # (a bound variable must be in the projection)
    for row in res.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", s=node):
        out[ox.Quad(node, row["p"], row["o"], row["g"])] = None
    for row in res.select(
        "SELECT ?s ?o ?p2 ?o2 ?g WHERE { ?s ?p ?o FILTER (isBlank(?o)) "
        "GRAPH ?g { ?o ?p2 ?o2 } }",
        s=node,
    ):
        out[ox.Quad(row["o"], row["p2"], row["o2"], row["g"])] = None
    for row in res.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", o=node):
        out[ox.Quad(row["s"], row["p"], node, row["g"])] = None
    if res.is_graph(iri):
        for row in res.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", g=node):
            out[ox.Quad(row["s"], row["p"], row["o"], node)] = None
    return list(out)


def _located(res: Resources, triples: Sequence[ox.Triple]) -> list[ox.Quad]:
    """``triples`` (about named subjects) in every named graph that asserts them; one that no
    graph asserts stays in the default graph."""
    wanted = set(triples)
    out: dict[ox.Quad, None] = {}
    for subject in dict.fromkeys(t.subject for t in triples):
        if not isinstance(subject, ox.NamedNode):
            continue
        for row in res.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", s=subject):
            t = ox.Triple(subject, row["p"], row["o"])
            if t in wanted:
                out[ox.Quad(subject, row["p"], row["o"], row["g"])] = None
    found = {ox.Triple(q.subject, q.predicate, q.object) for q in out}
    for t in triples:
        if t not in found:
            out[ox.Quad(t.subject, t.predicate, t.object)] = None
    return list(out)


# -- responses --------------------------------------------------------------------------------
def _lang_message(nb: str, en: str, **params: object) -> str:
    return msg(nb, en, **params).render(page_lang())


def _unknown_format(value: str) -> Response:
    allowed = ", ".join(n for r in REPRESENTATIONS for n in r.names[:2])
    resp = error_response(
        400,
        "unknown-format",
        _lang_message(
            "Ukjent format {fmt!r} i parameteren format. Tillatte verdier: {allowed}.",
            "Unknown format {fmt!r} in the format parameter. Allowed values: {allowed}.",
            fmt=value,
            allowed=allowed,
        ),
    )
    resp.headers["Vary"] = "Accept"
    return resp


def _not_acceptable() -> Response:
    resp = error_response(
        406,
        "not-acceptable",
        _lang_message(
            "Ingen av formatene i Accept-hodet finnes for denne ressursen. Tilgjengelige: "
            "{types}. Eller bruk parameteren format eller en filendelse (.ttl, .jsonld, .nt, "
            ".rdf, .html).",
            "None of the formats in the Accept header is available for this resource. "
            "Available: {types}. Or use the format parameter or a file extension (.ttl, "
            ".jsonld, .nt, .rdf, .html).",
            types=", ".join(r.media_type for r in REPRESENTATIONS),
        ),
    )
    resp.headers["Vary"] = "Accept"
    return resp


def _not_found(iri: str, rep: Representation) -> Response:
    if rep is HTML:
        resp = not_found_page(iri)
    else:
        resp = error_response(
            404,
            "not-found",
            _lang_message(
                "Registeret kjenner ikke {iri}.", "The registry does not know {iri}.", iri=iri
            ),
        )
    resp.headers["Vary"] = "Accept"
    return resp


def _etag(rep: Representation, lang: Lang) -> str | None:
    """The entity tag of a representation: the store revision, the format and the language."""
    rev = state().registry.store.revision()
    return f"r{rev.number}-{rep.name}-{lang}" if rev else None


def _finish(resp: Response, rep: Representation, doc_url: str, explicit: bool) -> Response:
    """Headers every negotiated answer carries."""
    resp.headers["Vary"] = "Accept"
    links = [
        f'<{doc_url}{r.extension}>; rel="alternate"; type="{r.media_type}"' for r in REPRESENTATIONS
    ]
    existing = resp.headers.get("Link")
    resp.headers["Link"] = ", ".join(([existing] if existing else []) + links)
    if not explicit:
        resp.headers["Content-Location"] = doc_url + rep.extension
    etag = _etag(rep, page_lang())
    if etag:
        resp.set_etag(etag)
    last = state().registry.last_modified()
    if last:
        resp.last_modified = last
    resp.headers.setdefault("Cache-Control", "public, no-cache")
    return resp


def _choose(ext: Representation | None) -> Representation | Response:
    if ext is not None:
        return ext
    try:
        rep = negotiate(request.headers.get("Accept"), request.args.get("format"))
    except UnknownFormat as exc:
        return _unknown_format(str(exc))
    return rep if rep is not None else _not_acceptable()


def _split_extension(path: str) -> tuple[str, Representation | None]:
    for ext, rep in BY_EXTENSION.items():
        if path.endswith(ext) and len(path) > len(ext):
            return path[: -len(ext)], rep
    return path, None


def _candidates(prefix: str, rest: str) -> list[str]:
    """The IRIs a request path may name: as minted (each segment percent-encoded like
    registry.uris does) and as the path was written."""
    base = state().settings.base_uri
    minted = "/".join(quote(s, safe="-._~") for s in rest.split("/"))
    loose = quote(rest, safe="/:@!$&'()*+,;=-._~%")
    # the loose form keeps a stray "%" (``/id/%zz``), which no IRI holds: never asked for
    return [iri for iri in dict.fromkeys([base + prefix + minted, base + prefix + loose])
            if valid_iri(iri)]


def valid_iri(value: str) -> bool:
    """Whether ``value`` is an absolute IRI the store can hold: no spaces, control
    characters, ``<>"{}|^`\\`` or broken percent-encoding (pyoxigraph's IRI check)."""
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def _vocabulary_iri(path: str) -> str | None:
    """:func:`vocabulary_iri`, or None when ``path`` makes no valid IRI (``/def/vocab/a b``)."""
    iri = vocabulary_iri(path)
    return iri if iri is not None and valid_iri(iri) else None


def dereference(prefix: str, rest: str) -> Response:
    """Answer for the resource at ``{base}{prefix}{rest}``."""
    if prefix == "id/" and "/version/" in rest:
        from endpoint.pages import versions

        answer = versions.version_page(rest)
        if answer is not None:
            return answer
    res = resources()
    found: tuple[str, Representation | None] | None = None
    for iri in _candidates(prefix, rest):
        if res.exists(iri):
            found = (iri, None)
            break
    if found is None:
        stem, ext = _split_extension(rest)
        if ext is not None:
            for iri in _candidates(prefix, stem):
                if res.exists(iri):
                    found = (iri, ext)
                    break
    chosen = _choose(found[1] if found else None)
    if isinstance(chosen, Response):
        return chosen
    if found is None:
        return _not_found(state().settings.base_uri + prefix + rest, chosen)
    iri, ext = found
    explicit = ext is not None or bool(request.args.get("format"))
    if prefix == "id/":
        from endpoint.pages import versions

        if "as_of" in request.args:
            return versions.as_of_page(iri, chosen, explicit=explicit)
        gone = versions.deleted_page(iri, chosen, doc_url=iri, explicit=explicit)
        if gone is not None:
            return gone
    return represent(iri, iri, chosen, explicit=explicit)


def represent(iri: str, doc_url: str, rep: Representation, *, explicit: bool) -> Response:
    """The resource ``iri`` (documented at ``doc_url``) as ``rep``: 200, or 410 when it is
    withdrawn or superseded."""
    res = resources()
    lang = page_lang()
    props = res.outgoing(iri)
    statuses = {
        o.value for o in props.get(str(OGP.registryStatus), []) if isinstance(o, ox.NamedNode)
    }
    gone = bool(statuses & set(GONE_STATUSES))
    successors = [o.value for o in props.get(DCT_IS_REPLACED_BY, []) if isinstance(o, ox.NamedNode)]
    headers = (
        {"Link": ", ".join(f'<{s}>; rel="successor-version"' for s in successors)}
        if successors
        else {}
    )
    etag = _etag(rep, lang)
    if etag and request.if_none_match.contains(etag) and not gone:
        resp = Response(status=304)
        return _finish(resp, rep, doc_url, explicit)
    status = 410 if gone else 200
    if rep is HTML:
        desc = res.describe(iri, lang)
        if desc is None:
            return _not_found(iri, rep)
        resp = resource_page(desc, status=status, doc_url=doc_url, headers=headers)
    else:
        if rep.dataset:
            body = serialize_quads(description_quads(res, iri), rep)
        else:
            body = serialize(res.triples(iri), rep)
        resp = Response(body, status=status, content_type=rep.content_type)
        for k, v in headers.items():
            resp.headers[k] = v
    return _finish(resp, rep, doc_url, explicit)


@bp.get("/id/<path:rest>")
def resource(rest: str) -> Response:
    return dereference("id/", rest)


@bp.get("/graph/<path:rest>")
def graph(rest: str) -> Response:
    return dereference("graph/", rest)


# -- vocabulary documentation ---------------------------------------------------------------------
@dataclass
class TermDoc:
    """One documented term (class, property, concept or shape)."""

    iri: str
    anchor: str
    label: Text | None
    definition: Text | None
    comment: Text | None = None
    kinds: list[Node] = field(default_factory=list)
    links: list[tuple[str, list[Node]]] = field(default_factory=list)  # (string key, nodes)
    notation: str | None = None
    children: list[TermDoc] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def _texts(props: dict[str, list[Term]], predicate: str, lang: Lang) -> Text | None:
    return pick(
        ((o.value, o.language) for o in props.get(predicate, []) if isinstance(o, ox.Literal)), lang
    )


def _nodes(res: Resources, props: dict[str, list[Term]], predicate: str, lang: Lang) -> list[Node]:
    return [
        res.node(o.value, lang) for o in props.get(predicate, []) if isinstance(o, ox.NamedNode)
    ]


def _ontology_doc(res: Resources, lang: Lang) -> dict[str, Any]:
    graph = res.registry.uris.vocabulary_graph("ontology")
    terms = res.terms_in_graph(graph)
    classes: list[TermDoc] = []
    properties: list[TermDoc] = []
    by_domain: dict[str, list[Node]] = defaultdict(list)
    for iri, props in terms.items():
        types = {o.value for o in props.get(RDF_TYPE, []) if isinstance(o, ox.NamedNode)}
        for d in props.get(RDFS + "domain", []):
            by_domain[d.value].append(res.node(iri, lang))
        if iri == ONTOLOGY_IRI:
            continue
        doc = TermDoc(
            iri=iri,
            anchor=term_anchor(iri),
            label=_texts(props, RDFS + "label", lang),
            definition=_texts(props, SKOS + "definition", lang),
            comment=_texts(props, RDFS + "comment", lang),
            kinds=_nodes(res, props, RDF_TYPE, lang),
            links=[
                (key, _nodes(res, props, pred, lang))
                for key, pred in (
                    ("subclass_of", RDFS + "subClassOf"),
                    ("subproperty_of", RDFS + "subPropertyOf"),
                    ("domain", RDFS + "domain"),
                    ("range", RDFS + "range"),
                    ("inverse_of", OWL + "inverseOf"),
                )
                if props.get(pred)
            ],
        )
        if types & {OWL + "Class", RDFS + "Class"}:
            classes.append(doc)
        else:
            properties.append(doc)
    for c in classes:
        members = sorted(by_domain.get(c.iri, []), key=node_sort_key)
        if members:
            c.links.append(("properties_of_class", members))
    ontology = terms.get(ONTOLOGY_IRI, {})

    def order(d: TermDoc) -> tuple[bool, str]:
        return (
            not d.iri.startswith(PREFIXES["ogp"]),
            (d.label.value if d.label else d.iri).casefold(),
        )

    return {
        "ontology_title": _texts(ontology, PREFIXES["dct"] + "title", lang),
        "ontology_description": _texts(ontology, PREFIXES["dct"] + "description", lang),
        "version": next((o.value for o in ontology.get(OWL + "versionInfo", [])), None),
        "classes": sorted(classes, key=order),
        "properties": sorted(properties, key=order),
    }


def _concept_doc(res: Resources, iri: str, props: dict[str, list[Term]], lang: Lang) -> TermDoc:
    notation = next((o.value for o in props.get(SKOS + "notation", [])), None)
    matches = [
        n
        for pred in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
        for n in _nodes(res, props, SKOS + pred, lang)
    ]
    return TermDoc(
        iri=iri,
        anchor=notation or iri.rsplit("/", 1)[-1],
        label=_texts(props, SKOS + "prefLabel", lang),
        definition=_texts(props, SKOS + "definition", lang),
        notation=notation,
        links=[("matches", matches)] if matches else [],
        extra={"href": doc_iri(iri, res.base) or iri},
    )


def _scheme_doc(res: Resources, scheme: str, graph: str, lang: Lang) -> dict[str, Any]:
    terms = res.terms_in_graph(graph)
    props = terms.get(scheme)
    if props is None:
        return {}
    concepts = {
        iri: _concept_doc(res, iri, p, lang)
        for iri, p in terms.items()
        if any(o.value == scheme for o in p.get(SKOS + "inScheme", []))
    }
    tops = []
    for iri, doc in concepts.items():
        broader = [o.value for o in terms[iri].get(SKOS + "broader", []) if o.value in concepts]
        if broader:
            concepts[broader[0]].children.append(doc)
        else:
            tops.append(doc)

    def order(d: TermDoc) -> tuple[tuple[int, ...], str]:
        parts = tuple(int(p) for p in (d.notation or "").split(".") if p.isdigit())
        return (parts or (10**6,), (d.label.value if d.label else d.iri).casefold())

    for doc in concepts.values():
        doc.children.sort(key=order)
    return {
        "scheme": TermDoc(
            iri=scheme,
            anchor="scheme",
            label=_texts(props, SKOS + "prefLabel", lang),
            definition=_texts(props, SKOS + "definition", lang),
        ),
        "concepts": sorted(tops, key=order),
        "count": len(concepts),
    }


def _value_sets(res: Resources, lang: Lang) -> list[TermDoc]:
    graph = res.registry.uris.vocabulary_graph("values")
    terms = res.terms_in_graph(graph)
    out = []
    for iri, props in terms.items():
        if any(o.value == SKOS + "ConceptScheme" for o in props.get(RDF_TYPE, [])):
            n = sum(
                1
                for p in terms.values()
                if any(o.value == iri for o in p.get(SKOS + "inScheme", []))
            )
            out.append(
                TermDoc(
                    iri=iri,
                    anchor=iri[len(VOCAB_NS) :],
                    label=_texts(props, SKOS + "prefLabel", lang),
                    definition=_texts(props, SKOS + "definition", lang),
                    extra={"href": doc_iri(iri, res.base) or iri, "count": n},
                )
            )
    return sorted(out, key=lambda d: d.anchor)


_CONSTRAINTS: tuple[tuple[str, str], ...] = (
    ("datatype", "sh:datatype"),
    ("class", "sh:class"),
    ("nodeKind", "sh:nodeKind"),
    ("node", "sh:node"),
    ("pattern", "sh:pattern"),
    ("minInclusive", "sh:minInclusive"),
    ("uniqueLang", "sh:uniqueLang"),
    ("hasValue", "sh:hasValue"),
)


def _shapes_doc(res: Resources, lang: Lang) -> dict[str, Any]:
    graph = res.registry.uris.vocabulary_graph("shapes")
    terms = res.terms_in_graph(graph)
    lists = res.lists_in_graph(graph)
    node_shapes: list[TermDoc] = []
    for iri, props in terms.items():
        types = {o.value for o in props.get(RDF_TYPE, [])}
        if SH + "NodeShape" not in types:
            continue
        doc = TermDoc(
            iri=iri,
            anchor=iri.rsplit("#", 1)[-1],
            label=_texts(props, RDFS + "label", lang),
            definition=_texts(props, RDFS + "comment", lang),
            links=[
                (key, _nodes(res, props, SH + pred, lang))
                for key, pred in (("target_class", "targetClass"),)
                if props.get(SH + pred)
            ],
        )
        targets = [
            o.value
            for o in props.get(SH + "targetSubjectsOf", []) + props.get(SH + "targetObjectsOf", [])
        ]
        doc.extra["targets"] = [res.node(t, lang) for t in targets]
        rules = []
        for ps in sorted(
            o.value
            for o in props.get(SH + "property", []) + props.get(SH + "sparql", [])
            if isinstance(o, ox.NamedNode)
        ):
            rules.append(_rule_doc(res, ps, terms.get(ps, {}), lists, lang))
        doc.children = rules
        node_shapes.append(doc)
    node_shapes.sort(key=lambda d: d.anchor)
    seen: set[str] = set()  # a shared rule gets its anchor where it first appears
    for shape in node_shapes:
        seen.add(shape.anchor)
    for shape in node_shapes:
        for rule in shape.children:
            rule.extra["anchor"] = rule.anchor not in seen
            seen.add(rule.anchor)
    shapes_iri = "https://w3id.org/ogp-no/shapes"
    meta = terms.get(shapes_iri, {})
    return {
        "shapes_title": _texts(meta, RDFS + "label", lang),
        "shapes_description": _texts(meta, RDFS + "comment", lang),
        "node_shapes": node_shapes,
    }


def _rule_doc(
    res: Resources,
    iri: str,
    props: dict[str, list[Term]],
    lists: dict[tuple[str, str], list[Term]],
    lang: Lang,
) -> TermDoc:
    def lit(pred: str) -> str | None:
        return next((o.value for o in props.get(SH + pred, []) if isinstance(o, ox.Literal)), None)

    constraints: list[tuple[str, list[Node | Text]]] = []
    for _key, curie in _CONSTRAINTS:
        pred = SH + curie.split(":", 1)[1]
        vals: list[Node | Text] = [
            res.node(o.value, lang) if isinstance(o, ox.NamedNode) else literal_text(o, lang)
            for o in props.get(pred, [])
            if isinstance(o, ox.NamedNode | ox.Literal)
        ]
        if vals:
            constraints.append((curie, vals))
    for key in ("in", "languageIn"):
        members = lists.get((iri, SH + key), [])
        if members:
            constraints.append(
                (
                    "sh:" + key,
                    [
                        res.node(m.value, lang) if isinstance(m, ox.NamedNode) else Text(m.value)
                        for m in members
                    ],
                )
            )
    lo, hi = (
        lit("minCount") or lit("qualifiedMinCount"),
        lit("maxCount") or lit("qualifiedMaxCount"),
    )
    cardinality = f"{lo or 0}..{hi or '*'}" if (lo or hi) else ""
    severity = next(
        (o.value.rsplit("#", 1)[-1] for o in props.get(SH + "severity", [])), "Violation"
    )
    return TermDoc(
        iri=iri,
        anchor=iri.rsplit("#", 1)[-1],
        label=_texts(props, SH + "name", lang) or _texts(props, RDFS + "label", lang),
        definition=_texts(props, SH + "description", lang),
        comment=_texts(props, SH + "message", lang),
        links=[("path", _nodes(res, props, SH + "path", lang))] if props.get(SH + "path") else [],
        extra={
            "cardinality": cardinality,
            "constraints": constraints,
            "severity": severity,
            "sparql": bool(props.get(SH + "select")),
        },
    )


_DOC_GRAPHS: dict[str, str] = {
    "": "ontology",
    "theme": "themes",
    "vocab": "values",
    "shapes": "shapes",
}
_DOC_TEMPLATES: dict[str, tuple[str, str]] = {
    "": ("pages/doc_ontology.html", "ontology"),
    "theme": ("pages/doc_scheme.html", "theme_scheme"),
    "vocab": ("pages/doc_vocab.html", "value_sets"),
    "shapes": ("pages/doc_shapes.html", "shapes"),
}


def _doc_context(res: Resources, stem: str, graph: str, lang: Lang) -> dict[str, Any]:
    if stem == "":
        return _ontology_doc(res, lang)
    if stem == "theme":
        return _scheme_doc(res, THEME_SCHEME, graph, lang)
    if stem == "vocab":
        return {"value_sets": _value_sets(res, lang)}
    return _shapes_doc(res, lang)


def _rdf(
    triples: Sequence[ox.Triple],
    rep: Representation,
    doc_url: str,
    explicit: bool,
    quads: Callable[[], Sequence[ox.Quad]],
) -> Response:
    """``triples`` as ``rep``; in a dataset format the statements in their graphs (``quads``)."""
    body = serialize_quads(quads(), rep) if rep.dataset else serialize(triples, rep)
    return _finish(Response(body, content_type=rep.content_type), rep, doc_url, explicit)


def vocabulary_doc(stem: str, ext: Representation | None) -> Response:
    """``{base}def[/stem]``: the documentation page or, by negotiation, the RDF it was
    generated from (the vocabulary graph, or the value set and its concepts). One theme or
    value (``def/theme/<code>``, ``def/vocab/<set>/<code>``) is a resource page."""
    res = resources()
    base = state().settings.base_uri
    chosen = _choose(ext)
    if isinstance(chosen, Response):
        return chosen
    explicit = ext is not None or bool(request.args.get("format"))
    doc_url = base + ("def/" + stem if stem else "def")
    lang = page_lang()
    page = Page(lang)
    if stem in _DOC_GRAPHS:
        graph = res.registry.uris.vocabulary_graph(_DOC_GRAPHS[stem])
        if chosen is not HTML:
            triples = res.graph_triples(graph)
            node = ox.NamedNode(graph)
            return _rdf(
                triples,
                chosen,
                doc_url,
                explicit,
                lambda: [ox.Quad(t.subject, t.predicate, t.object, node) for t in triples],
            )
        template, title_key = _DOC_TEMPLATES[stem]
        resp = render(
            template,
            page,
            title=page.t[title_key],
            alternates=alternates_for(doc_url),
            doc_url=doc_url,
            graph=graph,
            **_doc_context(res, stem, graph, lang),
        )
        return _finish(resp, chosen, doc_url, explicit)
    iri = _vocabulary_iri(stem)
    if iri is None or not res.exists(iri):
        return _not_found(doc_url, chosen)
    parts = stem.split("/")
    if parts[0] == "vocab" and len(parts) == 2:  # a value set
        if chosen is not HTML:
            triples = res.scheme_triples(iri)
            return _rdf(triples, chosen, doc_url, explicit, lambda: _located(res, triples))
        graph = res.registry.uris.vocabulary_graph("values")
        ctx = _scheme_doc(res, iri, graph, lang)
        label = ctx["scheme"].label if ctx else None
        resp = render(
            "pages/doc_scheme.html",
            page,
            title=label.value if label else iri,
            alternates=alternates_for(doc_url),
            doc_url=doc_url,
            graph=graph,
            **ctx,
        )
        return _finish(resp, chosen, doc_url, explicit)
    return represent(iri, doc_url, chosen, explicit=explicit)


@bp.get("/def")
def def_root() -> Response:
    uri = request.args.get("uri", "").strip()
    if uri:
        return resolve_uri(uri)
    return vocabulary_doc("", None)


@bp.get("/def.<ext>")
def def_root_ext(ext: str) -> Response:
    rep = BY_EXTENSION.get("." + ext)
    if rep is None:
        return _not_found(state().settings.base_uri + "def." + ext, HTML)
    return vocabulary_doc("", rep)


@bp.get("/def/<path:rest>")
def def_path(rest: str) -> Response:
    rest = rest.rstrip("/")
    if (
        rest in _DOC_GRAPHS
        or _vocabulary_iri(rest) is not None
        and resources().exists(_vocabulary_iri(rest) or "")
    ):
        return vocabulary_doc(rest, None)
    stem, ext = _split_extension(rest)
    return vocabulary_doc(stem, ext)


#: The longest value ``/def?uri=`` accepts; the registry mints no IRI near it.
MAX_URI_LENGTH = 2000


def _bad_uri(uri: str) -> Response:
    shown = uri if len(uri) <= 80 else uri[:80] + "…"
    resp = error_response(
        400,
        "bad-uri",
        _lang_message(
            "Parameteren uri={uri!r} er ikke en gyldig IRI: den må være absolutt (https://…), "
            "høyst {max} tegn, uten mellomrom, linjeskift eller andre kontrolltegn. Eksempel: "
            "def?uri=https://w3id.org/ogp-no/def%23leadAgency",
            "The parameter uri={uri!r} is not a valid IRI: it must be absolute (https://…), "
            "at most {max} characters, without spaces, line breaks or other control "
            "characters. Example: def?uri=https://w3id.org/ogp-no/def%23leadAgency",
            uri=shown,
            max=MAX_URI_LENGTH,
        ),
    )
    resp.headers["Vary"] = "Accept"
    return resp


def resolve_uri(uri: str) -> Response:
    """``/def?uri=<IRI>``: send a browser to the page of a vocabulary term (or of a resource
    under the base URI). A value that is no IRI (a line break, a control character, too long,
    plain text) is a 400 in the endpoint's error shape, never a redirect."""
    if len(uri) > MAX_URI_LENGTH or not valid_iri(uri):
        return _bad_uri(uri)
    base = state().settings.base_uri
    target = doc_iri(uri, base) or (uri if uri.startswith(base) else None)
    if target is None:
        return _not_found(uri, HTML)
    page = Page(page_lang())
    resp = Response(status=303)
    resp.headers["Location"] = page.link(target)
    return resp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
