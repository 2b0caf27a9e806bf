"""Content negotiation for everything the pages dereference: which representation a request
asks for, the RDF in that representation, and the headers every negotiated answer carries.

``text/html`` (also what ``*/*`` gets), ``text/turtle``, ``application/ld+json``,
``application/n-triples``, ``application/rdf+xml``, ``application/n-quads``, ``application/trig``,
chosen by the ``Accept`` header's q-values (ties go to a type named outright, then to that
order), with ``Vary: Accept``. A
``format`` parameter (``html``, ``ttl``/``turtle``, ``jsonld``, ``nt``/``ntriples``,
``rdf``/``rdfxml``, ``nq``/``nquads``, ``trig``) or a file extension (``.html``, ``.ttl``,
``.jsonld``, ``.nt``, ``.rdf``, ``.nq``, ``.trig``) overrides the header. Nothing acceptable: 406.
Unknown URI: 404. Every answer links its alternates (``Link: <…>; rel="alternate"``) and carries
an entity tag of the store revision, the format and the language.

The two dataset formats (N-Quads, TriG) put each statement of a description in the named graph
it comes from: a statement that several sources assert appears once per source graph, the
provenance in the provenance graph, a vocabulary in its vocabulary graph (docs/pages.md). A
version (``…/version/<n>``, ``?as_of=``) is a reconstruction that no graph asserts now: its
statements are in the document's default graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox
from flask import Response, request

from endpoint import conneg
from endpoint.app import error_response, state
from endpoint.pages.page import lang_message, not_found_page, page_lang
from registry.i18n import Lang
from registry.model.resources import Resources
from registry.namespaces import PREFIXES
from registry.rdf.writing import serialize as write_rdf


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
        # N3's types too: Turtle is N3 (rdflib's parse(format="n3") asks for text/n3), as
        # the SPARQL endpoint has them (endpoint/conneg.py)
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"),
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
        # N-Triples' media type before 2014, still what rdflib's parse(format="nt") asks for
        ("text/plain",),
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
    (ties: a type named outright before one reached through a wildcard, then the order of
    :data:`REPRESENTATIONS`); None when nothing is acceptable."""
    if fmt is not None and fmt.strip():
        # (a media type's "+" written unencoded in a URL arrives as a space)
        value = conneg.parameter_value(fmt)
        for r in REPRESENTATIONS:
            if value in r.names or value == r.media_type or value in r.aliases:
                return r
        raise UnknownFormat(fmt)
    # The SPARQL endpoint's rules (endpoint/conneg.py): the highest q; at equal q a type the
    # client names outright beats one it reaches through a wildcard ("application/json,
    # text/plain, */*", axios's default, gets JSON-LD, not HTML); then the order above. An
    # alias counts only when named (so "text/html;q=0, */*" does not bring HTML back through
    # its XHTML alias).
    return conneg.best(conneg.parse_accept(accept), REPRESENTATIONS)


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
    # (RDF/XML: a control character in a literal, which XML 1.0 cannot carry, as U+FFFD)
    return write_rdf(
        ordered,
        rep.ox_format,
        _used_prefixes(ordered) if rep.name in ("turtle", "rdfxml") else None,
    )


def dataset_document(triples: Sequence[ox.Triple], quads: Sequence[ox.Quad]) -> list[ox.Quad]:
    """A document's dataset: ``triples`` (what the other formats say) in its default graph,
    and ``quads``, the same statements in the named graphs they come from. A linked-data
    client that reads a document's default graph only (Comunica, which asks for N-Quads
    first; rdf-dereference) then sees the resource, as in Turtle; one that reads the graphs
    sees who says what."""
    return [*(ox.Quad(t.subject, t.predicate, t.object) for t in triples), *quads]


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


def located(res: Resources, triples: Sequence[ox.Triple]) -> list[ox.Quad]:
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


# -- answers ----------------------------------------------------------------------------------
def _unknown_format(value: str) -> Response:
    allowed = ", ".join(n for r in REPRESENTATIONS for n in r.names[:2])
    resp = error_response(
        400,
        "unknown-format",
        lang_message(
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
        lang_message(
            "None of the formats in the Accept header is available for this resource. "
            "Available: {types}. Or use the format parameter or a file extension (.ttl, "
            ".jsonld, .nt, .rdf, .html).",
            types=", ".join(r.media_type for r in REPRESENTATIONS),
        ),
    )
    resp.headers["Vary"] = "Accept"
    return resp


def not_found(iri: str, rep: Representation) -> Response:
    """404 for ``iri``: a page for browsers, the JSON error shape for programs."""
    if rep is HTML:
        resp = not_found_page(iri)
    else:
        resp = error_response(
            404,
            "not-found",
            lang_message(
                "The registry does not know {iri}.", iri=iri
            ),
        )
    resp.headers["Vary"] = "Accept"
    return resp


def entity_tag(rep: Representation, lang: Lang) -> str | None:
    """The entity tag of a representation: the store revision, the format and the language."""
    rev = state().registry.store.revision()
    return f"r{rev.number}-{rep.name}-{lang}" if rev else None


def finish(resp: Response, rep: Representation, doc_url: str, explicit: bool) -> Response:
    """Headers every negotiated answer carries."""
    resp.headers["Vary"] = "Accept"
    links = [
        f'<{doc_url}{r.extension}>; rel="alternate"; type="{r.media_type}"' for r in REPRESENTATIONS
    ]
    existing = resp.headers.get("Link")
    resp.headers["Link"] = ", ".join(([existing] if existing else []) + links)
    if not explicit:
        resp.headers["Content-Location"] = doc_url + rep.extension
    etag = entity_tag(rep, page_lang())
    if etag:
        resp.set_etag(etag)
    last = state().registry.last_modified()
    if last:
        resp.last_modified = last
    resp.headers.setdefault("Cache-Control", "public, no-cache")
    if resp.status_code == 200 and request.method in ("GET", "HEAD"):
        # 304 for a matching If-None-Match (compared weakly, as RFC 9110 requires: a proxy
        # that compresses the answer marks its tag weak) or an If-Modified-Since not older
        # than the revision, for every negotiated document (/def's too)
        resp.make_conditional(request)
    return resp


def choose(ext: Representation | None) -> Representation | Response:
    """The representation asked for: ``ext`` (a file extension's) if given, else by the format
    parameter or the Accept header; or the answer that refuses the request (400, 406)."""
    if ext is not None:
        return ext
    try:
        rep = negotiate(request.headers.get("Accept"), request.args.get("format"))
    except UnknownFormat as exc:
        return _unknown_format(str(exc))
    return rep if rep is not None else _not_acceptable()


def split_extension(path: str) -> tuple[str, Representation | None]:
    """``path`` without a known file extension, and the representation that extension names."""
    for ext, rep in BY_EXTENSION.items():
        if path.endswith(ext) and len(path) > len(ext):
            return path[: -len(ext)], rep
    return path, None


def candidates(prefix: str, rest: str) -> list[str]:
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
