"""Content negotiation for the SPARQL endpoint: the formats it speaks and how a request picks one.

Two families of formats exist: *solutions* formats (SELECT and ASK results) and *graph* formats
(CONSTRUCT and DESCRIBE results, and the service and VoID descriptions). The endpoint does not
know which family a query needs until the query is parsed, so negotiation yields the best format
of each family and the query evaluator takes the one that fits (see
``endpoint/sparql/executor.py``).

Rules (docs/endpoint.md, "Content negotiation"):

* The ``format`` parameter (also ``output``, as SPARQLWrapper and Fuseki send it) overrides the
  ``Accept`` header. It takes a short name (``json``, ``xml``, ``csv``, ``tsv``, ``turtle``,
  ``ntriples``, ``jsonld``, ``rdfxml``, ``nquads``, ``trig``, and common spellings) or a media
  type. ``json`` means SPARQL JSON for SELECT/ASK and JSON-LD for CONSTRUCT/DESCRIBE; ``xml``
  means SPARQL XML or RDF/XML.
* Otherwise the ``Accept`` header decides, parsed by werkzeug, with RFC 9110 semantics: each
  format's quality is the q-value of the most specific media range that matches it
  (``type/subtype`` over ``type/*`` over ``*/*``); q=0 excludes; the highest quality wins; at
  equal quality a type the client names outright beats one it reaches through a wildcard, and
  then the server's order below decides (JSON before XML, Turtle first for graphs). A missing
  or empty ``Accept`` means ``*/*``.
* Browsers' generic ``application/xml`` and ``text/xml`` count for SPARQL XML and RDF/XML, and
  ``application/json`` for SPARQL JSON and JSON-LD, so that real browser and client headers
  land on a sensible format. Such aliases count only when the client names them outright,
  never through a wildcard.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

SOLUTIONS = "solutions"
GRAPH = "graph"


@dataclass(frozen=True)
class Format:
    """One serialisation the endpoint can produce."""

    name: str
    kind: str  # SOLUTIONS or GRAPH
    media_type: str  # what the response says in Content-Type
    aliases: tuple[str, ...] = ()  # other media types that select it in Accept
    names: tuple[str, ...] = ()  # other values of the ``format`` parameter
    text: bool = True  # add "; charset=utf-8" to Content-Type

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.text else self.media_type

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


# Server preference order within each family (ties in q-values go to the earlier one).
SOLUTION_FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        SOLUTIONS,
        "application/sparql-results+json",
        ("application/json", "text/javascript", "application/javascript"),
        ("srj",),
    ),
    Format(
        "xml",
        SOLUTIONS,
        "application/sparql-results+xml",
        ("application/xml", "text/xml"),
        ("srx",),
    ),
    Format("csv", SOLUTIONS, "text/csv"),
    Format("tsv", SOLUTIONS, "text/tab-separated-values"),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format(
        "turtle",
        GRAPH,
        "text/turtle",
        ("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3", "application/n3"),
        ("ttl", "n3"),
    ),
    # text/plain: N-Triples' media type before RDF 1.1 (rdflib's parse(format="nt") asks for it)
    Format("ntriples", GRAPH, "application/n-triples", ("text/plain",), ("nt", "n-triples")),
    Format(
        "jsonld",
        GRAPH,
        "application/ld+json",
        ("application/json", "application/x-json+ld"),
        ("json-ld", "json"),
    ),
    Format(
        "rdfxml",
        GRAPH,
        "application/rdf+xml",
        ("application/xml", "text/xml"),
        ("rdf+xml", "rdf", "xml", "owl"),
    ),
    Format("nquads", GRAPH, "application/n-quads", (), ("nq", "n-quads")),
    Format("trig", GRAPH, "application/trig", (), ()),
)
ALL_FORMATS: tuple[Format, ...] = SOLUTION_FORMATS + GRAPH_FORMATS
#: the graph formats with only their RDF-specific aliases (N3's types for Turtle, text/plain
#: for N-Triples, when named outright), for descriptions: not the generic JSON and XML ones
_RDF_ALIASED: tuple[Format, ...] = tuple(
    Format(f.name, f.kind, f.media_type,
           tuple(a for a in f.aliases if "n3" in a or "turtle" in a or a == "text/plain"),
           f.names, f.text)
    for f in GRAPH_FORMATS
)
BY_NAME: dict[str, Format] = {f.name: f for f in ALL_FORMATS}

#: What the ``format`` parameter accepts, for messages.
FORMAT_PARAMETER_VALUES: tuple[str, ...] = tuple(
    dict.fromkeys(n for f in ALL_FORMATS for n in (f.name, *f.names))
)


@dataclass(frozen=True)
class Choice:
    """The best format of each family for one request (None: nothing acceptable)."""

    solutions: Format | None
    graph: Format | None

    @property
    def key(self) -> tuple[str | None, str | None]:
        return (
            self.solutions.name if self.solutions else None,
            self.graph.name if self.graph else None,
        )

    def any(self) -> bool:
        return self.solutions is not None or self.graph is not None


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header as (lower-case type/subtype, q), parameters other
    than q dropped. A missing or empty header is ``*/*``."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    accept = parse_accept_header(header, MIMEAccept)
    out: list[tuple[str, float]] = []
    for value, quality in accept:
        media = value.split(";", 1)[0].strip().lower()
        if "/" not in media:
            continue
        out.append((media, float(quality)))
    return out


def _specificity(media_range: str, media_type: str) -> int:
    """-1 when the range does not match; otherwise 2 (exact), 1 (type/*) or 0 (*/*)."""
    if media_range == media_type:
        return 2
    rtype, _, rsub = media_range.partition("/")
    mtype = media_type.partition("/")[0]
    if rsub == "*" and rtype == mtype:
        return 1
    if rtype == "*" and rsub == "*":
        return 0
    return -1


def match(ranges: Sequence[tuple[str, float]], media_type: str) -> tuple[float, int]:
    """(q, specificity) of the most specific range matching ``media_type`` (the highest q
    among equally specific ones); (0, -1) if no range matches."""
    best_spec = -1
    best_q = 0.0
    for media_range, q in ranges:
        spec = _specificity(media_range, media_type)
        if spec > best_spec or (spec == best_spec and spec >= 0 and q > best_q):
            best_spec, best_q = spec, q
    return (best_q, best_spec) if best_spec >= 0 else (0.0, -1)


def quality(ranges: Sequence[tuple[str, float]], media_type: str) -> float:
    """The q-value the client gives ``media_type`` (0 if it does not accept it)."""
    return match(ranges, media_type)[0]


class Offer(Protocol):
    """What :func:`best` needs of an offer: a :class:`Format`, or a page's representation
    (``endpoint/pages/negotiation.py``)."""

    @property
    def media_type(self) -> str: ...

    @property
    def aliases(self) -> tuple[str, ...]: ...


OfferT = TypeVar("OfferT", bound=Offer)


def best(
    ranges: Sequence[tuple[str, float]], offers: Iterable[OfferT], *, aliases: bool = True
) -> OfferT | None:
    """The offer the client prefers: the highest q; at equal q the one the client named more
    specifically (``text/csv`` over ``text/*`` over ``*/*``); then the earlier offer. None if
    every offer has q=0."""
    chosen: OfferT | None = None
    chosen_rank = (0.0, -1)
    for offer in offers:
        rank = match(ranges, offer.media_type)
        if aliases:
            # An alias counts only where the client names it outright (not through a
            # wildcard), so that "application/sparql-results+json;q=0, */*" really excludes
            # SPARQL JSON and "text/*" does not reach JSON through text/javascript.
            for alias in offer.aliases:
                alias_rank = match(ranges, alias)
                if alias_rank[1] == 2 and alias_rank > rank:
                    rank = alias_rank
        if rank[0] > 0 and rank > chosen_rank:
            chosen, chosen_rank = offer, rank
    return chosen


def prefers_html(ranges: Sequence[tuple[str, float]], offers: Iterable[Format]) -> bool:
    """True when the client names HTML explicitly (``text/html`` or ``application/xhtml+xml``,
    not only through ``*/*``) and likes it at least as much as every offer."""
    explicit = [q for m, q in ranges if m in ("text/html", "application/xhtml+xml")]
    if not explicit or max(explicit) <= 0:
        return False
    html_q = max(quality(ranges, "text/html"), quality(ranges, "application/xhtml+xml"))
    others = max((quality(ranges, o.media_type) for o in offers), default=0.0)
    return html_q >= others


class UnknownFormat(ValueError):
    """The ``format`` parameter names no format the endpoint knows."""


def parameter_value(raw: str) -> str:
    """A ``format`` parameter's value as compared: trimmed, lower-case, and in a media type a
    space read as the ``+`` it was (``?format=application/sparql-results+json`` written by hand
    in a URL, where an unencoded ``+`` decodes to a space; no media type holds a space)."""
    value = raw.strip().lower()
    return value.replace(" ", "+") if "/" in value else value


def from_parameter(values: Sequence[str]) -> Choice:
    """The formats named by the ``format``/``output`` parameter values (the first value that
    names something wins for each family). Raises :class:`UnknownFormat` if none is known."""
    solutions: Format | None = None
    graph: Format | None = None
    known = False
    for raw in values:
        value = parameter_value(raw)
        if not value:
            continue
        for f in ALL_FORMATS:
            if value == f.name or value in f.names or value in f.media_types:
                known = True
                if f.kind == SOLUTIONS and solutions is None:
                    solutions = f
                if f.kind == GRAPH and graph is None:
                    graph = f
    if not known:
        raise UnknownFormat(", ".join(values))
    return Choice(solutions, graph)


def negotiate(accept_header: str | None, format_values: Sequence[str] = ()) -> Choice:
    """The best solutions format and the best graph format for a query request."""
    if any(v.strip() for v in format_values):
        return from_parameter(format_values)
    ranges = parse_accept(accept_header)
    return Choice(best(ranges, SOLUTION_FORMATS), best(ranges, GRAPH_FORMATS))


def negotiate_graph(accept_header: str | None, format_values: Sequence[str] = ()) -> Format | None:
    """The best graph format for a description (service description, VoID). Only the RDF media
    types themselves count here, not the generic JSON/XML aliases."""
    if any(v.strip() for v in format_values):
        return from_parameter(format_values).graph
    return best(parse_accept(accept_header), _RDF_ALIASED, aliases=True)


def accepted_types(kind: str) -> list[str]:
    """The media types of one family, for 406 messages."""
    fmts = SOLUTION_FORMATS if kind == SOLUTIONS else GRAPH_FORMATS
    return [f.media_type for f in fmts]
