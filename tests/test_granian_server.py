"""``ogpreg serve --server granian`` as users run it (endpoint/granian_server.py): a real
process, a real socket, real signals; what granian changes and what it must not."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from registry.errors import ConfigurationError
from registry.settings import environment_of, load_settings
from tests.conftest import BASE
from tests.endpoint_server import (
    GranianServed,
    copy_store,
    descendants,
    running_granian,
    still_alive,
)

if not os.environ.get("CI"):  # in CI granian is installed (the test extra): never skipped
    pytest.importorskip("granian", reason="the granian extra (pip install -e '.[test]')")

PLAN_QUERY = (
    "SELECT ?id WHERE { ?c a ogp:Commitment ; dct:identifier ?id ; "
    f"ogp:inActionPlan <{BASE}id/plan/2019-2021> }}"
)


@pytest.fixture(scope="module")
def granian(
    initialised_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GranianServed]:
    store = copy_store(initialised_store, tmp_path_factory.mktemp("granian") / "store")
    with running_granian(store, query_queue=2) as served:
        yield served


def fast_hits(served: GranianServed) -> int:
    """``ogpreg_fastpath_hits_total`` from ``/metrics``."""
    text = requests.get(served.url + "metrics", timeout=30).text
    return int(re.search(r"^ogpreg_fastpath_hits_total (\d+)", text, re.M).group(1))  # type: ignore[union-attr]


def test_it_answers_as_under_waitress(granian: GranianServed) -> None:
    # the start-up lines: where it answers, with how many threads; the workers' network
    text = "".join(granian.first_lines)
    # the app's threads, as under waitress (granian has more, which read requests and wait:
    # endpoint/app_pool.py)
    assert "12 HTTP threads, 2 query processes" in text  # 8 + a thread per query place
    assert "Query workers without network:" in text
    r = requests.get(granian.url + "sparql", params={"query": PLAN_QUERY}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Server"] == "ogp-registry"  # as under waitress, not "granian"
    assert len(r.json()["results"]["bindings"]) == 9
    # the same text again: the answer cache (same body, same revision), answered in granian's
    # thread before the app's pool (endpoint/app_pool.py, front): a fast-path hit
    hits = fast_hits(granian)
    again = requests.get(granian.url + "sparql", params={"query": PLAN_QUERY}, timeout=30)
    assert again.content == r.content and again.headers["ETag"] == r.headers["ETag"]
    assert again.headers["Server"] == "ogp-registry"
    assert fast_hits(granian) == hits + 1
    page = requests.get(granian.url, timeout=30)
    assert page.status_code == 200 and '<html lang="nb"' in page.text
    head = requests.head(granian.url + "health", timeout=30)
    assert head.status_code == 200 and head.content == b""


def test_the_registry_limits_and_messages_hold(granian: GranianServed) -> None:
    # a POST body over OGPREG_MAX_REQUEST_BYTES: the registry's own 413 with what to do
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 2_100_000
    r = requests.post(granian.url + "sparql", data=big.encode(),
                      headers={"Content-Type": "application/sparql-query"}, timeout=60)
    assert r.status_code == 413
    assert r.json()["error"] == "request-too-large" and "OGPREG_MAX_REQUEST_BYTES" in r.text
    # a syntax error: the registry's message, in the language asked for
    bad = requests.get(granian.url + "sparql", params={"query": "SELECT WHERE {", "lang": "en"},
                       timeout=30)
    assert bad.status_code == 400 and bad.json()["error"]


def test_a_chunked_body_is_stopped_at_the_limit(granian: GranianServed) -> None:
    """A body without Content-Length reaches the app as a stream, and the app's limit stops it
    (granian does not buffer it whole): 413 with the registry's message."""
    u = urllib.parse.urlsplit(granian.url)
    with socket.create_connection((u.hostname, u.port), timeout=30) as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query"
                  b"\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"#" * (1 << 20)
        with contextlib.suppress(OSError):  # the server may close once it has answered
            for _ in range(3):
                s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            s.sendall(b"0\r\n\r\n")
        answer = b""
        while b"request-too-large" not in answer:
            part = s.recv(65536)
            if not part:
                break
            answer += part
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"error":"request-too-large"' in answer


def test_a_get_over_64_kb_is_refused_by_granian_itself(granian: GranianServed) -> None:
    """The documented difference (docs/performance.md, "Which WSGI server"): the Rust HTTP
    library refuses a request target over 64 kB before the app sees it; waitress passes it to
    the app (tests/test_endpoint_limits.py). If granian lifts the limit, this test says so."""
    u = urllib.parse.urlsplit(granian.url)
    q = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * 100_000
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.request("GET", "/sparql?query=" + urllib.parse.quote(q))
        status = conn.getresponse().status
    finally:
        conn.close()
    assert status in (414, 431)
    # a POST of the same query is answered
    r = requests.post(granian.url + "sparql", data=q.encode(),
                      headers={"Content-Type": "application/sparql-query",
                               "Accept": "text/csv"}, timeout=30)
    assert r.status_code == 200 and len(r.text.splitlines()) == 2  # the header and one row


def test_sigterm_stops_it_without_orphans(granian: GranianServed) -> None:
    proc = granian.proc
    workers = sorted(descendants(proc.pid))
    assert len(workers) >= 4  # granian's worker, the fork server, two query workers
    out = granian.stop(signal.SIGTERM)
    assert proc.returncode == 0, out
    assert "Stopped." in out
    assert not still_alive(workers, 15)


def test_without_granian_installed_the_message_says_what_to_do(tmp_path: Path) -> None:
    store = tmp_path / "store"  # a new store: the refusal must not create (initialise) it
    code = (
        "import sys; sys.modules['granian'] = None\n"  # as if it were not installed
        "from ogpreg.cli import main\n"
        "sys.exit(main(sys.argv[1:]))"
    )
    env = {**os.environ, "OGPREG_BASE_URI": BASE}
    r = subprocess.run(
        [sys.executable, "-c", code, "--store", str(store), "--lang", "en", "serve",
         "--server", "granian", "--port", "0"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert r.returncode != 0
    assert "pip install 'ogp-registry[granian]'" in r.stderr + r.stdout
    assert "Traceback" not in r.stderr
    assert not store.exists()


def test_server_setting_is_checked_and_passed_on() -> None:
    with pytest.raises(ConfigurationError) as err:
        load_settings({"base_uri": BASE, "server": "nginx"})
    assert "OGPREG_SERVER" in err.value.render("en")
    overrides: dict[str, object | None] = {
        "store": "/srv/store", "base_uri": BASE, "lang": "nn", "http_threads": 12,
        "server": "granian", "row_cap": None,
    }
    env = environment_of(overrides)
    assert "OGPREG_ROW_CAP" not in env
    assert load_settings(environ=env) == load_settings(overrides, environ={})
