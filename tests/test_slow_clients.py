"""Slow clients ("slowloris"): connections that send a request's headers, or its body, a byte at
a time, or that never read a large answer, must not keep ``ogpreg serve`` from answering
everybody else.

Ten times as many slow connections as the app has threads, each sending a byte every half
second, then ``/health`` and a fresh query from another client: both must be answered, under
both servers. waitress reads headers and bodies in its I/O thread and hands a request to a
thread only once it is whole. granian reads headers in its compiled threads, but hands a
request to one of its threads before its body is in, and that thread reads the body through
``wsgi.input`` with no time limit (emmett-framework/granian#177); so granian gets as many
threads, started as needed, as it takes requests at once — the number of connections waitress
takes (``endpoint/listening.py``, ``connections_at_once``) — and they only read requests: the
app runs in a pool of its own, each request once it is whole (``endpoint/app_pool.py``). With
as many granian threads as the app has (the setting before), a dozen slow bodies shut granian
out. Past that number both
servers are shut out while the slow connections last (waitress drops a connection that sends
nothing for 120 s, granian unfinished headers after 30 s, neither a body that keeps coming); a
proxy or a firewall limiting connections per address is the remedy there (docs/security.md). Clients that never read their
answers hold nothing a query needs under either server: the executor has the whole answer from
its worker, and its place is free, before the first byte is written.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from endpoint.listening import connections_at_once
from tests.endpoint_server import Served, copy_store, running_granian, servers, serving

#: app threads at the settings below: 2 + 1 query worker + 1 place to wait (waitress's
#: threads; granian's app pool, and all of granian's threads before)
SETTINGS = {"http_threads": 2, "query_workers": 1, "query_queue": 1}
APP_THREADS = 4
#: ten times as many slow connections as that, and fewer than either server takes at once
SLOW = 10 * APP_THREADS
assert SLOW < connections_at_once(APP_THREADS)
#: how long another client waits for an answer before the server counts as stopped
PATIENCE = 8

SLOW_HEADERS = b"GET /health HTTP/1.1\r\nHost: registry\r\nX-Slow: "
SLOW_BODY = (
    b"POST /sparql HTTP/1.1\r\nHost: registry\r\nContent-Type: application/sparql-query\r\n"
    b"Content-Length: 100000\r\n\r\nASK { ?s ?p ?o }"
)


class Drip:
    """``count`` connections that each send ``start``, then one more byte every half second
    until :meth:`close`."""

    def __init__(self, url: str, start: bytes, count: int) -> None:
        parts = urllib.parse.urlsplit(url)
        self.socks = [
            socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), 10)
            for _ in range(count)
        ]
        for s in self.socks:
            s.sendall(start)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            for s in self.socks:
                try:
                    s.sendall(b"x")
                except OSError:
                    pass  # the server may drop a connection: that is allowed

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for s in self.socks:
            s.close()


@pytest.fixture(scope="module", params=servers())
def server(
    request: pytest.FixtureRequest,
    initialised_store: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Served]]:
    store = copy_store(initialised_store, tmp_path_factory.mktemp("slow") / "store")
    with serving(request.param, store, **SETTINGS) as served:
        yield request.param, served


def others_are_answered(served: Served, label: str) -> None:
    """``/health`` and a fresh query (no cache can answer it) from another client."""
    time.sleep(1)  # the slow connections have all been read by now
    health = requests.get(served.url + "health", timeout=PATIENCE)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    fresh = requests.post(
        served.sparql,
        data={"query": f"ASK {{ ?c a ogp:Commitment }} # {label} {time.time_ns()}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=PATIENCE,
    )
    assert fresh.status_code == 200 and fresh.json()["boolean"] is True


def test_readers_that_never_read_hold_neither_server(server: tuple[str, Served]) -> None:
    """Large answers (about 18 MB each: far more than the sockets' buffers) asked for by
    clients that then never read, each from its own address (so that each is admitted)."""
    _name, served = server
    parts = urllib.parse.urlsplit(served.url)
    pad = "y" * 2000
    socks = []
    try:
        for k in range(4):
            query = (f'SELECT ?x WHERE {{ ?s ?p ?o BIND(CONCAT(STR(?o), "{pad}") AS ?x) }} '
                     f"# never read {k}")
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.bind((f"127.0.3.{k + 1}", 0))
            s.connect((parts.hostname or "127.0.0.1", parts.port or 80))
            s.sendall(f"GET /sparql?{urllib.parse.urlencode({'query': query})} HTTP/1.1\r\n"
                      "Host: registry\r\nAccept: text/csv\r\n\r\n".encode())
            socks.append(s)
        time.sleep(3)  # their answers are being evaluated, then written as far as they go
        others_are_answered(served, "readers")
    finally:
        for s in socks:
            s.close()


def test_slow_headers_hold_neither_server(server: tuple[str, Served]) -> None:
    _name, served = server
    drip = Drip(served.url, SLOW_HEADERS, SLOW)
    try:
        others_are_answered(served, "headers")
    finally:
        drip.close()


def test_slow_bodies_do_not_shut_the_others_out(server: tuple[str, Served]) -> None:
    _name, served = server
    drip = Drip(served.url, SLOW_BODY, SLOW)
    try:
        others_are_answered(served, "body")
    finally:
        drip.close()
    # and once they are gone, the server answers again (whichever server it is)
    time.sleep(0.5)
    assert requests.get(served.url + "health", timeout=60).status_code == 200


def test_granian_stops_by_itself_with_a_body_that_never_ends(
    initialised_store: Path, tmp_path: Path
) -> None:
    """SIGINT while a request's body is still dripping in: ``ogpreg serve --server granian``
    ends by itself (granian's worker cannot finish that request; it is killed after
    ``STOP_SECONDS``, endpoint/granian_server.py) and leaves no process behind (``stop``
    checks the process group). Before, it waited for ever, and a supervisor's SIGKILL left the
    worker serving on the port."""
    if "granian" not in servers():
        pytest.skip("granian is not installed")
    store = copy_store(initialised_store, tmp_path / "store")
    with running_granian(store, **SETTINGS) as served:
        drip = Drip(served.url, SLOW_BODY, 2)
        try:
            printed = served.stop()
        finally:
            drip.close()
        assert served.proc.returncode == 0, printed
        assert "Stopped." in printed
