"""Serving while loading, and ``ogpreg serve`` as users run it: a real process, real signals,
no orphan processes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import click
import pytest
import requests
from click.testing import CliRunner

from ogpreg.cli import main
from registry.loading.sources import SourceFile
from tests.conftest import BASE, FIXTURES, all_quads
from tests.endpoint_server import copy_store, descendants, servers, serving, still_alive

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


def test_ogpreg_serve_answers_and_stops_cleanly_on_sigterm(
    initialised_store: Path, tmp_path: Path
) -> None:
    store = copy_store(initialised_store, tmp_path / "store")
    env = {**os.environ, "OGPREG_BASE_URI": BASE, "OGPREG_QUERY_WORKERS": "2"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ogpreg",
            "--store",
            str(store),
            "--lang",
            "en",
            "serve",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []  # the network line, then the address (under either server)
        match = None
        while match is None and len(lines) < 10:
            lines.append(proc.stdout.readline())
            match = re.search(r"answers at (http://\S+/) ", lines[-1])
        assert match, "".join(lines) + (proc.stderr.read() if proc.stderr else "")
        url = match.group(1)
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
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Stopped." in out
    assert not still_alive(workers, 10)


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
