"""The change feed (``/feed``, docs/feed.md) over a real socket: the endpoint app under the
production server on a free port, on a store whose history comes from real loads and a real
status change (tests/history_store.py; the commitments NO9921, NO9922 and NO97xx are invented).

Changes in the store of this module (after the history store's 1-3):

4. NO9921's status set to ``submitted`` (a status change, now);
5. an invented bulk submission of 40 commitments (NO9700-NO9739), so that the history passes
   one page of 100 members.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from endpoint.feed import PAGE_SIZE
from registry.access.tokens import TokenRecord
from registry.lifecycle.change import set_status
from registry.loading.sources import SourceFile
from registry.service import Registry
from tests.conftest import BASE
from tests.endpoint_server import Running, running
from tests.history_store import KMD, NO9921, NO9922, history_store, load_version

OGP = "https://w3id.org/ogp-no/def#"
DCT = "http://purl.org/dc/terms/"
TREE = "https://w3id.org/tree#"
LDES = "https://w3id.org/ldes#"
FEED = BASE + "feed"
BULK = 40
OX = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}


def bulk_submission(first: int, count: int) -> bytes:
    """An INVENTED submission of ``count`` commitments NO97xx for the 2019-2021 plan."""
    lines = [
        "# INVENTED EXAMPLE for the feed's paging test: none of these commitments exist.",
        "@prefix ogp: <https://w3id.org/ogp-no/def#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
    ]
    for i in range(first, first + count):
        lines.append(
            f'<id/commitment/NO97{i:02d}> a ogp:Commitment ; dct:identifier "NO97{i:02d}" ; '
            f'dct:title "Oppdiktet forpliktelse {i} (eksempel)"@nb , '
            f'"Invented commitment {i} (example)"@en ; '
            "ogp:inActionPlan <id/plan/2019-2021> ; "
            "ogp:leadAgency <id/organisation/kommunal-og-moderniseringsdepartementet> ."
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def admin() -> TokenRecord:
    return TokenRecord("test-admin", KMD, "Kommunal- og moderniseringsdepartementet", "admin", "")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    store = history_store(tmp_path_factory.mktemp("feed"), tmp_path_factory.getbasetemp())
    with running(store) as r:
        set_status(r.registry, admin(), NO9921, "submitted")
        r.registry.load(
            [SourceFile("bulk.ttl", bulk_submission(0, BULK), "feed-bulk")], submitted_by=KMD
        )
        yield r


def get(
    site: Running, path: str, accept: str | None = "text/turtle", **headers: str
) -> requests.Response:
    h = dict(headers)
    if accept is not None:
        h["Accept"] = accept
    return requests.get(site.url + path, headers=h, timeout=30)


def media(resp: requests.Response) -> str:
    return resp.headers["Content-Type"].split(";")[0].strip()


def parse(resp: requests.Response) -> ox.Store:
    store = ox.Store()
    store.extend(
        ox.Quad(q.subject, q.predicate, q.object)
        for q in ox.parse(resp.content, OX[media(resp)], base_iri=BASE)
    )
    return store


@dataclass(frozen=True)
class Member:
    change: int
    version: str
    item: str
    action: str  # Create | Update | Delete
    kind: str  # Load | StatusUpdate | Erase


def members(store: ox.Store) -> list[Member]:
    """The page's members in change order (then by version IRI)."""
    rows = store.query(
        """SELECT ?feed ?v ?item ?action ?n ?kind WHERE {
             ?feed tree:member ?v .
             ?v dct:isVersionOf ?item ; ogp:versionAction ?action ; ogp:inChange ?c .
             ?c ogp:changeNumber ?n ; ogp:changeKind ?kind .
           } ORDER BY ?n ?v""",
        prefixes={"tree": TREE, "dct": DCT, "ogp": OGP},
        substitutions={ox.Variable("feed"): ox.NamedNode(FEED)},
    )
    assert isinstance(rows, ox.QuerySolutions)
    return [
        Member(
            int(r["n"].value),
            r["v"].value,
            r["item"].value,
            r["action"].value.rsplit("#", 1)[-1],
            r["kind"].value.rsplit("#", 1)[-1],
        )
        for r in rows
    ]


def relation(store: ox.Store, page: str) -> tuple[str, int] | None:
    """(next node, tree:value) of the page's GreaterThanRelation, if it has one."""
    rows = store.query(
        """SELECT ?page ?node ?value ?path WHERE {
             ?page tree:relation ?r . ?r a tree:GreaterThanRelation ; tree:node ?node ;
                tree:value ?value ; tree:path ?path .
           }""",
        prefixes={"tree": TREE},
        substitutions={ox.Variable("page"): ox.NamedNode(page)},
    )
    assert isinstance(rows, ox.QuerySolutions)
    found = list(rows)
    assert len(found) <= 1
    if not found:
        return None
    return found[0]["node"].value, int(found[0]["value"].value)


def follow(site: Running, start: str) -> tuple[list[Member], list[requests.Response]]:
    """Every member from ``start`` on, following the next links (and checking that the
    relation and the Link header agree)."""
    out: list[Member] = []
    pages: list[requests.Response] = []
    url = start
    while True:
        resp = get(site, url)
        assert resp.status_code == 200, resp.text
        pages.append(resp)
        store = parse(resp)
        out += members(store)
        page_iri = resp.headers.get("Content-Location") or BASE + url
        rel = relation(store, page_iri)
        nxt = resp.links.get("next", {}).get("url")
        if rel is None:
            assert nxt is None
            return out, pages
        assert nxt == rel[0]
        assert rel[0] == f"{FEED}?after={rel[1]}"
        url = rel[0][len(BASE) :]


def history_by_sparql(site: Running) -> list[Member]:
    """Every version in the history graph, through the SPARQL endpoint (the oracle)."""
    resp = requests.get(
        site.sparql,
        params={
            "query": """SELECT ?v ?item ?action ?n ?kind WHERE {
                ?v a ogp:Version ; dct:isVersionOf ?item ; ogp:versionAction ?action ;
                   ogp:inChange ?c . ?c ogp:changeNumber ?n ; ogp:changeKind ?kind .
              } ORDER BY ?n ?v"""
        },
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    return [
        Member(
            int(b["n"]["value"]),
            b["v"]["value"],
            b["item"]["value"],
            b["action"]["value"].rsplit("#", 1)[-1],
            b["kind"]["value"].rsplit("#", 1)[-1],
        )
        for b in resp.json()["results"]["bindings"]
    ]


# -- the stream ---------------------------------------------------------------------------------
def test_the_feed_is_an_ldes_event_stream_with_its_paths_and_the_snapshot(site: Running) -> None:
    resp = get(site, "feed")
    assert resp.status_code == 200 and media(resp) == "text/turtle"
    g = parse(resp)
    s = ox.NamedNode(FEED)

    def objects(p: str) -> set[str]:
        return {q.object.value for q in g.quads_for_pattern(s, ox.NamedNode(p), None)}

    assert objects("http://www.w3.org/1999/02/22-rdf-syntax-ns#type") == {LDES + "EventStream"}
    assert objects(LDES + "timestampPath") == {"http://www.w3.org/ns/prov#generatedAtTime"}
    assert objects(LDES + "versionOfPath") == {DCT + "isVersionOf"}
    assert objects(LDES + "versionDeletePath") == {OGP + "versionAction"}
    assert objects(LDES + "versionDeleteObject") == {OGP + "Delete"}
    assert objects(LDES + "versionCreateObject") == {OGP + "Create"}
    assert objects(TREE + "view") == {FEED + "?after=0"}
    assert objects("http://rdfs.org/ns/void#dataDump") == {FEED + "/snapshot"}
    assert resp.headers["Content-Location"] == FEED + "?after=0"
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "OGP-Last-Change" in resp.headers["Access-Control-Expose-Headers"]


def test_following_the_pages_gives_every_version_in_change_order(site: Running) -> None:
    got, pages = follow(site, "feed")
    expected = history_by_sparql(site)
    assert got == expected
    assert [m.change for m in got] == sorted(m.change for m in got)
    # the 125 bundled items (organisations and their names, five plans, ...) are more than a
    # page holds: the first page is that one whole change; the changes 2, 3, 4 (2 + 2 + 1) and
    # the bulk load of 40 fit in the second
    assert len(pages) == 2
    first = members(parse(pages[0]))
    assert len(first) > PAGE_SIZE and {m.change for m in first} == {1}
    second = [m.change for m in members(parse(pages[1]))]
    assert len(second) <= PAGE_SIZE and second == [2, 2, 3, 3, 4] + [5] * BULK
    assert relation(parse(pages[0]), FEED + "?after=0") == (FEED + "?after=1", 1)
    assert pages[-1].headers["OGP-Last-Change"] == "5"


def test_create_update_status_change_and_delete_events_are_members(site: Running) -> None:
    got, _ = follow(site, "feed")
    events = [(m.change, m.action, m.kind) for m in got if m.item == NO9921]
    assert events == [(2, "Create", "Load"), (3, "Update", "Load"), (4, "Update", "StatusUpdate")]
    assert [(m.change, m.action) for m in got if m.item == NO9922] == [(2, "Create"), (3, "Delete")]


def test_resuming_from_a_cursor_returns_exactly_the_later_events_deletions_included(
    site: Running,
) -> None:
    everything = history_by_sparql(site)
    for cursor in (0, 1, 2, 3, 4, 5):
        got, _ = follow(site, f"feed?after={cursor}")
        assert got == [m for m in everything if m.change > cursor], cursor
    after2, _ = follow(site, "feed?after=2")
    deletion = next(m for m in after2 if m.item == NO9922)
    assert (deletion.version, deletion.action) == (NO9922 + "/version/3", "Delete")
    assert all(m.change > 2 for m in after2)


def test_the_last_page_has_no_next_link_and_a_cursor_past_the_end_is_empty(site: Running) -> None:
    resp = get(site, "feed?after=5")
    assert resp.status_code == 200
    assert members(parse(resp)) == [] and "next" not in resp.links
    assert resp.headers["OGP-Last-Change"] == "5"
    far = get(site, "feed?after=999999")
    assert far.status_code == 200 and members(parse(far)) == []


def test_a_member_carries_its_state_its_exact_snapshot_and_its_change(site: Running) -> None:
    g = parse(get(site, "feed?after=2"))
    v3 = ox.NamedNode(NO9921 + "/version/3")
    title = ox.NamedNode(DCT + "title")
    titles = {q.object.value for q in g.quads_for_pattern(v3, title, None)}
    assert titles == {
        "Åpen endringslogg, revidert (eksempel)",
        "Open change log, revised (example)",
    }
    snapshot = next(g.quads_for_pattern(v3, ox.NamedNode(OGP + "snapshot"), None)).object.value
    parsed = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(snapshot, ox.RdfFormat.N_TRIPLES)
    }
    assert (
        ox.Triple(
            ox.NamedNode(NO9921),
            title,
            ox.Literal("Åpen endringslogg, revidert (eksempel)", language="nb"),
        )
        in parsed
    )
    # the deletion has an empty snapshot and no state
    d3 = ox.NamedNode(NO9922 + "/version/3")
    assert next(g.quads_for_pattern(d3, ox.NamedNode(OGP + "snapshot"), None)).object.value == ""
    assert not list(g.quads_for_pattern(d3, title, None))
    # the change: when, who, which source
    change = ox.NamedNode(BASE + "id/change/3")
    preds = {q.predicate.value: q.object.value for q in g.quads_for_pattern(change, None, None)}
    assert preds[OGP + "changeNumber"] == "3"
    assert preds["http://www.w3.org/ns/prov#atTime"] == "2019-09-02T08:00:00Z"
    assert preds["http://www.w3.org/ns/prov#wasAssociatedWith"] == KMD
    assert preds["http://www.w3.org/ns/prov#used"] == BASE + "graph/source/history-example"


# -- since ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("since", "cursor"),
    [
        ("2019-06-20", 1),  # a date: its first moment in Norway
        ("2019-06-20T10:00:00+02:00", 1),  # exactly change 2's time
        ("2019-06-20T08:00:01Z", 2),  # a second later
        ("2019-06-20T10:00:01", 2),  # no zone: Norwegian time
        ("2019-01-01", 0),
        ("2999-01-01", 5),  # nothing yet: an empty page, continue from the latest
    ],
)
def test_since_starts_at_the_first_change_at_or_after_the_time(
    site: Running, since: str, cursor: int
) -> None:
    resp = get(site, f"feed?since={requests.utils.quote(since)}")
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Location"] == f"{FEED}?after={cursor}"
    got = members(parse(resp))
    assert got == members(parse(get(site, f"feed?after={cursor}")))
    assert all(m.change > cursor for m in got)


# -- formats and HTTP ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        ("text/turtle", None, "text/turtle"),
        ("application/ld+json", None, "application/ld+json"),
        ("application/n-triples", None, "application/n-triples"),
        ("*/*", None, "text/turtle"),
        (None, None, "text/turtle"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", None, "text/turtle"),
        ("text/turtle", "jsonld", "application/ld+json"),
        ("text/turtle", "nt", "application/n-triples"),
    ],
)
def test_formats_by_accept_header_or_format_parameter(
    site: Running, accept: str | None, fmt: str | None, expected: str
) -> None:
    resp = get(site, "feed?after=2" + (f"&format={fmt}" if fmt else ""), accept)
    assert resp.status_code == 200
    assert media(resp) == expected
    assert resp.headers["Vary"] == "Accept, Accept-Encoding"


def canonical(resp: requests.Response) -> set[str]:
    """The page's triples with blank nodes canonically labelled (RDFC-1.0)."""
    ds = ox.Dataset(parse(resp))
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in ds}


def test_every_format_says_the_same(site: Running) -> None:
    graphs = [canonical(get(site, "feed?after=1", mt)) for mt in OX]
    assert len(graphs[0]) > 20
    assert all(g == graphs[0] for g in graphs[1:])


def test_bad_requests_are_errors_in_the_endpoint_shape(site: Running) -> None:
    for path, status, code in (
        ("feed?after=-1", 400, "bad-cursor"),
        ("feed?after=abc", 400, "bad-cursor"),
        ("feed?since=yesterday", 400, "bad-since"),
        ("feed?after=1&since=2019-01-01", 400, "cursor-and-since"),
        ("feed?format=yaml", 400, "unknown-format"),
    ):
        resp = get(site, path)
        assert resp.status_code == status, path
        assert resp.json()["error"] == code
    assert get(site, "feed", "image/png").status_code == 406
    assert get(site, "feed?after=x&lang=en").json()["message"].startswith("after='x' is not")


def test_etag_304_gzip_and_cors_preflight(site: Running) -> None:
    resp = get(site, "feed?after=3")
    etag = resp.headers["ETag"]
    rev = resp.headers["OGP-Revision"]
    assert etag == f'W/"r{rev}-feed-3-turtle"'
    assert resp.headers["Last-Modified"]
    assert get(site, "feed?after=3", **{"If-None-Match": etag}).status_code == 304
    with requests.get(
        site.url + "feed?after=3",
        headers={"Accept-Encoding": "gzip"},
        timeout=30,
        stream=True,
    ) as raw:
        assert raw.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(raw.raw.read()) == resp.content
    pre = requests.options(
        site.url + "feed",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
        timeout=30,
    )
    assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"] == "*"


# -- the snapshot and the same committed state ------------------------------------------------
def item_triples(reg: Registry) -> set[ox.Triple]:
    """Every statement about an item, from the source and lifecycle graphs (no blank nodes)."""
    out = set()
    for q in reg.store.reader():
        g, s = q.graph_name, q.subject
        if not (isinstance(g, ox.NamedNode) and isinstance(s, ox.NamedNode)):
            continue
        if not (g.value.startswith(BASE + "graph/source/") or g.value == BASE + "graph/lifecycle"):
            continue
        if s.value.startswith(BASE + "id/") and not s.value.startswith(BASE + "id/status-change/"):
            if not isinstance(q.object, ox.BlankNode):
                out.add(ox.Triple(s, q.predicate, q.object))
    return out


def named(store: ox.Store) -> set[ox.Triple]:
    return {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store
        if not isinstance(q.object, ox.BlankNode) and not isinstance(q.subject, ox.BlankNode)
    }


def test_the_snapshot_is_every_item_description_and_says_where_to_continue(site: Running) -> None:
    resp = get(site, "feed/snapshot", "application/n-triples")
    assert resp.status_code == 200
    assert resp.headers["OGP-Last-Change"] == "5"
    assert resp.links["next"]["url"] == FEED + "?after=5"
    got = named(parse(resp))
    assert got == item_triples(site.registry)
    assert not any(t.subject.value == NO9922 for t in got)  # deleted


@pytest.fixture
def fresh(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A server of its own on a copy of the history store (changes 1-3), for tests that load."""
    with running(history_store(tmp_path, tmp_path_factory.getbasetemp())) as r:
        yield r


def test_snapshot_plus_feed_is_a_replica(fresh: Running) -> None:
    """A harvester starts from the snapshot, then applies the feed after its change: the
    re-submission of history-v1 (NO9921 back to its first text, NO9922 created again), then of
    history-v2 (NO9921 revised, NO9922 deleted again)."""
    start = get(fresh, "feed/snapshot", "application/n-triples")
    cursor = int(start.headers["OGP-Last-Change"])
    assert cursor == 3
    replica: dict[str, set[ox.Triple]] = {}
    for t in named(parse(start)):
        replica.setdefault(t.subject.value, set()).add(t)
    load_version(fresh.registry, "history-v1.ttl", None)
    load_version(fresh.registry, "history-v2.ttl", None)
    got, _ = follow(fresh, f"feed?after={cursor}")
    assert [(m.change, m.item, m.action) for m in got] == [
        (4, NO9921, "Update"),
        (4, NO9922, "Create"),
        (5, NO9921, "Update"),
        (5, NO9922, "Delete"),
    ]
    g = parse(get(fresh, f"feed?after={cursor}"))
    for m in got:
        if m.action == "Delete":
            replica.pop(m.item, None)
            continue
        snap = next(
            g.quads_for_pattern(ox.NamedNode(m.version), ox.NamedNode(OGP + "snapshot"), None)
        )
        replica[m.item] = {
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(snap.object.value, ox.RdfFormat.N_TRIPLES)
            if not isinstance(q.object, ox.BlankNode)
        }
    assert {t for ts in replica.values() for t in ts} == item_triples(fresh.registry)


def test_feed_sparql_and_catalog_read_the_same_committed_revision(fresh: Running) -> None:
    def observe() -> tuple[str, str, str, int]:
        feed = get(fresh, "feed")
        sparql = requests.get(
            fresh.sparql,
            params={
                "query": "SELECT (MAX(?n) AS ?m) WHERE { ?c a ogp:Change ; ogp:changeNumber ?n }"
            },
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        catalog = requests.get(fresh.url + "catalog", timeout=60)
        assert feed.status_code == sparql.status_code == catalog.status_code == 200
        latest = int(sparql.json()["results"]["bindings"][0]["m"]["value"])
        assert feed.headers["OGP-Last-Change"] == str(latest)
        return (
            feed.headers["OGP-Revision"],
            sparql.headers["OGP-Revision"],
            catalog.headers["ETag"].strip('W/"').split("-")[0],
            latest,
        )

    before = observe()
    assert before[0] == before[1] and "r" + before[0] == before[2]
    assert before[3] == 3
    fresh.registry.load(
        [SourceFile("agree.ttl", bulk_submission(60, 1), "feed-agree")], submitted_by=KMD
    )
    after = observe()
    assert after[0] == after[1] and "r" + after[0] == after[2]
    assert int(after[0]) == int(before[0]) + 1 and after[3] == 4
