"""Hostile queries against the real endpoint (issue 9): a catalogue of pathological queries,
each of which must end within the query timeout with a clear JSON error or a result that says
it was truncated, while another client keeps getting answers.

Every test runs under both HTTP servers of ``ogpreg serve``: waitress (the default, in the
test's process) and granian (``--server granian``, in a process of its own). The server runs
with a 3-second timeout and a 1000-row cap, so the file stays quick. No elapsed time is
asserted (timings belong in benchmarks/): a query that times out must have had its worker
process killed, and another client must have been answered meanwhile.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.endpoint_server import (
    GranianServed,
    Running,
    copy_store,
    query_workers,
    servers,
    serving,
)

TIMEOUT = 3.0
ROW_CAP = 1000
MAX_REQUEST = 500_000  # waitress then lets 1 MB query strings reach the app (2x + 64 KiB)
#: what granian's HTTP library answers to a request target over 64 kB: 414, or 431 past its
#: buffer (no body, no JSON: the registry never sees the request; docs/performance.md, "Which
#: WSGI server")
BARE_REFUSALS = frozenset({"bare 414", "bare 431"})

ANY = "?s ?p ?o"
X4 = "?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l"


@dataclass(frozen=True)
class Case:
    name: str
    query: str
    #: the outcomes this query may have: "timeout" (504), "truncated" (200 with the
    #: signal), "complete" (200, not cut), or an error code of a 4xx JSON error
    expect: frozenset[str]
    accept: str = "application/sparql-results+json"
    method: str = "POST"
    #: the outcomes under granian where they differ (``expect`` otherwise)
    under_granian: frozenset[str] | None = None

    def expected(self, server: str) -> frozenset[str]:
        if server == "granian" and self.under_granian is not None:
            return self.under_granian
        return self.expect


def _case(name: str, query: str, *expect: str, **kw: str) -> Case:
    return Case(name, query, frozenset(expect), **kw)


_LONG = "a" * 5000
#: 2000 nested groups: ten times the depth allowed (registry/sparql/querytext.py, MAX_DEPTH),
#: refused before any parser sees it (3000: test_very_deep_nesting_is_a_clear_query_error)
_NESTED_GROUPS = "SELECT * WHERE " + "{ " * 2000 + ANY + " }" * 2000
_NESTED_SUBQ = (
    "SELECT * WHERE { " + "{ SELECT * WHERE { " * 200 + ANY + " } }" * 200 + " } LIMIT 5"
)
_HUGE_VALUES = (
    "SELECT ?x WHERE { VALUES ?x { " + " ".join(f'"v{i}"' for i in range(15000)) + " } }"
)
_ONE_MB = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 1_048_576

CATALOGUE: tuple[Case, ...] = (
    _case("cartesian product (SELECT *)", f"SELECT * WHERE {{ {X4} }}", "truncated"),
    _case(
        "count over a cartesian product",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {X4} }}",
        "timeout",
    ),
    _case(
        "ORDER BY over a cartesian product",
        f"SELECT * WHERE {{ {X4} }} ORDER BY ?a ?f ?l",
        "timeout",
    ),
    _case(
        "unbounded property path, both ends open",
        "SELECT * WHERE { ?a (rdf:type|!rdf:type)* ?b }",
        "truncated",
        "timeout",
    ),
    _case(
        "unbounded property path counted",
        "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:p>|!<urn:p>)* ?b . ?c ?d ?e }",
        "timeout",
    ),
    _case(
        "huge OFFSET over a cartesian product",
        f"SELECT * WHERE {{ {X4} }} OFFSET 1000000000000 LIMIT 1",
        "timeout",
    ),
    _case(
        "catastrophic regular expression over a cartesian product",
        f"""SELECT ?s WHERE {{ ?s ?p ?o . ?t ?q ?r
            BIND(CONCAT("{_LONG}", STR(?o)) AS ?long)
            FILTER(REGEX(?long, "^(a+)+$")) }}""",
        "timeout",
    ),
    _case(
        "catastrophic regular expression on one long string",
        f'ASK {{ FILTER(REGEX("{_LONG}b", "^(a|a)*(a+)+$")) }}',
        # oxigraph's regex engine (Rust `regex`) is linear: no backtracking to blow up
        "complete",
    ),
    _case(
        "expensive functions in a FILTER over a cartesian product",
        """SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i
            FILTER(SHA512(CONCAT(STR(?c), STR(?f), STR(?i))) = "no") }""",
        "timeout",
    ),
    Case("a 1 MB query string (GET)", _ONE_MB, frozenset({"request-too-large"}),
         method="GET", under_granian=BARE_REFUSALS),
    _case("a 1 MB query body (POST)", _ONE_MB, "request-too-large"),
    _case("thousands of nested groups", _NESTED_GROUPS, "query-error", "truncated"),
    _case("deeply nested subqueries", _NESTED_SUBQ, "query-error", "complete"),
    _case("huge VALUES block", _HUGE_VALUES, "truncated"),
    _case(
        "millions of rows (CONSTRUCT of a cross product)",
        "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }",
        "truncated",
        accept="application/n-triples",
    ),
    _case(
        "DESCRIBE of everything",
        "DESCRIBE ?s WHERE { ?s ?p ?o }",
        "truncated",
        accept="text/turtle",
    ),
    _case(
        "millions of rows as CSV",
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }",
        "truncated",
        accept="text/csv",
    ),
    _case(
        "big GROUP_CONCAT",
        """SELECT (GROUP_CONCAT(CONCAT(STR(?o), STR(?r)); separator=",") AS ?all)
            WHERE { ?s ?p ?o . ?t ?q ?r . ?u ?v ?w }""",
        "timeout",
    ),
    _case(
        "string blow-up by repeated CONCAT",
        """SELECT ?x WHERE { ?s ?p ?o BIND(CONCAT(STR(?o),STR(?o),STR(?o),STR(?o)) AS ?a)
            BIND(CONCAT(?a,?a,?a,?a,?a,?a,?a,?a) AS ?b) BIND(CONCAT(?b,?b,?b,?b,?b,?b,?b,?b) AS ?c)
            BIND(CONCAT(?c,?c,?c,?c,?c,?c,?c,?c) AS ?x) . ?t ?q ?r }""",
        "truncated",
        "timeout",
    ),
    _case(
        "SERVICE to an outside address",
        "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "service-not-allowed",
    ),
    _case(
        "SERVICE hidden behind a \\u escape",
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "service-not-allowed",
    ),
    _case(
        "SERVICE SILENT inside a subquery",
        "SELECT * WHERE { { SELECT * WHERE { sErViCe SiLeNt <http://127.0.0.1:{port}/> "
        "{ ?s ?p ?o } } } }",
        "service-not-allowed",
    ),
    _case("an update sent as a query", "DELETE WHERE { ?s ?p ?o }", "query-error"),
)


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


AnyServer = Running | GranianServed


@pytest.fixture(scope="module", params=servers())
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
    initialised_store: Path,
) -> Iterator[AnyServer]:
    store = copy_store(initialised_store, tmp_path_factory.mktemp("hostile") / "store")
    with serving(
        request.param,
        store,
        query_timeout=TIMEOUT,
        row_cap=ROW_CAP,
        max_request_bytes=MAX_REQUEST,
        query_workers=3,
        http_threads=8,
    ) as srv:
        yield srv


def _name(srv: AnyServer) -> str:
    return "granian" if isinstance(srv, GranianServed) else "waitress"


def _worker_pids(srv: AnyServer) -> set[int]:
    """The query worker processes (waitress: the executor's own list; granian: from /proc, the
    executor lives in granian's worker process)."""
    if isinstance(srv, GranianServed):
        return query_workers(srv.proc.pid)
    return set(srv.executor.worker_pids())


def _outcome(resp: requests.Response) -> str:
    if resp.status_code in (414, 431) and not resp.content:
        return f"bare {resp.status_code}"
    if resp.status_code == 200:
        return "truncated" if resp.headers.get("OGP-Truncated") == "true" else "complete"
    assert resp.headers["Content-Type"].startswith("application/json"), resp.text[:300]
    body = resp.json()
    assert set(body) == {"error", "message", "status"}, body
    assert body["status"] == resp.status_code
    assert body["message"].strip(), body
    if resp.status_code == 504:
        assert body["error"] == "query-timeout"
        return "timeout"
    if resp.status_code >= 500:
        return f"server error {resp.status_code} {body['error']}"
    return str(body["error"])


def _ask(srv: AnyServer, case: Case, port: int) -> requests.Response:
    query = case.query.replace("{port}", str(port))
    headers = {"Accept": case.accept}
    if case.method == "GET":
        return requests.get(srv.sparql, params={"query": query}, headers=headers, timeout=60)
    return requests.post(srv.sparql, data={"query": query}, headers=headers, timeout=60)


def test_catalogue_has_at_least_fifteen_queries() -> None:
    assert len(CATALOGUE) >= 15
    assert len({c.name for c in CATALOGUE}) == len(CATALOGUE)


def test_hostile_catalogue_ends_clearly_while_others_are_answered(server: AnyServer) -> None:
    listener = Listener()
    stop = threading.Event()
    probes: list[int] = []
    probe_failures: list[str] = []

    def probe() -> None:
        i = 0
        with requests.Session() as session:
            while not stop.is_set():
                i += 1
                # a new text each time, so that no answer comes from the cache
                r = session.get(
                    server.sparql,
                    params={"query": f"ASK {{ ?c a ogp:Commitment }} # probe {i}"},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=60,
                )
                if r.status_code == 200 and r.json()["boolean"] is True:
                    probes.append(i)
                else:
                    probe_failures.append(f"{r.status_code} {r.text[:200]}")
                time.sleep(0.05)

    prober = threading.Thread(target=probe)
    prober.start()
    results: dict[str, str] = {}
    failures: list[str] = []
    try:
        for case in CATALOGUE:
            before = len(probes)
            workers = _worker_pids(server)
            resp = _ask(server, case, listener.port)
            outcome = _outcome(resp)
            results[case.name] = outcome
            expected = case.expected(_name(server))
            if outcome not in expected:
                failures.append(f"{case.name}: {outcome}, expected {sorted(expected)}")
            if outcome == "timeout":
                # the query was stopped, not left running: its worker process is gone
                killed = workers - _worker_pids(server)
                if not killed or not all(_gone(pid) for pid in killed):
                    failures.append(f"{case.name}: 504 but no worker was stopped")
            if outcome == "truncated":
                assert resp.headers["OGP-Row-Cap"] == str(ROW_CAP)
                assert 'rel="related"' in resp.headers["Link"]
            if outcome == "timeout" and len(probes) == before:
                # the other client was answered while this query was being killed
                failures.append(f"{case.name}: no probe answered during the timeout")
    finally:
        stop.set()
        prober.join()
        listener.close()
    assert not failures, "\n".join(failures) + f"\n{results}"
    assert not probe_failures, probe_failures[:3]
    assert probes, "the probe client got no answer at all"
    assert listener.connections == 0, "a query reached the network"
    # the server is still healthy and still answers after the whole catalogue
    after = requests.get(
        server.sparql,
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?c a ogp:Commitment }"},
        timeout=30,
    )
    assert after.status_code == 200
    assert int(after.json()["results"]["bindings"][0]["n"]["value"]) > 0


def test_truncated_csv_has_exactly_the_cap(server: AnyServer) -> None:
    resp = requests.get(
        server.sparql,
        params={"query": "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f }"},
        headers={"Accept": "text/csv"},
        timeout=60,
    )
    assert resp.status_code == 200
    assert resp.headers["OGP-Truncated"] == "true"
    lines = resp.content.decode("utf-8").splitlines()
    assert lines[0] == "a,d"
    assert len(lines) == ROW_CAP + 1


def test_timeout_really_stops_the_worker(server: AnyServer) -> None:
    """After a 504 the worker that evaluated the query is gone and a replacement serves."""
    deadline = time.monotonic() + 20  # a replacement of an earlier test's may still be starting
    while len(_worker_pids(server)) != 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    before = _worker_pids(server)
    assert len(before) == 3
    resp = requests.post(
        server.sparql,
        data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {X4} }} # stop test"},
        timeout=60,
    )
    assert resp.status_code == 504
    assert resp.json()["error"] == "query-timeout"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        now = _worker_pids(server)
        if len(now) == 3 and now != before:
            break
        time.sleep(0.05)
    now = _worker_pids(server)
    assert now != before and len(now) == 3
    for pid in before - now:
        assert not Path(f"/proc/{pid}").exists() or _zombie(pid)


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (exited, or a zombie not yet reaped)."""
    return not Path(f"/proc/{pid}").exists() or _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


def test_huge_request_is_413_even_chunked(server: AnyServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"SELECT * WHERE { ?s ?p ?o } #"
        for _ in range(50):
            yield b"x" * 10_000

    resp = requests.post(
        server.sparql,
        data=chunks(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=60,
    )
    assert resp.status_code == 413
    assert resp.json()["error"] == "request-too-large"


def test_very_deep_nesting_is_a_clear_query_error(server: AnyServer) -> None:
    query = "SELECT * WHERE " + "{ " * 3000 + ANY + " }" * 3000
    resp = requests.post(server.sparql, data={"query": query}, timeout=60)
    assert _outcome(resp) == "query-error"
