"""Cached answers from waitress's I/O thread (issue 24, ``endpoint/sparql/fastpath.py``,
``channel_class``): an exact repeat of a GET answered before any request thread, byte for byte
the answer of the full path (but ``Date``), and everything it must not answer left to the
request threads: HTTP/1.0, ``Connection: close``, conditional requests, HEAD, a request behind
another on the same connection, an answer of an older revision. Over a real socket."""

from __future__ import annotations

import http.client
import socket
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from endpoint.app import state
from endpoint.sparql.fastpath import FastPath
from registry.loading.sources import SourceFile
from tests.endpoint_server import Running, copy_store, running

QUERY = "SELECT ?id WHERE { ?c <http://purl.org/dc/terms/identifier> ?id } ORDER BY ?id"
#: the headers http.client sends, so that a raw request is the same repeat
SAME = b"Accept-Encoding: identity\r\nAccept: text/csv\r\n"
STORY = (Path(__file__).parent / "fixtures" / "pages" / "commitment-story.ttl").read_text("utf-8")


@pytest.fixture(scope="module")
def srv(initialised_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    store = copy_store(initialised_store, tmp_path_factory.mktemp("lean") / "store")
    with running(store, query_workers=2, http_threads=4) as r:
        yield r


def _fast(srv: Running) -> FastPath:
    fast: FastPath = state(srv.app).extras["fastpath"]
    return fast


def _path(text: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": text})


def _get(conn: http.client.HTTPConnection, path: str, **headers: str
         ) -> tuple[int, dict[str, str], bytes]:
    status, raw, body = _raw_get(conn, path, **headers)
    return status, {k.lower(): v for k, v in raw}, body


def _raw_get(conn: http.client.HTTPConnection, path: str, **headers: str
             ) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, the header lines as sent (names as written, in order), body."""
    conn.request("GET", path, headers={"Accept": "text/csv", **headers})
    resp = conn.getresponse()
    body = resp.read()
    return resp.status, resp.getheaders(), body


def test_a_repeat_is_answered_by_the_io_thread_as_the_full_path_answered_it(
    srv: Running,
) -> None:
    fast = _fast(srv)
    conn = http.client.HTTPConnection("127.0.0.1", srv.server.port, timeout=30)
    try:
        status, first_lines, first = _raw_get(conn, _path(QUERY + " # io 1"))
        assert status == 200
        before = fast.io_hits
        status, again_lines, again = _raw_get(conn, _path(QUERY + " # io 1"))
        assert status == 200
        assert fast.io_hits == before + 1  # answered before any request thread
        assert again == first

        def comparable(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
            return [(k, "" if k in ("Date", "Server-Timing") else v) for k, v in lines]

        # the header lines as waitress wrote them for the full path: names, order, values
        assert comparable(again_lines) == comparable(first_lines)
        assert dict(again_lines)["Server-Timing"] == 'cache;desc="hit"'
        # the connection stays usable: the next request is answered in order
        status, _, third = _get(conn, _path(QUERY + " # io 1"))
        assert status == 200 and third == first
    finally:
        conn.close()


def test_what_the_io_thread_must_not_answer_goes_the_full_way(srv: Running) -> None:
    fast = _fast(srv)
    path = _path(QUERY + " # io 2")
    conn = http.client.HTTPConnection("127.0.0.1", srv.server.port, timeout=30)
    try:
        status, headers, body = _get(conn, path)
        assert status == 200
        io = fast.io_hits
        # a conditional request: its 304 comes from the full path
        status, _, _ = _get(conn, path, **{"If-None-Match": headers["etag"]})
        assert status == 304
        # HEAD: headers only
        conn.request("HEAD", path, headers={"Accept": "text/csv"})
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read() == b""
        assert fast.io_hits == io
    finally:
        conn.close()
    # HTTP/1.0 and Connection: close, each on a raw socket: answered, then closed
    target = path.encode()
    for request in (
        b"GET " + target + b" HTTP/1.0\r\n" + SAME + b"\r\n",
        b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n" + SAME + b"Connection: close\r\n\r\n",
    ):
        with socket.create_connection(("127.0.0.1", srv.server.port), timeout=30) as sock:
            sock.sendall(request)
            data = b""
            while chunk := sock.recv(65536):  # the server closes the connection
                data += chunk
        assert data.split(b"\r\n", 1)[0].endswith(b"200 OK"), data[:100]
        assert data.endswith(body)
    assert fast.io_hits == io


def test_two_requests_in_one_packet_are_answered_in_order(srv: Running) -> None:
    fast = _fast(srv)
    slow, cached = _path(QUERY + " # io 3 first"), _path(QUERY + " # io 3 cached")
    conn = http.client.HTTPConnection("127.0.0.1", srv.server.port, timeout=30)
    try:
        _, _, expected = _get(conn, cached)
    finally:
        conn.close()
    io = fast.io_hits
    with socket.create_connection(("127.0.0.1", srv.server.port), timeout=30) as sock:
        req = b"GET %s HTTP/1.1\r\nHost: x\r\n" + SAME + b"\r\n"
        last = b"GET %s HTTP/1.1\r\nHost: x\r\n" + SAME + b"Connection: close\r\n\r\n"
        sock.sendall(req % slow.encode() + req % cached.encode() + last % cached.encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.count(b"HTTP/1.1 200 OK") == 3
    assert data.endswith(expected)
    # the repeat behind a request still being answered went to the request threads
    assert fast.io_hits == io


def test_an_answer_of_an_older_revision_is_not_sent(srv: Running) -> None:
    fast = _fast(srv)
    text = QUERY + " # io 4"
    conn = http.client.HTTPConnection("127.0.0.1", srv.server.port, timeout=30)
    try:
        _, _, before = _get(conn, _path(text))
        srv.registry.load([SourceFile("story.ttl", STORY.encode("utf-8"), "lean-story")])
        io = fast.io_hits
        status, _, after = _get(conn, _path(text))
        assert status == 200
        assert fast.io_hits == io  # evaluated again at the new revision
        assert b"NO9906" in after and b"NO9906" not in before
    finally:
        conn.close()
