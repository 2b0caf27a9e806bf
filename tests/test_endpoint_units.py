"""The endpoint's parts on their own: content negotiation, the query-text lexer, the answer
cache, and the executor's busy signal (a real worker pool on a real store)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from endpoint import conneg
from endpoint.sparql.answers import Answer, QueryRequest
from endpoint.sparql.cache import AnswerCache
from endpoint.sparql.executor import QueryExecutor
from registry.errors import ExecutorBusy
from registry.namespaces import PREFIXES
from registry.sparql.querytext import dataset, inspect
from tests.conftest import BASE
from tests.endpoint_server import copy_store


# -- conneg ----------------------------------------------------------------------------------
def names(accept: str | None) -> tuple[str | None, str | None]:
    return conneg.negotiate(accept).key


def test_q_values_and_specificity() -> None:
    assert names("text/csv;q=0.4, text/tab-separated-values;q=0.6") == ("tsv", None)
    assert names("text/*;q=0.2, text/csv;q=0") == ("tsv", "turtle")
    assert names("*/*;q=0.1, application/sparql-results+xml") == ("xml", "turtle")
    assert names("application/sparql-results+json;q=0, */*") == ("xml", "turtle")
    assert names("image/png") == (None, None)
    assert names(None) == ("json", "turtle")
    assert names("") == ("json", "turtle")
    assert names("APPLICATION/SPARQL-RESULTS+JSON") == ("json", None)


def test_html_preference_needs_html_named() -> None:
    firefox = conneg.parse_accept("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert conneg.prefers_html(firefox, conneg.GRAPH_FORMATS)
    assert not conneg.prefers_html(conneg.parse_accept("*/*"), conneg.GRAPH_FORMATS)
    assert not conneg.prefers_html(
        conneg.parse_accept("text/turtle, text/html;q=0.5"), conneg.GRAPH_FORMATS
    )
    assert not conneg.prefers_html(conneg.parse_accept("text/html;q=0"), conneg.GRAPH_FORMATS)


def test_format_parameter_values() -> None:
    assert conneg.from_parameter(["json"]).key == ("json", "jsonld")
    assert conneg.from_parameter(["xml"]).key == ("xml", "rdfxml")
    assert conneg.from_parameter(["ttl"]).key == (None, "turtle")
    assert conneg.from_parameter(["n3"]).key == (None, "turtle")
    assert conneg.from_parameter(["tsv", "text/tab-separated-values"]).key == ("tsv", None)
    assert conneg.from_parameter(["rdf+xml", "application/rdf+xml"]).key == (None, "rdfxml")
    assert conneg.from_parameter(["json-ld"]).key == (None, "jsonld")
    with pytest.raises(conneg.UnknownFormat):
        conneg.from_parameter(["xlsx"])


# -- the lexer -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "service", "dataset"),
    [
        ("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", True, False),
        ("select * where { service silent ?svc { ?s ?p ?o } }", True, False),
        ("SELECT * WHERE { \\u0053ERVICE <http://x/> {} }", True, False),
        ("SELECT * WHERE { \\U00000053ERVICE <http://x/> {} }", True, False),
        ('SELECT ?service WHERE { ?s ex:SERVICE "SERVICE" } # SERVICE', False, False),
        ("SELECT * WHERE { ?s <http://ex/SERVICE> '''SERVICE\n''' }", False, False),
        ("SELECT * FROM <http://g> WHERE { ?s ?p ?o }", False, True),
        ("select * from named <g> {}", False, True),
        ("PREFIX from: <http://x/> SELECT * { from:x ?p ?o }", False, False),
        ("SELECT * { ?x :FROM _:FROM FILTER(?a<?b && ?c>?d) }", False, False),
    ],
)
def test_lexer_finds_service_and_from_keywords_only(
    query: str, service: bool, dataset: bool
) -> None:
    facts = inspect(query)
    assert facts.uses_service is service
    assert facts.has_dataset is dataset


# -- the cache -------------------------------------------------------------------------------
def answer(revision: int, size: int) -> Answer:
    return Answer(b"x" * size, "json", "solutions", 1, False, revision, None, 0.0)


def test_cache_is_keyed_by_revision_and_drops_older_revisions() -> None:
    cache = AnswerCache(10_000)
    req = QueryRequest("ASK {}")
    cache.put(req, answer(1, 100))
    assert cache.get(1, req) is not None
    assert cache.get(2, req) is None  # a commit happened: the old answer is not valid
    assert len(cache) == 0 and cache.nbytes == 0  # and it is gone
    cache.put(req, answer(1, 100))  # a late answer from the old revision is not kept
    assert len(cache) == 0
    other = QueryRequest("ASK {}", solutions_format="xml")
    cache.put(req, answer(2, 100))
    assert cache.get(2, other) is None


def test_cache_respects_its_byte_budget_least_recently_used_first() -> None:
    cache = AnswerCache(2_000)
    reqs = [QueryRequest(f"ASK {{}} # {i}") for i in range(5)]
    for r in reqs[:3]:
        cache.put(r, answer(1, 400))  # 600 bytes each with overhead
    assert cache.get(1, reqs[0]) is not None  # reqs[0] is now the most recent
    cache.put(reqs[3], answer(1, 400))
    assert cache.nbytes <= 2_000
    assert cache.get(1, reqs[1]) is None  # the least recently used went first
    assert cache.get(1, reqs[0]) is not None
    cache.put(reqs[4], answer(1, 5_000))  # larger than half the budget: not cached
    assert cache.get(1, reqs[4]) is None
    a = cache.get(1, reqs[0])
    assert a is not None
    before = cache.nbytes
    a.gzipped()
    assert cache.nbytes > before  # the compressed copy counts too
    assert cache.nbytes <= 2_000
    counted = cache.nbytes
    a.gzipped()
    assert cache.nbytes == counted  # once
    cache.clear()
    assert cache.nbytes == 0 and len(cache) == 0
    stray = answer(1, 300)  # never cached, or evicted: its compressed copy counts nowhere
    stray.gzipped()
    assert cache.nbytes == 0


# -- the executor ----------------------------------------------------------------------------
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_executor_says_busy_when_no_worker_frees_up(
    initialised_store: Path, tmp_path: Path
) -> None:
    store = copy_store(initialised_store, tmp_path / "store")
    ex = QueryExecutor(store, BASE, prefixes=PREFIXES, workers=1, timeout=3, queue_timeout=0.2)
    try:
        ex.start()
        errors: list[BaseException] = []

        def slow() -> None:
            try:
                ex.execute(QueryRequest(SLOW))
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        t = threading.Thread(target=slow)
        t.start()
        deadline = time.monotonic() + 10
        while ex.stats["cache_misses"] < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(ExecutorBusy) as info:
            ex.execute(QueryRequest("ASK { ?s ?p ?o }"))
        assert info.value.http_status == 503
        t.join()
        assert [type(e).__name__ for e in errors] == ["QueryTimeout"]
    finally:
        ex.close()
    assert ex.worker_pids() == []


def test_identical_concurrent_queries_share_one_evaluation(
    initialised_store: Path, tmp_path: Path
) -> None:
    store = copy_store(initialised_store, tmp_path / "store")
    ex = QueryExecutor(store, BASE, prefixes=PREFIXES, workers=2, timeout=10)
    try:
        ex.start()
        query = QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ogp:Commitment }")
        results: list[bytes] = []
        threads = [
            threading.Thread(target=lambda: results.append(ex.execute(query).body))
            for _ in range(6)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(set(results)) == 1 and len(results) == 6
        assert ex.stats["cache_misses"] == 1
        assert ex.stats["shared"] + ex.stats["cache_hits"] == 5
    finally:
        ex.close()


def test_several_apps_in_one_process_have_their_own_workers(
    initialised_store: Path, tmp_path: Path
) -> None:
    from endpoint.app import create_app, state
    from registry.loading.sources import SourceFile
    from registry.service import open_registry
    from tests.conftest import FIXTURES, make_settings

    apps = []
    for name in ("a", "b"):
        settings = make_settings(copy_store(initialised_store, tmp_path / name))
        apps.append(create_app(settings, registry=open_registry(settings)))
    executor_b = state(apps[1]).extras["executor"]
    # change only b's store
    data = (FIXTURES / "rdf" / "valid-commitment.ttl").read_bytes()
    state(apps[1]).registry.load([SourceFile("valid-commitment.ttl", data, "valid-commitment")])
    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"}
    counts = []
    try:
        for app in apps:
            r = app.test_client().get("/sparql", query_string=query)
            assert r.status_code == 200
            counts.append(int(r.get_json()["results"]["bindings"][0]["n"]["value"]))
        assert counts[1] > counts[0]
        executors = [state(app).extras["executor"] for app in apps]
        assert not set(executors[0].worker_pids()) & set(executors[1].worker_pids())
        executors[0].close()
        assert executors[0].worker_pids() == []
        r = apps[1].test_client().get("/sparql", query_string=query)
        assert r.status_code == 200 and executor_b.worker_pids()
    finally:
        for app in apps:
            state(app).extras["executor"].close()


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 10", 10),
        ("SELECT * WHERE { ?s ?p ?o } OFFSET 3 LIMIT 7\n", 7),
        ("select * { } limit   500 offset 2", 500),
        ("SELECT * WHERE { { SELECT * { ?s ?p ?o } LIMIT 5 } }", None),  # a subquery's
        ("SELECT * WHERE { ?s ?p ?o } # LIMIT 3", None),  # a comment
        ('SELECT * WHERE { ?s ?p "LIMIT 3" }', None),  # a string
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 12 VALUES ?s { <urn:x> }", 12),
        ("SELECT * WHERE { ?s ?p ?o }", None),
    ],
)
def test_inspect_finds_the_outermost_limit(query: str, limit: int | None) -> None:
    assert inspect(query).limit == limit


@pytest.mark.parametrize(
    ("query", "default", "named"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", None, None),
        ("SELECT * FROM <urn:a> FROM <urn:b> { ?s ?p ?o }", ("urn:a", "urn:b"), ()),
        ("select * from named <urn:n> { graph ?g {} }", (), ("urn:n",)),
        (  # prefixed names and relative IRIs, with the prologue's BASE and PREFIX
            "BASE <http://ex.org/a/>\nPREFIX g: <graph/>\nPREFIX : <http://x/>\n"
            "SELECT * FROM g:one FROM <two> FROM NAMED :n\\.1 WHERE { }",
            ("http://ex.org/a/graph/one", "http://ex.org/a/two"),
            ("http://x/n.1",),
        ),
        ("SELECT * \\u0046ROM <urn:x> { }", ("urn:x",), ()),  # a codepoint escape
        ('SELECT * { ?s ?p "FROM <urn:x>" } # FROM <urn:y>', None, None),  # string, comment
        ("PREFIX from: <http://x/> SELECT * { from:x ?p ?o }", None, None),
    ],
)
def test_dataset_reads_the_from_clauses_and_takes_them_out(
    query: str, default: tuple[str, ...] | None, named: tuple[str, ...] | None
) -> None:
    found = dataset(query)
    if default is None:
        assert found is None
        return
    assert found is not None
    assert (found.default, found.named) == (default, named)
    assert not inspect(found.text).has_dataset  # the clauses are gone, the rest is kept
    assert found.text.rstrip().endswith("}")


def test_a_failed_evaluation_frees_what_its_frames_held_in_its_own_thread(
    initialised_store: Path, tmp_path: Path
) -> None:
    """The error of an evaluation is handed to every thread waiting for the same answer and
    may be freed by any of them, or by the garbage collector of any thread: what the frames it
    passed through held (on an external engine, pyoxigraph results, which must be freed by the
    thread that made them) is freed before it is handed on, and no reference cycle is left.
    The evaluation is replaced by one that fails while holding an object (a seam of this test:
    no worker is started)."""
    import gc
    import weakref

    from registry.errors import QueryTimeout
    from registry.i18n import msg

    class Held:
        pass

    refs: list[weakref.ref[Held]] = []

    class Failing(QueryExecutor):
        def _run(self, request: QueryRequest, client: str) -> Answer:
            held = Held()  # a local of a frame the error passes through
            refs.append(weakref.ref(held))
            raise QueryTimeout(msg("Time limit reached."))

    ex = Failing(copy_store(initialised_store, tmp_path / "store"), BASE, workers=1)
    gc.disable()  # only reference counting: a cycle would keep the object alive
    try:
        with pytest.raises(QueryTimeout) as caught:
            ex._shared(QueryRequest("ASK {}"), 1, "client")
        assert refs and refs[0]() is None, "a frame of the error still holds its local"
        tb = caught.value.__traceback__
        frames = []
        while tb is not None:
            frames.append(tb.tb_frame)
            tb = tb.tb_next
        shared = [f for f in frames if f.f_code.co_name == "_shared"]
        # the frame that hands the error on no longer points at it (no cycle through it)
        assert shared and "flight" not in shared[0].f_locals
    finally:
        gc.enable()
        ex.close()
