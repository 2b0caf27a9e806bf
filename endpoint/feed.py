"""``/feed``: the registry's change feed, a Linked Data Event Stream (docs/feed.md).

* ``<{base}feed> a ldes:EventStream``. Its members are the *versions* of the history graph
  (docs/lifecycle.md): every load, status change and removal creates one version of each item
  it changed, with ``ogp:versionAction`` ``ogp:Create``, ``ogp:Update`` or ``ogp:Delete``
  (a status change is an update whose change has ``ogp:changeKind ogp:StatusUpdate``).
* Pages hold whole changes in change order, about :data:`PAGE_SIZE` members each (a change
  is never split over two pages, so one with more versions makes a longer page).
  ``?after=N`` is the page of the changes after change N (the cursor); ``?since=<time>``
  starts at the first change recorded at or after that time. Each page links the next with a
  ``tree:GreaterThanRelation`` on ``( ogp:inChange ogp:changeNumber )`` whose ``tree:value``
  is the last change number on the page, and with ``Link: <…>; rel="next"``.
* Each member carries its version metadata, the item's description at that version as
  statements about the version IRI (the LDES "version object"), and the exact description as
  canonical N-Triples in ``ogp:snapshot``. The change itself (who, when, why, which source)
  comes along; an erase (``ogp:Erase``) is a change without members.
* ``/feed/snapshot`` is every item's description at the same revision, the state to start
  from: the ``OGP-Last-Change`` header says which change it includes, and ``?after=`` that
  number continues from it.
* Everything is read from one committed revision of the store, like ``/sparql`` and
  ``/catalog``: the ETag (``r{revision}-…``), ``Last-Modified`` and ``OGP-Revision`` say which.
  Turtle, JSON-LD and N-Triples by ``Accept`` or ``?format=``; gzip when asked; CORS.
* ``/feed`` is also Atom 1.0 for feed readers (``?format=atom`` or ``Accept``), the latest
  changes in the reader's language: ``endpoint/feed_atom.py``.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, request
from werkzeug.http import http_date

from endpoint import conneg, feed_atom
from endpoint.app import error_response, request_lang, state
from endpoint.asof import OSLO, AsOfError, parse_as_of
from registry.history.asof import state_as_of
from registry.history.terms import change_iri, history_graph
from registry.history.versions import changes, last_change_number
from registry.i18n import as_lang, msg
from registry.namespaces import OGP, PREFIXES
from registry.store.embedded import Revision

bp = Blueprint("feed", __name__)

#: Members per page (a page holds whole changes: at least one, then as many as fit).
PAGE_SIZE = 100
#: Pages kept ready per revision.
CACHE_PAGES = 64

LDES = "https://w3id.org/ldes#"
TREE = "https://w3id.org/tree#"
VOID = "http://rdfs.org/ns/void#"
RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
DCT = PREFIXES["dct"]
PROV = PREFIXES["prov"]
XSD = PREFIXES["xsd"]

_FEED_PREFIXES = {
    "ldes": LDES,
    "tree": TREE,
    "void": VOID,
    **{k: PREFIXES[k] for k in ("ogp", "dct", "prov", "rdf", "rdfs", "xsd", "skos", "org")},
}
#: The formats of the feed (a subset of the endpoint's graph formats, in preference order).
FORMATS: tuple[conneg.Format, ...] = tuple(
    f for f in conneg.GRAPH_FORMATS if f.name in ("turtle", "jsonld", "ntriples")
)
_OX = {
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}
_VARY = "Accept, Accept-Encoding"


def _n(iri: object) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def _stamp(when: datetime) -> ox.Literal:
    return ox.Literal(
        when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        datatype=ox.NamedNode(XSD + "dateTime"),
    )


A = ox.NamedNode(RDF + "type")
IN_CHANGE = _n(OGP.inChange)
CHANGE_NUMBER = _n(OGP.changeNumber)
SNAPSHOT = _n(OGP.snapshot)
IS_VERSION_OF = ox.NamedNode(DCT + "isVersionOf")


# -- reading the history graph ------------------------------------------------------------------
class HistoryGraph:
    """Reads the history graph of one committed revision (docs/lifecycle.md, "History")."""

    def __init__(self, reader: ox.Store, base: str) -> None:
        self.reader = reader
        self.base = base
        self.graph = ox.NamedNode(history_graph(base))

    def latest(self) -> int:
        """The number of the latest change (0 when nothing is recorded)."""
        return last_change_number(self.reader, self.base)

    def first_at_or_after(self, since: datetime) -> int | None:
        """The first change recorded at or after ``since`` (None: none yet)."""
        found = changes(self.reader, since=since, limit=1, base=self.base)
        return found[0].number if found else None

    def change_node(self, number: int) -> ox.NamedNode:
        return ox.NamedNode(change_iri(self.base, number))

    def changes_after(self, after: int, budget: int) -> list[tuple[ox.NamedNode, int, int]]:
        """(change, number, versions) of the changes after ``after``, in order: at least one
        (if any), then as long as their versions fit in ``budget``."""
        out: list[tuple[ox.NamedNode, int, int]] = []
        members = 0
        for n in range(after + 1, self.latest() + 1):
            node = self.change_node(n)
            if not any(True for _ in self.reader.quads_for_pattern(node, None, None, self.graph)):
                continue  # no such change (numbers have no gaps; this is only defensive)
            k = self.count_in(node)
            if out and members + k > budget:
                break
            out.append((node, n, k))
            members += k
        return out

    def count_in(self, change: ox.NamedNode) -> int:
        """Versions (members) in one change."""
        return sum(1 for _ in self.reader.quads_for_pattern(None, IN_CHANGE, change, self.graph))

    def remaining(self, after: int) -> int:
        """Members (versions) in the changes after ``after``."""
        return sum(self.count_in(self.change_node(n)) for n in range(after + 1, self.latest() + 1))

    def statements(self, subject: ox.NamedNode) -> list[ox.Triple]:
        return [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self.reader.quads_for_pattern(subject, None, None, self.graph)
        ]

    def versions_in(self, change: ox.NamedNode) -> list[ox.NamedNode]:
        found = {
            q.subject
            for q in self.reader.quads_for_pattern(None, IN_CHANGE, change, self.graph)
            if isinstance(q.subject, ox.NamedNode)
        }
        return sorted(found, key=lambda n: n.value)


# -- pages ------------------------------------------------------------------------------------
@dataclass
class Page:
    """One page of the feed at one revision."""

    revision: int
    committed: datetime | None
    after: int
    latest: int
    changes: list[int]
    members: int
    next_after: int | None
    triples: list[ox.Triple]
    bodies: dict[str, bytes] = field(default_factory=dict)

    def body(self, fmt: str) -> bytes:
        if fmt not in self.bodies:
            self.bodies[fmt] = (
                ox.serialize(
                    self.triples,
                    format=_OX[fmt],
                    prefixes=_FEED_PREFIXES if fmt == "turtle" else None,
                )
                or b""
            )
        return self.bodies[fmt]


class FeedUris:
    """The feed's IRIs, from the base URI."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.stream = base + "feed"
        self.snapshot = base + "feed/snapshot"
        self.catalog = base + "catalog"

    def page(self, after: int) -> str:
        return f"{self.stream}?after={after}"


def _rdf_list(items: list[ox.NamedNode], out: list[ox.Triple]) -> ox.BlankNode:
    head = ox.BlankNode()
    node = head
    for i, item in enumerate(items):
        out.append(ox.Triple(node, ox.NamedNode(RDF + "first"), item))
        rest: ox.NamedNode | ox.BlankNode = (
            ox.NamedNode(RDF + "nil") if i == len(items) - 1 else ox.BlankNode()
        )
        out.append(ox.Triple(node, ox.NamedNode(RDF + "rest"), rest))
        if isinstance(rest, ox.BlankNode):
            node = rest
    return head


def stream_description(u: FeedUris) -> list[ox.Triple]:
    """What every page says about the event stream itself."""
    s = ox.NamedNode(u.stream)
    out: list[ox.Triple] = []

    def add(p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        out.append(ox.Triple(s, ox.NamedNode(p), o))

    add(RDF + "type", ox.NamedNode(LDES + "EventStream"))
    add(DCT + "title", ox.Literal("Endringsstrømmen til OGP-registeret", language="nb"))
    add(DCT + "title", ox.Literal("Change feed of the OGP registry", language="en"))
    add(
        DCT + "description",
        ox.Literal(
            "Hver versjon av hver ressurs i registeret, i den rekkefølgen endringene ble "
            "registrert: opprettelser, oppdateringer, statusendringer og slettinger. Start fra "
            "øyeblikksbildet (void:dataDump) og følg strømmen videre med ?after=<endring>.",
            language="nb",
        ),
    )
    add(
        DCT + "description",
        ox.Literal(
            "Every version of every resource in the registry, in the order the changes were "
            "recorded: creations, updates, status changes and deletions. Start from the "
            "snapshot (void:dataDump) and follow the stream with ?after=<change>.",
            language="en",
        ),
    )
    lists: list[ox.Triple] = []  # after the stream's own statements, for readable Turtle
    add(LDES + "timestampPath", ox.NamedNode(PROV + "generatedAtTime"))
    add(LDES + "sequencePath", _rdf_list([IN_CHANGE, CHANGE_NUMBER], lists))
    add(LDES + "versionOfPath", IS_VERSION_OF)
    for kind, value in (("Create", OGP.Create), ("Update", OGP.Update), ("Delete", OGP.Delete)):
        add(LDES + f"version{kind}Path", _n(OGP.versionAction))
        add(LDES + f"version{kind}Object", _n(value))
    add(TREE + "view", ox.NamedNode(u.page(0)))
    add(VOID + "dataDump", ox.NamedNode(u.snapshot))
    add(RDFS + "seeAlso", ox.NamedNode(u.catalog))
    out.append(ox.Triple(ox.NamedNode(u.page(0)), A, ox.NamedNode(TREE + "Node")))
    return out + lists


def _member_state(version: ox.NamedNode, snapshot: str, item: ox.NamedNode) -> list[ox.Triple]:
    """The item's description at this version as statements about the version IRI (blank
    nodes renamed, so that two members never share one)."""
    out: list[ox.Triple] = []
    try:
        parsed = list(ox.parse(snapshot, ox.RdfFormat.N_TRIPLES, rename_blank_nodes=True))
    except SyntaxError:
        return out
    for q in parsed:
        subject = version if q.subject == item else q.subject
        out.append(ox.Triple(subject, q.predicate, q.object))
    return out


def build_page(hist: HistoryGraph, u: FeedUris, revision: Revision | None, after: int) -> Page:
    """The page of the changes after ``after``."""
    latest = hist.latest()
    chosen = hist.changes_after(after, PAGE_SIZE)
    members = sum(c[2] for c in chosen)
    last = chosen[-1][1] if chosen else after
    more = last < latest
    stream = ox.NamedNode(u.stream)
    head = stream_description(u)
    versions = [(change, hist.versions_in(change)) for change, _n, _k in chosen]
    # the members in change order, then this node and its relation, then the changes and the
    # members' statements in the same order
    head += [ox.Triple(stream, ox.NamedNode(TREE + "member"), v) for _c, vs in versions for v in vs]
    node = ox.NamedNode(u.page(after))
    triples: list[ox.Triple] = [ox.Triple(node, A, ox.NamedNode(TREE + "Node"))]
    if more:
        rel = ox.BlankNode()
        triples += [
            ox.Triple(node, ox.NamedNode(TREE + "relation"), rel),
            ox.Triple(rel, A, ox.NamedNode(TREE + "GreaterThanRelation")),
            ox.Triple(rel, ox.NamedNode(TREE + "node"), ox.NamedNode(u.page(last))),
        ]
        path_list: list[ox.Triple] = []
        path = _rdf_list([IN_CHANGE, CHANGE_NUMBER], path_list)
        triples += [
            ox.Triple(rel, ox.NamedNode(TREE + "path"), path),
            ox.Triple(rel, ox.NamedNode(TREE + "value"), _int(last)),
            ox.Triple(rel, ox.NamedNode(TREE + "remainingItems"), _int(hist.remaining(last))),
            *path_list,
        ]
    for change, in_change in versions:
        triples += hist.statements(change)
        for version in in_change:
            meta = hist.statements(version)
            triples += meta
            item = next((t.object for t in meta if t.predicate == IS_VERSION_OF), None)
            snap = next((t.object for t in meta if t.predicate == SNAPSHOT), None)
            if isinstance(item, ox.NamedNode) and isinstance(snap, ox.Literal) and snap.value:
                triples += _member_state(version, snap.value, item)
    return Page(
        revision=revision.number if revision else 0,
        committed=revision.committed if revision else None,
        after=after,
        latest=latest,
        changes=[c[1] for c in chosen],
        members=members,
        next_after=last if more else None,
        # each statement once: the stream's description says that the first page is a
        # tree:Node, and so does page 0 about itself (parts built apart may overlap)
        triples=list(dict.fromkeys(head + triples)),
    )


class FeedPublisher:
    """Pages per (revision, cursor), built once; older revisions' pages are dropped."""

    def __init__(self, base: str) -> None:
        self.uris = FeedUris(base)
        self._lock = threading.Lock()
        self._pages: OrderedDict[tuple[int, int], Page] = OrderedDict()
        self.snapshots: dict[tuple[int, str], bytes] = {}

    @staticmethod
    def snapshot_state() -> tuple[Revision | None, ox.Store]:
        """The committed revision and a reader of exactly that revision."""
        store = state().registry.store
        while True:
            before = store.revision()
            reader = store.reader()
            if store.revision() == before:
                return before, reader

    def history(self, reader: ox.Store) -> HistoryGraph:
        return HistoryGraph(reader, self.uris.base)

    def page(self, revision: Revision | None, reader: ox.Store, after: int) -> Page:
        number = revision.number if revision else 0
        key = (number, after)
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
                return page
        page = build_page(self.history(reader), self.uris, revision, after)
        with self._lock:
            for old in [k for k in self._pages if k[0] < number]:
                del self._pages[old]
            self._pages[key] = page
            while len(self._pages) > CACHE_PAGES:
                self._pages.popitem(last=False)
        return page


def _publisher() -> FeedPublisher:
    return state().extras["feed"]  # type: ignore[no-any-return]


# -- requests ---------------------------------------------------------------------------------
class _Refused(Exception):
    def __init__(self, status: int, code: str, text: str, **params: object) -> None:
        super().__init__(text)
        self.status = status
        self.code = code
        self.message = msg(text, **params)


def _format(atom: bool = False) -> conneg.Format:
    """The format asked for; Atom (``endpoint/feed_atom.py``) too when ``atom``."""
    offers = (*FORMATS, feed_atom.ATOM) if atom else FORMATS
    values = request.args.getlist("format")
    if any(v.strip() for v in values):
        if atom and feed_atom.named(values):
            return feed_atom.ATOM
        try:
            chosen = conneg.from_parameter(values).graph
        except conneg.UnknownFormat:
            chosen = None
        if chosen is None or chosen not in FORMATS:
            raise _Refused(
                400,
                "unknown-format",
                "Unknown format {value!r}. This is available as {formats}.",
                value=",".join(values),
                formats=", ".join(f.name for f in offers),
            )
        return chosen
    best = conneg.best(conneg.parse_accept(request.headers.get("Accept")), offers)
    if best is None:
        raise _Refused(
            406,
            "not-acceptable",
            "The feed is available as {types}; the Accept header accepts none of them.",
            types=", ".join(f.media_type for f in offers),
        )
    return best


def _since(value: str) -> datetime:
    """``since``: a timestamp (as given; Norwegian time without a zone) or a date (its first
    instant in Norway)."""
    try:
        parsed = parse_as_of(value)
    except AsOfError:
        raise _Refused(
            400,
            "bad-since",
            "since={value!r} is neither a date (YYYY-MM-DD) nor a timestamp (for example "
            "2026-11-27T09:00:00Z).",
            value=value,
        ) from None
    if parsed.day is not None:
        return datetime.combine(parsed.day, time(0), tzinfo=OSLO).astimezone(UTC)
    return parsed.when


def _after(value: str) -> int:
    v = value.strip()
    if not v.isdigit() or len(v) > 12:
        raise _Refused(
            400,
            "bad-cursor",
            "after={value!r} is not a change number (a whole number from 0). Use the number of "
            "the last change you have read.",
            value=value,
        )
    return int(v)


def _wants_gzip() -> bool:
    return any(v.lower() in ("gzip", "x-gzip") and q > 0 for v, q in request.accept_encodings)


def _respond(
    body: bytes,
    fmt: conneg.Format,
    etag: str,
    revision: Revision | None,
    headers: dict[str, str],
) -> Response:
    if request.if_none_match and request.if_none_match.contains_weak(etag):
        resp = Response(status=304)
    else:
        resp = Response(status=200)
        if _wants_gzip():
            resp.set_data(gzip.compress(body, compresslevel=5, mtime=0))
            resp.headers["Content-Encoding"] = "gzip"
        else:
            resp.set_data(body)
        resp.headers["Content-Type"] = fmt.content_type
    resp.set_etag(etag, weak=True)
    if revision is not None:
        resp.headers["Last-Modified"] = http_date(revision.committed)
    resp.headers["Vary"] = _VARY
    resp.headers["Cache-Control"] = "public, no-cache"
    resp.headers["OGP-Revision"] = str(revision.number if revision else 0)
    for k, v in headers.items():
        resp.headers[k] = v
    # cross-origin readers (a harvester in a browser) need the cursor headers too
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Expose-Headers"] = (
        "ETag, Last-Modified, Link, Content-Location, OGP-Revision, OGP-Last-Change, "
        "Content-Encoding, Content-Length, Vary"
    )
    return resp


def _refused(exc: _Refused) -> Response:
    resp = error_response(exc.status, exc.code, exc.message.render(as_lang(request_lang())))
    resp.headers["Vary"] = _VARY
    return resp


def _preflight() -> Response:
    resp = Response(status=204)
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    resp.headers["Access-Control-Allow-Headers"] = request.headers.get(
        "Access-Control-Request-Headers", "Accept, If-None-Match, If-Modified-Since"
    )
    resp.headers["Access-Control-Max-Age"] = "86400"
    resp.headers["Allow"] = "GET, HEAD, OPTIONS"
    return resp


@bp.route("/feed", methods=["GET", "HEAD", "OPTIONS"])
def feed() -> Response:
    """One page of the change feed (the first, ``?after=N`` or ``?since=<time>``)."""
    if request.method == "OPTIONS":
        return _preflight()
    try:
        fmt = _format(atom=True)
        if fmt is feed_atom.ATOM:  # for feed readers: the latest changes
            state().registry.ensure_initialised()
            revision, reader = _publisher().snapshot_state()
            atom: feed_atom.AtomBodies = state().extras["feed-atom"]
            body, etag, headers = atom.answer(revision, reader, as_lang(request_lang()))
            return _respond(body, fmt, etag, revision, headers)
        after_arg = request.args.get("after")
        since_arg = request.args.get("since")
        if after_arg is not None and since_arg is not None:
            raise _Refused(
                400,
                "cursor-and-since",
                "Use either after= or since=, not both.",
            )
        pub = _publisher()
        state().registry.ensure_initialised()
        revision, reader = pub.snapshot_state()
        if since_arg is not None:
            hist = pub.history(reader)
            first = hist.first_at_or_after(_since(since_arg))
            after = first - 1 if first is not None else hist.latest()
        else:
            after = _after(after_arg) if after_arg is not None else 0
    except _Refused as exc:
        return _refused(exc)
    page = pub.page(revision, reader, after)
    u = pub.uris
    links = [f'<{u.snapshot}>; rel="describedby"; title="snapshot"']
    if page.next_after is not None:
        links.insert(0, f'<{u.page(page.next_after)}>; rel="next"')
    headers = {
        "OGP-Last-Change": str(page.latest),
        "Link": ", ".join(links),
    }
    if after_arg is None:
        headers["Content-Location"] = u.page(after)
    return _respond(
        page.body(fmt.name), fmt, f"r{page.revision}-feed-{after}-{fmt.name}", revision, headers
    )


@bp.route("/feed/snapshot", methods=["GET", "HEAD", "OPTIONS"])
def snapshot() -> Response:
    """Every item's description at the current revision: where a harvester starts."""
    if request.method == "OPTIONS":
        return _preflight()
    try:
        fmt = _format()
    except _Refused as exc:
        return _refused(exc)
    pub = _publisher()
    state().registry.ensure_initialised()
    revision, reader = pub.snapshot_state()
    number = revision.number if revision else 0
    latest = pub.history(reader).latest()
    key = (number, fmt.name)
    body = pub.snapshots.get(key)
    if body is None:
        current = state_as_of(
            reader, datetime(9999, 12, 31, tzinfo=UTC), state().settings.base_uri
        )
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in current]
        triples.sort(key=str)
        body = (
            ox.serialize(
                triples,
                format=_OX[fmt.name],
                prefixes=_FEED_PREFIXES if fmt.name == "turtle" else None,
            )
            or b""
        )
        with pub._lock:
            pub.snapshots = {k: v for k, v in pub.snapshots.items() if k[0] == number}
            pub.snapshots[key] = body
    headers = {
        "OGP-Last-Change": str(latest),
        "Link": f'<{pub.uris.page(latest)}>; rel="next"; title="changes after this snapshot"',
    }
    return _respond(body, fmt, f"r{number}-snapshot-{fmt.name}", revision, headers)


def init_app(app: Flask) -> None:
    st = state(app)
    st.extras["feed"] = FeedPublisher(st.settings.base_uri)
    st.extras["feed-atom"] = feed_atom.AtomBodies(st.settings)
    app.register_blueprint(bp)
