"""``/sparql?as_of=`` in front of external SPARQL engines (endpoint/sparql/remote_executor.py): the
registry as it stood is built and queried in worker processes that the query timeout kills, as
on the embedded store (tests/test_asof.py::test_sparql_as_of_keeps_the_timeout). Every test runs
on Oxigraph's server and on Virtuoso (tests/engines.py), over a real socket.

The history is the back-dated one of tests/history_store.py (NO9921 created on 20 June 2019 and
revised on 2 September 2019, NO9922 created and then deleted; all invented), copied quad by quad
from an embedded store into the engine, so both stores hold the same history.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from endpoint.sparql.answers import QueryRequest
from endpoint.sparql.remote_executor import RemoteQueryExecutor
from registry.errors import QueryError
from registry.service import Registry
from registry.store.embedded import EmbeddedStore
from tests.conftest import BASE
from tests.endpoint_server import running
from tests.history_store import TITLE_V1, TITLE_V2, history_store
from tests.test_hostile_queries import Listener
from tests.test_remote_endpoint import serving

C21 = BASE + "id/commitment/NO9921"
C22 = BASE + "id/commitment/NO9922"
TITLES = f"SELECT ?t WHERE {{ <{C21}> dct:title ?t FILTER (lang(?t) = 'nb') }} ORDER BY ?t"
EXISTS = f"ASK {{ <{C22}> a ogp:Commitment }}"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?c a ogp:Commitment }"
DESCRIBE_C21 = f"CONSTRUCT {{ <{C21}> ?p ?o }} WHERE {{ <{C21}> ?p ?o }}"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
JSON = "application/sparql-results+json"


def _history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return history_store(tmp_path_factory.mktemp("remote-asof"), tmp_path_factory.getbasetemp())


def _copy_into(reg: Registry, store: Path) -> None:
    """Replace everything in the engine by the embedded store's quads (history included)."""
    quads = list(EmbeddedStore(store).reader())
    with reg.store.transaction(fresh=True) as tx:
        tx.extend(quads)


def _get(url: str, query: str, as_of: str, accept: str = JSON) -> requests.Response:
    return requests.get(
        url + "sparql",
        params={"query": query, "as_of": as_of},
        headers={"Accept": accept},
        timeout=60,
    )


def _titles(resp: requests.Response) -> list[str]:
    assert resp.status_code == 200, resp.text[:300]
    return [b["t"]["value"] for b in resp.json()["results"]["bindings"]]


def _answer(resp: requests.Response) -> object:
    """What an answer says, comparable across stores (rows, a boolean or a set of triples)."""
    assert resp.status_code == 200, resp.text[:300]
    if resp.headers["Content-Type"].startswith("application/n-triples"):
        return set(ox.parse(resp.content, format=ox.RdfFormat.N_TRIPLES))
    body = resp.json()
    if "boolean" in body:
        return body["boolean"]
    return body["results"]["bindings"]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_an_as_of_query_past_the_timeout_is_killed_with_its_worker(
    remote_registry: Registry, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _copy_into(remote_registry, _history(tmp_path_factory))
    with serving(remote_registry, query_timeout=1.5, query_workers=1) as (url, executor):
        assert isinstance(executor, RemoteQueryExecutor)
        assert executor.worker_pids() == []  # started by the first as_of query
        assert _titles(_get(url, TITLES, "2019-07-01")) == [TITLE_V1]
        pids = executor.worker_pids()
        assert len(pids) == 1  # min(2, OGPREG_QUERY_WORKERS)

        r = _get(url, HEAVY, "2019-09-02")
        assert r.status_code == 504, r.text[:300]
        assert r.json()["error"] == "query-timeout"
        assert _gone(pids[0])  # killed (and reaped) before the 504 was sent
        assert pids[0] not in executor.worker_pids()
        assert executor.stats["timeouts"] == 1
        assert executor.stats["worker_restarts"] == 1

        # a replacement starts in the background; then as_of queries answer again
        deadline = time.monotonic() + 60
        while not executor.worker_pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        replacement = executor.worker_pids()
        assert len(replacement) == 1 and replacement != pids
        assert _titles(_get(url, TITLES, "2019-09-02")) == [TITLE_V2]
        assert _get(url, EXISTS, "2019-07-01").json()["boolean"] is True
        # a query without as_of is still answered by the engine itself
        plain = requests.get(url + "sparql", params={"query": TITLES},
                             headers={"Accept": JSON}, timeout=60)
        assert _titles(plain) == [TITLE_V2]
    assert _gone(replacement[0])  # closing the endpoint stops the as-of workers


def test_as_of_answers_on_the_engine_equal_the_embedded_stores(
    remote_registry: Registry, tmp_path_factory: pytest.TempPathFactory
) -> None:
    store = _history(tmp_path_factory)
    _copy_into(remote_registry, store)
    cases = [
        (TITLES, "2019-06-19", JSON),
        (TITLES, "2019-07-01", JSON),
        (TITLES, "2019-09-02T09:59:59+02:00", JSON),
        (TITLES, "2019-09-02", JSON),
        (EXISTS, "2019-07-01", JSON),
        (EXISTS, "2019-09-03", JSON),
        (COUNT, "2019-07-01", JSON),
        (DESCRIBE_C21, "2019-07-01", "application/n-triples"),
        (DESCRIBE_C21, "2019-09-02", "application/n-triples"),
    ]
    with running(store) as embedded, serving(remote_registry) as (url, _executor):
        for query, as_of, accept in cases:
            here = _get(embedded.url, query, as_of, accept)
            there = _get(url, query, as_of, accept)
            assert _answer(there) == _answer(here), (query, as_of)
            assert there.headers["OGP-As-Of"] == here.headers["OGP-As-Of"]
        # and the answers say what the history says
        assert _titles(_get(url, TITLES, "2019-07-01")) == [TITLE_V1]
        assert _titles(_get(url, TITLES, "2019-06-19")) == []
        assert _get(url, EXISTS, "2019-09-03").json()["boolean"] is False
        count = _get(url, COUNT, "2019-07-01").json()["results"]["bindings"][0]["n"]["value"]
        assert int(count) == 9 + 2  # bundled + invented


def test_an_as_of_worker_refuses_service_although_it_has_a_network(
    remote_registry: Registry,
) -> None:
    """Defence in depth: the as-of workers must reach the engine, so they have no network
    namespace; a SERVICE that got past the protocol layer is refused by the worker itself."""
    listener = Listener()
    try:
        with serving(remote_registry) as (_url, executor):
            assert isinstance(executor, RemoteQueryExecutor)
            pool = executor.as_of_executor()
            query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}"
            with pytest.raises(QueryError, match="SERVICE"):
                pool.run_in_worker(QueryRequest(query, as_of="2999-01-01T00:00:00+00:00"))
            assert not pool.network_isolated()
    finally:
        listener.close()
    assert listener.connections == 0
