"""Serving while loading, and ``ogpreg serve`` as users run it: a real process, real signals,
no orphan processes."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import click
import flask
import pytest
import requests
from click.testing import CliRunner

from endpoint.app import create_app
from endpoint.server import Server
from ogpreg.cli import main
from registry.loading.sources import SourceFile
from registry.service import open_registry
from tests.conftest import BASE, FIXTURES, all_quads, make_settings
from tests.endpoint_server import (
    address_line,
    copy_store,
    descendants,
    servers,
    serving,
    still_alive,
)

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.mark.parametrize("server", servers())
def test_load_while_serving_shows_before_or_after_never_in_between(
    server: str, initialised_store: Path, tmp_path: Path
) -> None:
    store = copy_store(initialised_store, tmp_path / "store")
    # the load runs in this process; under granian the server is another process reading the
    # same store (a new revision is seen by every process that reads the store)
    with serving(server, store, query_workers=2, http_threads=8) as srv:
        before = len(all_quads(srv.registry))
        rev_before = srv.registry.store.revision()
        assert rev_before is not None
        first = requests.get(srv.sparql, params={"query": COUNT}, timeout=30)
        assert int(first.json()["results"]["bindings"][0]["n"]["value"]) == before
        stop = threading.Event()
        seen: list[tuple[int, int]] = []
        errors: list[str] = []

        def client(k: int) -> None:
            i = 0
            with requests.Session() as session:
                while not stop.is_set():
                    i += 1
                    # a different text each time, so that every answer is evaluated afresh
                    r = session.get(
                        srv.sparql, params={"query": f"{COUNT} # client {k} query {i}"}, timeout=60
                    )
                    if r.status_code != 200:
                        errors.append(f"{r.status_code} {r.text}")
                        continue
                    n = int(r.json()["results"]["bindings"][0]["n"]["value"])
                    seen.append((int(r.headers["OGP-Revision"]), n))

        clients = [threading.Thread(target=client, args=(k,)) for k in range(4)]
        for c in clients:
            c.start()
        try:
            deadline = time.monotonic() + 30
            while len(seen) < 8 and time.monotonic() < deadline:  # queries are flowing
                time.sleep(0.01)
            data = (FIXTURES / "rdf" / "valid-commitment.ttl").read_bytes()
            srv.registry.load([SourceFile("valid-commitment.ttl", data, "valid-commitment")])
            after = len(all_quads(srv.registry))
            rev_after = srv.registry.store.revision()
            assert rev_after is not None and rev_after.number == rev_before.number + 1
            # keep asking until the clients have seen the new revision
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not any(r == rev_after.number for r, _ in seen):
                time.sleep(0.05)
        finally:
            stop.set()
            for c in clients:
                c.join()
        assert not errors, errors[:3]
        assert after > before
        counts = {n for _, n in seen}
        assert counts <= {before, after}, counts
        assert before in counts and after in counts
        # each answer is consistent with the revision it reports
        for revision, n in seen:
            assert (revision, n) in {(rev_before.number, before), (rev_after.number, after)}
        # the answer cache does not serve the old count for the old text
        again = requests.get(srv.sparql, params={"query": COUNT}, timeout=30)
        assert int(again.json()["results"]["bindings"][0]["n"]["value"]) == after
        assert again.headers["ETag"] != first.headers["ETag"]
        # a conditional request with the old ETag is answered in full
        cond = requests.get(
            srv.sparql,
            params={"query": COUNT},
            headers={"If-None-Match": first.headers["ETag"]},
            timeout=30,
        )
        assert cond.status_code == 200


@contextlib.contextmanager
def ogpreg_serve(store: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``ogpreg serve ARGS --port 0`` on ``store`` as a user runs it, in a process group of its
    own (as a shell runs a foreground job): the process and the address it printed (after the
    network line, under either server). Killed, with its group, if the block leaves it
    running."""
    env = {**os.environ, "OGPREG_BASE_URI": BASE, "OGPREG_QUERY_WORKERS": "2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ogpreg", "--store", str(store), "--lang", "en", "serve", *args,
         "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        url, lines = address_line(proc.stdout, r"answers at (http://\S+/) ")
        assert url, "".join(lines) + (proc.stderr.read() if proc.stderr else "")
        yield proc, url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_ogpreg_serve_answers_and_stops_cleanly_on_sigterm(
    initialised_store: Path, tmp_path: Path
) -> None:
    store = copy_store(initialised_store, tmp_path / "store")
    with ogpreg_serve(store) as (proc, url):
        r = requests.get(
            url + "sparql",
            # the 2019–2021 plan's nine commitments (the store holds every bundled plan)
            params={
                "query": "SELECT ?id WHERE { ?c a ogp:Commitment ; dct:identifier ?id ; "
                f"ogp:inActionPlan <{BASE}id/plan/2019-2021> }}"
            },
            timeout=30,
        )
        assert r.status_code == 200
        assert len(r.json()["results"]["bindings"]) == 9
        assert r.headers["Server"] == "ogp-registry"
        workers = descendants(proc.pid)
        assert len(workers) >= 3  # the fork server and the two query workers (at least)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Stopped." in out
    assert not still_alive(workers, 10)


@pytest.mark.parametrize("server", servers())
def test_ctrl_c_in_a_terminal_stops_it_quietly(
    server: str, initialised_store: Path, tmp_path: Path
) -> None:
    """Ctrl-C in a terminal signals the whole foreground process group: ``ogpreg serve``, its
    query workers and, under granian, its worker process. It stops at once and quietly: exit
    code 0, "Stopped.", nothing on stderr (each query worker printed a ``KeyboardInterrupt``
    traceback before; under granian its worker was sometimes killed after refusing to stop),
    no process left."""
    store = copy_store(initialised_store, tmp_path / "store")
    with ogpreg_serve(store, "--server", server) as (proc, url):
        # a query, so that the workers have worked
        r = requests.get(url + "sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert r.status_code == 200
        group = [proc.pid, *descendants(proc.pid)]
        if server == "granian":  # its worker process (multiprocessing's spawn) blocks SIGINT
            workers = [pid for pid in group if b"spawn_main" in _cmdline(pid)]
            assert workers and all(_blocks_sigint(pid) for pid in workers), workers
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Stopped." in out
    assert err.strip() == "", err
    assert not still_alive(group, 10)
    if "Killing" in out:
        # granian's words when its worker did not stop by itself and was killed after 10 s:
        # 4 times in 6 before its worker blocked SIGINT (checked above), once since, in a CI
        # run of 7 December 2026, cause not found (docs/endpoint.md); shown, not failed
        pytest.xfail(f"granian killed its worker after its stop timeout: {out.strip()!r}")


def _cmdline(pid: int) -> bytes:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    return b""


def _blocks_sigint(pid: int) -> bool:
    """Whether process ``pid`` blocks SIGINT (its main thread's mask, from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigBlk:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    return False


def test_a_request_finishing_as_waitress_stops_leaves_no_traceback(
    initialised_store: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A request thread that finishes while the server stops pulls the loop's trigger (to have
    its last bytes written); the stop had closed the trigger already, and waitress logged an
    "Exception when servicing … Bad file descriptor" traceback (seen on Ctrl-C just after an
    answer). The trigger now stays open until the request threads are done."""
    store = copy_store(initialised_store, tmp_path / "store")
    settings = make_settings(store, query_workers=1)
    app = create_app(settings, registry=open_registry(settings))
    finishing, release = threading.Event(), threading.Event()

    class Finishing:
        """An answer whose ``close`` (run by the request thread after the body) waits until the
        server is stopping, then does what waitress's request thread does last when it still
        sees its connection open (``HTTPChannel.service``): pull the trigger. The stop closes
        the connection too, so that waitress itself skips the pull here; in a real stop a
        thread can find the connection open an instant before the stop closes both."""

        def __iter__(self) -> Iterator[bytes]:
            yield b"ok"

        def close(self) -> None:
            finishing.set()
            release.wait(10)
            server._server.pull_trigger()

    app.add_url_rule("/test-finishing", "finishing", lambda: flask.Response(Finishing()))
    server = Server(app, host="127.0.0.1", port=0).start_in_thread()

    def ask() -> None:
        # the connection is closed by the stop, after or before the body: either is allowed
        with contextlib.suppress(requests.RequestException):
            requests.get(server.url + "test-finishing", timeout=10)

    client = threading.Thread(target=ask, daemon=True)
    with caplog.at_level(logging.ERROR, logger="waitress"):
        client.start()
        assert finishing.wait(10)
        threading.Timer(0.5, release.set).start()  # while close() waits for the threads
        server.close()
    client.join(10)
    assert release.is_set()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def test_serve_help_has_examples() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    text = result.output
    assert "Example:" in text and "ogpreg serve" in text
    for option in ("--host", "--port", "--threads"):
        assert option in text
    # every option of the command (its own and the group's accepted after it) has an example
    options = [p for p in main.commands["serve"].params if isinstance(p, click.Option)]
    assert {o for p in options for o in p.opts} >= {"--host", "--port", "--threads"}
    for p in options:
        assert re.search(rf"Example:\s+{re.escape(p.opts[0])}\b", text), p.opts
    assert len(re.findall(r"Example:\s+--", text)) == len(options)
