"""The endpoint in front of external SPARQL engines (endpoint/sparql/remote_executor.py), served by
waitress over a real socket; every test runs on Oxigraph's server and on Virtuoso."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import requests

from endpoint.app import create_app, state
from endpoint.server import Server
from endpoint.sparql.remote_executor import RemoteQueryExecutor
from registry.access import tokens
from registry.loading.sources import SourceFile
from registry.service import Registry
from tests.conftest import BASE, FIXTURES

SOURCE = BASE + "graph/source/alt"
COUNT_SOURCE = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SOURCE}> {{ ?s ?p ?o }} }}"
# Scoped to the 2019–2021 plan (the store holds every bundled plan): NO0054–NO0062, and the
# invented NO9901 the tests load into that plan.
PLAN = f"<{BASE}id/plan/2019-2021>"
COMMITMENTS = (
    f"SELECT ?id WHERE {{ ?c a ogp:Commitment ; ogp:inActionPlan {PLAN} ; dct:identifier ?id }}"
    " ORDER BY ?id"
)
JSON = {"Accept": "application/sparql-results+json"}
FILES = [FIXTURES / "rdf" / "valid-commitment.ttl", FIXTURES / "rdf" / "no-english-title.ttl"]


@contextmanager
def serving(reg: Registry, **overrides: object) -> Iterator[tuple[str, object]]:
    settings = replace(reg.settings, **overrides)  # type: ignore[arg-type]
    app = create_app(settings, registry=reg)
    server = Server(app, host="127.0.0.1", port=0)
    server.start_in_thread()
    try:
        yield server.url, state(app).extras["executor"]
    finally:
        server.close()


def _load(reg: Registry, k: int) -> None:
    path = FILES[k % 2]
    reg.load([SourceFile(path.name, path.read_bytes(), "alt", None)])


def _count(resp: requests.Response) -> int:
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


def test_protocol_basics_and_the_etag_follows_commits(remote_registry: Registry) -> None:
    reg = remote_registry
    with serving(reg, row_cap=100) as (url, executor):
        assert isinstance(executor, RemoteQueryExecutor)
        executor.revision_ttl = 0  # read the revision for every request (default: 0.5 s)
        r = requests.get(url + "sparql", params={"query": COMMITMENTS}, headers=JSON, timeout=30)
        assert r.status_code == 200, r.text
        ids = [b["id"]["value"] for b in r.json()["results"]["bindings"]]
        assert ids[:2] == ["NO0054", "NO0055"] and len(ids) == 9
        etag = r.headers["ETag"]
        assert r.headers["OGP-Revision"] == str(reg.store.revision().number)  # type: ignore[union-attr]
        same = requests.get(
            url + "sparql",
            params={"query": COMMITMENTS},
            headers={**JSON, "If-None-Match": etag},
            timeout=30,
        )
        assert same.status_code == 304
        csv = requests.post(
            url + "sparql", data={"query": COMMITMENTS}, headers={"Accept": "text/csv"}, timeout=30
        )
        assert csv.text.splitlines()[:2] == ["id", "NO0054"]
        ttl = requests.get(
            url + "sparql",
            params={
                "query": "CONSTRUCT { ?c a ogp:Commitment } "
                f"WHERE {{ ?c a ogp:Commitment ; ogp:inActionPlan {PLAN} }}"
            },
            headers={"Accept": "text/turtle"},
            timeout=30,
        )
        assert ttl.status_code == 200 and ttl.text.count("ogp:Commitment") == 9
        capped = requests.get(
            url + "sparql",
            params={"query": "SELECT * WHERE { ?s ?p ?o }"},
            headers=JSON,
            timeout=30,
        )
        assert capped.headers.get("OGP-Truncated") == "true"
        assert len(capped.json()["results"]["bindings"]) == 100
        refused = requests.get(
            url + "sparql",
            params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"},
            headers=JSON,
            timeout=30,
        )
        assert refused.status_code == 400 and refused.json()["error"] == "service-not-allowed"
        _load(reg, 0)
        again = requests.get(
            url + "sparql",
            params={"query": COMMITMENTS},
            headers={**JSON, "If-None-Match": etag},
            timeout=30,
        )
        assert again.status_code == 200 and again.headers["ETag"] != etag
        assert "NO9901" in again.text
        health = requests.get(url + "health", timeout=30).json()
        assert health["revision"] == reg.store.revision().number  # type: ignore[union-attr]


def test_load_while_serving_shows_before_or_after_never_in_between(
    remote_registry: Registry,
) -> None:
    reg = remote_registry
    _load(reg, 0)
    sizes = set()
    for k in (0, 1):
        path = FILES[k]
        from registry.rdf.formats import format_for, parse_rdf

        sizes.add(len(set(parse_rdf(path.read_bytes(), format_for(path.name, None), base_iri=BASE,
                                    file=path.name))))
    with serving(reg, cache_bytes=0) as (url, _executor):
        stop = threading.Event()
        seen: list[int] = []
        errors: list[str] = []

        def client() -> None:
            with requests.Session() as s:
                while not stop.is_set():
                    r = s.post(url + "sparql", data={"query": COUNT_SOURCE}, headers=JSON,
                               timeout=60)
                    if r.status_code != 200:
                        errors.append(f"{r.status_code} {r.text[:200]}")
                        continue
                    seen.append(_count(r))

        threads = [threading.Thread(target=client) for _ in range(2)]
        for t in threads:
            t.start()
        try:
            for k in range(1, 5):
                _load(reg, k)
        finally:
            stop.set()
            for t in threads:
                t.join(60)
    assert not errors
    assert len(seen) > 4
    assert set(seen) <= sizes, f"an answer from between two states: {set(seen) - sizes}"


def test_a_query_past_the_timeout_is_stopped(runaway_registry: Registry) -> None:
    remote_registry = runaway_registry  # a query that never ends: an Oxigraph of its own
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with serving(remote_registry, query_timeout=2.0) as (url, executor):
        r = requests.post(url + "sparql", data={"query": heavy}, headers=JSON, timeout=60)
        assert r.status_code == 504, r.text[:300]
        assert r.json()["error"] == "query-timeout"
        ok = requests.post(url + "sparql", data={"query": "ASK { ?s ?p ?o }"}, headers=JSON,
                           timeout=60)
        assert ok.status_code == 200 and ok.json()["boolean"] is True
        assert executor.stats["timeouts"] == 1  # type: ignore[attr-defined]


def test_authenticated_writes_reach_the_engine(remote_registry: Registry) -> None:
    reg = remote_registry
    nfd = tokens.issue(reg, "912660680", "submitter", "NFD")
    with serving(reg) as (url, _executor):
        body = FILES[0].read_bytes()
        put = requests.put(
            url + "graph-store",
            params={"graph": SOURCE},
            data=body,
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {nfd.secret}"},
            timeout=60,
        )
        assert put.status_code == 201, put.text
        r = requests.get(url + "sparql", params={"query": COMMITMENTS}, headers=JSON, timeout=30)
        assert "NO9901" in r.text
        refused = requests.put(
            url + "graph-store",
            params={"graph": SOURCE},
            data=body,
            headers={"Content-Type": "text/turtle"},
            timeout=60,
        )
        assert refused.status_code == 401
    assert (reg.store.path / "audit.log").read_text().count("graph-store") >= 2


def test_pages_and_catalogue_on_the_engine(remote_registry: Registry) -> None:
    with serving(remote_registry) as (url, _executor):
        for path in ("", "id/commitment/NO0054", "catalog", "void"):
            r = requests.get(url + path, timeout=60)
            assert r.status_code == 200, (path, r.text[:300])
        page = requests.get(url + "id/commitment/NO0054", timeout=60).text
        assert "NO0054" in page


def test_every_result_format_matches_the_embedded_endpoint(
    remote_registry: Registry, registry: Registry
) -> None:
    """The same query in each SPARQL results format gives the same bytes through the endpoint
    on the engine as on the embedded store: on Oxigraph the engine's own bytes are passed on
    when the query's LIMIT keeps it within the row cap (``Engine.passthrough``), elsewhere the
    answer is rewritten; CSV is made spreadsheet-safe either way."""
    query = (
        "SELECT ?id ?title WHERE { ?c a ogp:Commitment ; dct:identifier ?id ; "
        'dct:title ?title FILTER(lang(?title) = "en") } ORDER BY ?id LIMIT 4'
    )
    types = {
        "json": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    }
    bodies: list[dict[str, bytes]] = []
    for reg in (remote_registry, registry):
        with serving(reg) as (url, _executor):
            seen = {}
            for name, media in types.items():
                r = requests.get(
                    url + "sparql",
                    params={"query": query},
                    headers={"Accept": media, "Accept-Encoding": "identity"},
                    timeout=30,
                )
                assert r.status_code == 200, r.text
                assert r.headers["Content-Type"].startswith(media)
                seen[name] = r.content
            bodies.append(seen)
    remote, embedded = bodies
    assert remote == embedded
    assert embedded["tsv"].count(b"\n") == 5  # the header and four rows


def test_a_revision_older_than_its_ttl_is_never_served_stale(remote_registry: Registry) -> None:
    """Once the last confirmation of the revision is older than ``revision_ttl``, an uncached
    query is evaluated without a check before it, and the check after it must catch a commit
    made meanwhile by another writer; a cached answer of the older revision is not served."""
    reg = remote_registry
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?c a ogp:Commitment }"
    with serving(reg) as (url, executor):
        assert isinstance(executor, RemoteQueryExecutor)
        executor.revision_ttl = 3600.0  # the revision read first stays "confirmed"...
        first = requests.get(url + "sparql", params={"query": count}, headers=JSON, timeout=30)
        before = int(first.headers["OGP-Revision"])
        _load(reg, 0)  # another writer commits (the executor is not told)
        executor.revision_ttl = 0.0  # ...until now: every confirmation has expired
        for query in (count, count + " # not cached yet"):
            r = requests.get(url + "sparql", params={"query": query}, headers=JSON, timeout=30)
            assert r.status_code == 200, r.text
            assert int(r.headers["OGP-Revision"]) == before + 1, query
            assert _count(r) == _count(first) + 1, query  # the loaded commitment is counted


def test_an_answer_is_never_older_than_its_label(remote_registry: Registry) -> None:
    """Within ``revision_ttl`` of a commit by another writer: on an engine checked after each
    query (Virtuoso) an uncached query notices the commit, runs again and carries the new
    revision; on Oxigraph (one snapshot per query, no check after it; ``Engine.snapshot_reads``)
    it already shows the new state under the label still confirmed, never the other way
    round. A cached answer keeps its own label and content together, and is served only
    while its revision is the one the executor has confirmed."""
    reg = remote_registry
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?c a ogp:Commitment }"
    with serving(reg) as (url, executor):
        assert isinstance(executor, RemoteQueryExecutor)
        executor.revision_ttl = 3600.0  # the revision read first stays confirmed
        first = requests.get(url + "sparql", params={"query": count}, headers=JSON, timeout=30)
        before = int(first.headers["OGP-Revision"])
        _load(reg, 0)  # another writer commits (the executor is not told)
        fresh = requests.get(url + "sparql", params={"query": count + " # not cached"},
                             headers=JSON, timeout=30)
        assert fresh.status_code == 200, fresh.text
        assert _count(fresh) == _count(first) + 1  # the newest state, on both engines
        label = int(fresh.headers["OGP-Revision"])
        assert label == (before if executor.engine.snapshot_reads else before + 1)
        again = requests.get(url + "sparql", params={"query": count}, headers=JSON, timeout=30)
        if executor.engine.snapshot_reads:  # still confirmed: the first answer, from the cache
            assert int(again.headers["OGP-Revision"]) == before
            assert _count(again) == _count(first)
        else:  # the check after the query above taught the executor the new revision
            assert int(again.headers["OGP-Revision"]) == before + 1
            assert _count(again) == _count(first) + 1
