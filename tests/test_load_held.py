"""Load held: 32 concurrent clients run the example queries against the real server while
a source is loaded again and again; no request fails, no answer shows a partial load, every
client is answered, and the clients see every load. The test is bounded by work (a number of
loads), not by time. The long run, with the memory of the serving processes sampled:
benchmarks/soak_load.py."""

from __future__ import annotations

import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from registry.loading.sources import SourceFile
from registry.service import Registry
from tests.conftest import BASE
from tests.endpoint_server import (
    GranianServed,
    Running,
    descendants,
    servers,
    serving,
)

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "endpoint" / "examples").glob("*.rq"))
VALID = Path(__file__).parent / "fixtures" / "rdf" / "valid-commitment.ttl"
HELD = BASE + "graph/source/held"
#: Two versions of one source, loaded in turn (27 and 28 triples). A partial load would show
#: the graph and its provenance's triple count disagreeing, or neither version.
VERSIONS = (
    VALID.read_bytes(),
    VALID.read_bytes()
    + b"<id/commitment/NO9901> dct:source <https://example.org/invented-source> .\n",
)
ALLOWED = {(0, None), (27, 27), (28, 28)}
PROBE = f"""
SELECT ?n ?count WHERE {{
  {{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{HELD}> {{ ?s ?p ?o }} }} }}
  OPTIONAL {{ GRAPH <{BASE}graph/provenance> {{ <{HELD}> ogp:tripleCount ?count }} }}
}}"""
#: How long a load may wait for the clients to see it before the test gives up (a guard
#: against a hang, not a measurement: it is seen within a second or two).
PATIENCE = 120.0


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass
class Held:
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    probes: list[tuple[int, int, int | None]] = field(default_factory=list)  # revision, n, count
    memory: list[int] = field(default_factory=list)
    loads: int = 0
    #: the revision each load committed
    loaded: list[int] = field(default_factory=list)
    #: answers per client
    answered: Counter[int] = field(default_factory=Counter)
    clients: int = 0
    parts: list[list[int]] = field(default_factory=list)


def hold(
    registry: Registry,
    *,
    loads: int | None = None,
    seconds: float | None = None,
    clients: int = 32,
    sample_memory: bool = False,
    server: str = "waitress",
) -> Held:
    """Run the clients while the source is loaded ``loads`` times (each load waits until a
    probe has seen it), or, with ``seconds``, for that long with a load every second (the
    soak); ``sample_memory`` samples the serving processes' memory (benchmarks/soak_load.py).
    ``server``: waitress (in this process) or granian (``ogpreg serve --server granian``, a
    process of its own reading the same store). Returns what was seen."""
    assert (loads is None) != (seconds is None), "give loads or seconds"
    if sample_memory and not Path("/proc/self/status").exists():
        raise RuntimeError("sampling memory needs /proc")
    held = Held(clients=clients)
    lock = threading.Lock()
    seen = threading.Condition(lock)
    stop = threading.Event()
    # every client asks from 127.0.0.1: one client, which may hold the workers and half the
    # queue (docs/endpoint.md, "Admission"), so the queue has room for all of them
    with serving(server, registry.store.path, query_timeout=60, query_queue=2 * clients) as srv:
        queries = [q.read_text("utf-8") for q in EXAMPLES] + [PROBE]

        def client(n: int) -> None:
            with requests.Session() as s:
                i = n
                while not stop.is_set():
                    text = queries[i % len(queries)]
                    i += 1
                    try:
                        r = s.get(srv.sparql, params={"query": text},
                                  headers={"Accept": "application/sparql-results+json"},
                                  timeout=120)
                    except requests.RequestException as exc:
                        with lock:
                            held.failures.append(f"{type(exc).__name__}: {exc}")
                        continue
                    with lock:
                        held.requests += 1
                        if r.status_code != 200:
                            held.failures.append(f"{r.status_code}: {r.text[:300]}")
                            continue
                        held.answered[n] += 1
                        if text is PROBE:
                            (row,) = r.json()["results"]["bindings"]
                            count = row.get("count")
                            held.probes.append((int(r.headers["OGP-Revision"]),
                                                int(row["n"]["value"]),
                                                int(count["value"]) if count else None))
                            seen.notify_all()

        def probed(revision: int) -> bool:
            return any(p[0] >= revision for p in held.probes)

        def loader() -> None:
            k = 0
            try:
                while not stop.is_set() and (loads is None or k < loads):
                    k += 1
                    registry.load([SourceFile(VALID.name, VERSIONS[k % 2], "held")])
                    revision = registry.store.revision()
                    assert revision is not None
                    held.loads = k
                    held.loaded.append(revision.number)
                    if seconds is not None:
                        stop.wait(1.0)
                        continue
                    number = revision.number
                    with seen:  # the clients see this load before the next one
                        if not seen.wait_for(lambda n=number: probed(n), PATIENCE):
                            held.failures.append(f"no probe saw revision {number}")
                            return
                # every client answered at least once before the clients stop
                with seen:
                    seen.wait_for(lambda: len(held.answered) == clients, PATIENCE)
            finally:
                if loads is not None:
                    stop.set()

        def sampler() -> None:
            stop.wait((seconds or 0) / 4)  # warm-up: workers start, the answer cache fills
            while not stop.is_set():
                if isinstance(srv, Running):  # this process and its query workers
                    pids = [os.getpid(), *srv.executor.worker_pids()]
                else:  # granian: the server process and everything below it
                    assert isinstance(srv, GranianServed)
                    pids = [srv.proc.pid, *sorted(descendants(srv.proc.pid))]
                held.memory.append(sum(rss_bytes(p) for p in pids))
                held.parts.append([rss_bytes(p) // 2**20 for p in pids])
                stop.wait(0.2)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        threads.append(threading.Thread(target=loader))
        if sample_memory:
            threads.append(threading.Thread(target=sampler))
        for t in threads:
            t.start()
        if seconds is not None:
            stop.wait(seconds)
            stop.set()
        for t in threads:
            t.join()
    return held


def check(held: Held) -> None:
    """No request failed, no answer showed a partial load, every client was answered, and
    the probes saw the loads happen."""
    assert not held.failures, (len(held.failures), held.failures[:5])
    assert held.loads >= 2, held
    assert held.probes, "no probe answered"
    by_revision: dict[int, tuple[int, int | None]] = {}
    for revision, n, count in held.probes:
        assert (n, count) in ALLOWED, (revision, n, count)  # a whole version, or none yet
        assert by_revision.setdefault(revision, (n, count)) == (n, count)
    assert len(by_revision) >= 2, by_revision  # the probes saw loads happen
    assert sorted(held.answered) == list(range(held.clients)), held.answered


@pytest.mark.parametrize("server", servers())
def test_32_clients_while_loading(server: str, registry: Registry) -> None:
    held = hold(registry, loads=4, server=server)
    check(held)
    # each load was seen by the clients, and each showed its own version
    assert held.loaded == sorted(set(held.loaded)) and len(held.loaded) == 4
    assert {r for r, _n, _c in held.probes} >= set(held.loaded)
    for revision, n, count in held.probes:
        if revision in held.loaded:
            version = held.loaded.index(revision) + 1  # the load's k: VERSIONS[k % 2]
            assert (n, count) == ((28, 28) if version % 2 else (27, 27)), (revision, n, count)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("OGPREG_SOAK"), reason="soak: set OGPREG_SOAK=1")
def test_32_clients_soak(registry: Registry) -> None:
    check(hold(registry, seconds=float(os.environ.get("OGPREG_SOAK_SECONDS", "300"))))
