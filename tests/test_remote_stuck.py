"""An engine that stops answering (Virtuoso 7.2.5 did, in benchmarks: docs/deployment.md, "A
stuck engine"). Readers must get a 504 within the bookkeeping and query time limits, not wait
for the HTTP limit sized for loads, and the endpoint must serve again once the engine answers.
The engine is a real server of its own, stopped with SIGSTOP: it keeps accepting connections and
answers nothing, as the hung Virtuoso did."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import requests

from endpoint.sparql.remote_executor import RemoteQueryExecutor
from registry.loading.sources import SourceFile
from registry.service import open_registry
from tests.engines import ENGINE_KINDS, _start_oxigraph, _start_virtuoso, remote_settings
from tests.test_remote_endpoint import COUNT_SOURCE, FILES, JSON, serving


def _stop(pid: int) -> None:
    """SIGSTOP ``pid`` and wait until every one of its threads has stopped (the signal is
    delivered to the threads asynchronously; a request sent at once could still be answered)."""
    os.kill(pid, signal.SIGSTOP)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        states = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                states.append((task / "stat").read_text().rpartition(")")[2].split()[0])
            except OSError:  # a thread that ended meanwhile
                continue
        if states and all(state in ("T", "t") for state in states):
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not stop")


@pytest.mark.parametrize("kind", ENGINE_KINDS)
def test_a_stuck_engine_gives_504_and_the_endpoint_recovers(kind: str, tmp_path: Path) -> None:
    start = {"oxigraph": _start_oxigraph, "virtuoso": _start_virtuoso}[kind]
    workdir = tmp_path / kind
    workdir.mkdir()
    srv = start(workdir)
    stopped = False
    try:
        reg = open_registry(remote_settings(srv, tmp_path / "state"))
        reg.ensure_initialised()
        path = FILES[0]
        reg.load([SourceFile(path.name, path.read_bytes(), "alt", None)])
        engine = reg.store.engine  # type: ignore[attr-defined]
        assert engine.conn.query_url == srv.query_url  # the engine stopped below
        assert engine.http_timeout >= 300  # what a reader would wait without the limit below
        engine.bookkeeping_timeout = 1.0
        with serving(reg, query_timeout=2.0) as (url, executor):
            assert isinstance(executor, RemoteQueryExecutor)
            executor.revision_ttl = 0.0  # every request confirms the revision with the engine
            first = requests.get(url + "sparql", params={"query": COUNT_SOURCE}, headers=JSON,
                                 timeout=30)
            assert first.status_code == 200, first.text
            _stop(srv.proc.pid)
            stopped = True
            with pytest.raises(requests.Timeout):  # the premise: the engine answers nothing
                requests.get(srv.query_url, params={"query": "ASK {}"}, timeout=2)
            for query in (COUNT_SOURCE, COUNT_SOURCE + " # not cached"):
                # the client's own limit (60 s) is far below the 300 s a reader waited before
                r = requests.get(url + "sparql", params={"query": query}, headers=JSON,
                                 timeout=60)
                assert r.status_code == 504, r.text
                assert r.json()["error"] == "query-timeout"
            health = requests.get(url + "health", timeout=60)
            assert health.status_code == 504, health.text
            os.kill(srv.proc.pid, signal.SIGCONT)
            stopped = False
            again = requests.get(url + "sparql", params={"query": COUNT_SOURCE}, headers=JSON,
                                 timeout=30)
            assert again.status_code == 200, again.text
            assert again.json() == first.json()
    finally:
        if stopped:
            os.kill(srv.proc.pid, signal.SIGCONT)
        srv.stop()
