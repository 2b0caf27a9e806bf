"""The registry on external SPARQL engines: load, query and validation measurements, each with
a ratio against a reference measured in the same run (the machine is shared and noisy).

    python benchmarks/bench_remote.py --commitments 1000 10000 --json /tmp/remote.json

For each size it generates the INVENTED synthetic registry (benchmarks/generate.py), starts
Oxigraph's server and Virtuoso on 127.0.0.1 with temporary databases (as the tests do,
tests/engines.py), and measures:

1. **Load.** ``Registry.load`` (``ogpreg load``: parse, validate, commit) of the synthetic
   sources on the embedded store against pyoxigraph's raw ``bulk_load`` of the same N-Quads
   (smallest size only: SHACL validation dominates); then the remote backend's commit
   (``benchmarks/bulkload.py`` through :class:`registry.store.remote.store.RemoteStore`) against the
   engine's own bulk load over HTTP (Oxigraph: ``POST /store`` of the N-Quads; Virtuoso: Graph
   Store ``PUT`` of each graph). Each of the ``--load-reps`` pairs loads into freshly started
   engines with empty databases (the engine's own load first, the registry's right after); the
   ratio reported is the median of the pairs' ratios. Target: ratio >= 0.5.
2. **Queries.** The example queries (``endpoint/examples``, the benchmark queries) through the
   endpoint (``ogpreg serve``, one process per store, as deployed) on the embedded store, on
   Oxigraph's server and on Virtuoso (answer cache off; a different text for every
   repetition, the same for the systems within one), and each engine queried directly with
   the same text and request form: median latency per query over ``--reps`` repetitions, the
   systems taking turns on each repetition (in the opposite order on every other one, so that
   neither the endpoint nor the direct request always finds the engine warm from the other),
   and throughput with 4 clients. Target: endpoint
   median <= 1.5 x the engine's.
3. **Validation** of plan submissions of three sizes against the registry at each size.

All traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyoxigraph as ox
import requests

from benchmarks.bulkload import bulk_load
from benchmarks.common import Query, load_queries, machine_info
from benchmarks.generate import DEFAULT_BASE, GenerateResult, generate_file
from registry.errors import ValidationFailed
from registry.loading.sources import SourceFile
from registry.service import Registry, open_registry
from registry.settings import load_settings
from registry.store.engines.base import QUERY_TYPE


def _settings(state: Path, **extra: Any) -> Any:
    values = {"store": str(state), "base_uri": DEFAULT_BASE, "user": "bench", "query_workers": 4,
              "cache_bytes": 0, "query_timeout": 60, "row_cap": 100000, **extra}
    return load_settings(values, environ={})


def _starters() -> dict[str, Callable[[Path], Any]]:
    from tests import engines

    return {"oxigraph": engines._start_oxigraph, "virtuoso": engines._start_virtuoso}


def _own_load(kind: str, srv: Any, nq: bytes, gen: GenerateResult) -> float:
    """The engine's own bulk load over HTTP (quads/s), into an empty, fresh database."""
    root = srv.query_url.rsplit("/", 1)[0]
    if kind == "oxigraph":
        t = time.perf_counter()
        r = requests.post(root + "/store", data=nq,
                          headers={"Content-Type": "application/n-quads"}, timeout=3600)
        r.raise_for_status()
        return gen.quads / (time.perf_counter() - t)
    graphs: dict[str, list[ox.Triple]] = {}
    for q in ox.parse(nq, format=ox.RdfFormat.N_QUADS):
        graphs.setdefault(q.graph_name.value, []).append(
            ox.Triple(q.subject, q.predicate, q.object))
    bodies = {g: ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
              for g, triples in graphs.items()}
    t = time.perf_counter()
    for g, body in bodies.items():
        r = requests.put(root + "/sparql-graph-crud", params={"graph": g}, data=body,
                         headers={"Content-Type": "application/n-triples"}, timeout=3600)
        r.raise_for_status()
    return gen.quads / (time.perf_counter() - t)


def _load_pairs(kind: str, n: int, tmp: Path, data: Path, gen: GenerateResult,
                reps: int) -> tuple[dict[str, Any], Any, Registry]:
    """``reps`` pairs of (the engine's own bulk load, the registry's load through the remote
    backend), each into a freshly started engine with an empty database (a reset engine is
    slower: the deleted data is still in its files), the two of a pair right after each
    other. Returns the figures, the last engine and its registry (kept for the queries)."""
    start = _starters()[kind]
    nq = data.read_bytes()
    owns: list[float] = []
    backends: list[float] = []
    srv: Any = None
    reg: Registry | None = None
    for rep in range(reps):
        d = tmp / f"{kind}-own-{n}-{rep}"
        d.mkdir(parents=True)
        own_srv = start(d)
        try:
            owns.append(_own_load(kind, own_srv, nq, gen))
        finally:
            own_srv.stop()
            shutil.rmtree(d, ignore_errors=True)
        if srv is not None:
            srv.stop()
            shutil.rmtree(srv.workdir, ignore_errors=True)
        d = tmp / f"{kind}-reg-{n}-{rep}"
        d.mkdir(parents=True)
        srv = start(d)
        try:
            reg = open_registry(_settings(tmp / f"{kind}-state-{n}-{rep}", **srv.overrides()))
            reg.ensure_initialised()
            t = time.perf_counter()
            bulk_load(reg, data, gen)
            backends.append(gen.quads / (time.perf_counter() - t))
        except BaseException:
            srv.stop()
            raise
        print(f"[{n}] {kind} #{rep + 1}: backend load {backends[-1]:,.0f} quads/s, engine's "
              f"own {owns[-1]:,.0f} quads/s, ratio {backends[-1] / owns[-1]:.2f}",
              file=sys.stderr)
    assert reg is not None
    ratios = [b / o for b, o in zip(backends, owns, strict=True)]
    out = {
        f"{kind}_own_bulk_qps": statistics.median(owns),
        f"{kind}_backend_load_qps": statistics.median(backends),
        f"{kind}_load_ratio": statistics.median(ratios),
        f"{kind}_load_runs": [{"own_qps": o, "backend_qps": b, "ratio": r}
                              for o, b, r in zip(owns, backends, ratios, strict=True)],
    }
    return out, srv, reg


def _direct(srv: Any, reg: Registry) -> Callable[[Query, str], int]:
    """The engine queried directly with what the endpoint sends it."""
    engine = reg.store.engine  # type: ignore[attr-defined]
    session = requests.Session()

    def call(q: Query, text: str) -> int:
        params = engine.query_params(union=True, default_graphs=None, named_graphs=None,
                                     timeout=60.0)
        accept = q.accept if q.form != "SELECT" else engine.solutions_accept()
        sent = engine.prepare(text, dataset=False)
        if engine.direct_post:  # the same request form as the registry's (Oxigraph)
            r = session.post(engine.conn.query_url, params=params, data=sent.encode(),
                             headers={"Accept": accept, "Content-Type": QUERY_TYPE,
                                      "Accept-Encoding": "identity"},
                             timeout=120)
        else:
            r = session.post(engine.conn.query_url, data=[("query", sent), *params],
                             headers={"Accept": accept, "Accept-Encoding": "identity"},
                             timeout=120)
        r.raise_for_status()
        return len(r.content)

    return call


ERRORS: list[str] = []


def _endpoint(url: str) -> Callable[[Query, str], int]:
    session = requests.Session()

    def call(q: Query, text: str) -> int:
        # no gzip on either side: the engines do not compress here, so it would be work only
        # the endpoint does (on 127.0.0.1 it costs and saves nothing)
        r = session.post(url + "sparql", data={"query": text},
                         headers={"Accept": q.accept, "Accept-Encoding": "identity"},
                         timeout=120)
        if r.status_code != 200:
            ERRORS.append(f"{url} {q.name}: {r.status_code} {r.text[:300]}")
            raise RuntimeError(ERRORS[-1])
        return len(r.content)

    return call


def _answers(srv: Any) -> bool:
    """Whether the engine answers ``ASK {}`` within 10 s."""
    try:
        r = requests.get(srv.query_url, params={"query": "ASK {}"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=10)
        return r.status_code == 200
    except requests.RequestException:
        return False


def _latency(calls: dict[str, Callable[[Query, str], int]], queries: list[Query], reps: int,
             offset: int) -> dict[str, dict[str, float]]:
    """Median latency per system and query; the systems take turns on each repetition of a
    query, so that a change in the machine's load hits them alike, in the opposite order on
    every other repetition: a query sent right after the same query went to the same engine
    finds the engine warm (measured: with the endpoint always just before the direct request,
    the ratio came out 1.74; the other way round, 1.16), so each system goes first and second
    equally often (with an even ``reps``)."""
    times: dict[str, dict[str, list[float]]] = {name: {} for name in calls}
    for q in queries:
        for k in range(reps):
            for name in list(calls)[:: -1 if k % 2 else 1]:
                call = calls[name]
                t = time.perf_counter()
                call(q, q.variant(offset + k))
                times[name].setdefault(q.name, []).append(time.perf_counter() - t)
    return {name: {q: statistics.median(v) for q, v in per.items()}
            for name, per in times.items()}


def _throughput(call: Callable[[Query, str], int], queries: list[Query], seconds: float,
                clients: int = 4) -> float:
    done = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(k: int) -> None:
        n = 100000 * (k + 1)
        while time.monotonic() < stop:
            q = queries[n % len(queries)]
            call(q, q.variant(n))
            n += 1
            with lock:
                done[0] += 1

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / seconds


class _Served:
    """``ogpreg serve`` in a process of its own (as deployed: the endpoint does not share this
    benchmark's interpreter and its lock with the load generator), on a free port."""

    def __init__(self, reg: Registry, tmp: Path, name: str) -> None:
        st = reg.settings
        env = dict(os.environ)
        env.update({
            "OGPREG_STORE": str(st.store), "OGPREG_BASE_URI": st.base_uri,
            "OGPREG_QUERY_WORKERS": str(st.query_workers), "OGPREG_CACHE_BYTES": "0",
            "OGPREG_QUERY_TIMEOUT": str(st.query_timeout), "OGPREG_ROW_CAP": str(st.row_cap),
            "OGPREG_ENGINE": st.engine,
        })
        if st.engine != "embedded":
            env.update({"OGPREG_ENGINE_QUERY_URL": st.engine_query_url,
                        "OGPREG_STATE_DIR": str(st.state_dir or st.store)})
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.log = tmp / f"serve-{name}.log"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "ogpreg", "serve", "--host", "127.0.0.1", "--port",
                 str(port)], env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.proc.poll() is None:
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "health", timeout=5).status_code == 200:
                    return
            time.sleep(0.3)
        self.close()
        raise RuntimeError(f"ogpreg serve ({name}) did not come up: "
                           f"{self.log.read_text('utf-8', 'replace')[-1000:]}")

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def run_size(n: int, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    res: dict[str, Any] = {"commitments": n}
    data = tmp / f"s{n}.nq"
    split = tmp / f"split{n}"
    gen: GenerateResult = generate_file(n, 42, data, base_uri=DEFAULT_BASE, split_dir=split)
    res["quads"] = gen.quads
    res["loadavg_start"] = os.getloadavg()
    # -- raw pyoxigraph bulk load, and ogpreg load (smallest size) --
    t = time.perf_counter()
    ox.Store().bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    raw = gen.quads / (time.perf_counter() - t)
    res["pyoxigraph_bulk_qps"] = raw
    if n == min(args.commitments) and not args.no_ogpreg_load:
        reg = open_registry(_settings(tmp / f"emb-load{n}"))
        reg.ensure_initialised()
        files = [SourceFile(f"{s.source_id}.nt", (split / f"{s.source_id}.nt").read_bytes(),
                            s.source_id, None) for s in gen.sources]
        t = time.perf_counter()
        loaded = refused = 0
        for f, s in zip(files, gen.sources, strict=True):
            # one by one, in the manifest's order, as submissions arrive; a source the shapes
            # refuse costs its parsing and validation, and is counted apart
            try:
                reg.load([f])
                loaded += s.triples
            except ValidationFailed:
                refused += s.triples
        res["ogpreg_load_refused_quads"] = refused
        res["ogpreg_load_qps"] = loaded / (time.perf_counter() - t)
        res["ogpreg_load_ratio"] = res["ogpreg_load_qps"] / raw
    # -- embedded store for queries --
    emb = open_registry(_settings(tmp / f"emb{n}"))
    bulk_load(emb, data, gen)
    engines: dict[str, Any] = {}
    regs: dict[str, Registry] = {"embedded": emb}
    try:
        for kind in ("oxigraph", "virtuoso"):
            figures, srv, reg = _load_pairs(kind, n, tmp, data, gen, args.load_reps)
            res.update(figures)
            engines[kind] = srv
            regs[kind] = reg
        queries = load_queries(500)
        calls: dict[str, Callable[[Query, str], int]] = {}
        servers = []
        for name, reg in regs.items():
            server = _Served(reg, tmp, f"{name}-{n}")
            servers.append(server)
            calls[f"endpoint-{name}"] = _endpoint(server.url)
            if name != "embedded":
                calls[f"direct-{name}"] = _direct(engines[name], reg)
        live = dict(engines)
        try:
            for name in list(calls):  # warm-up; a query that fails anywhere is left out
                for q in list(queries):
                    if name not in calls:
                        break
                    try:
                        calls[name](q, q.variant(0))
                    except (RuntimeError, requests.RequestException) as exc:
                        kind = name.rpartition("-")[2]
                        if kind in live and not _answers(live[kind]):
                            # the engine itself stopped answering (Virtuoso did: docs/
                            # performance.md, fourth round): its systems are left out, not
                            # every query
                            print(f"[{n}] {kind} stopped answering; left out", file=sys.stderr)
                            res.setdefault("engines_stopped", []).append(kind)
                            for gone in (f"endpoint-{kind}", f"direct-{kind}"):
                                calls.pop(gone, None)
                            del live[kind]  # (still stopped at the end, with the others)
                            break
                        print(f"[{n}] {name}: {q.name} left out: {exc}", file=sys.stderr)
                        queries.remove(q)
            res["queries"] = [q.name for q in queries]
            res["loadavg_before_queries"] = os.getloadavg()
            lat = _latency(calls, queries, args.reps, 1)
            res["latency"] = lat
            res["median_ms"] = {k: 1000 * statistics.median(v.values()) for k, v in lat.items()}
            for kind in live:
                ratios = [lat[f"endpoint-{kind}"][q] / lat[f"direct-{kind}"][q] for q in lat[
                    f"direct-{kind}"]]
                res[f"{kind}_latency_ratio"] = (
                    res["median_ms"][f"endpoint-{kind}"] / res["median_ms"][f"direct-{kind}"]
                )
                res[f"{kind}_latency_ratio_per_query_median"] = statistics.median(ratios)
            res["throughput_qps"] = {
                name: _throughput(call, queries, args.seconds) for name, call in calls.items()
            }
            res["loadavg_after_queries"] = os.getloadavg()
        finally:
            for served in servers:
                served.close()
        # -- validation cost: plan submissions of three sizes against this registry --
        plans = sorted((s for s in gen.sources if s.source_id.endswith("-plan")),
                       key=lambda s: s.triples)
        picks = [plans[0], plans[len(plans) // 2], plans[-1]]
        val = {}
        for s in picks:
            f = SourceFile(f"{s.source_id}.nt", (split / f"{s.source_id}.nt").read_bytes(),
                           s.source_id, None)
            t = time.perf_counter()
            try:
                emb.validate([f])
            except ValidationFailed:
                pass
            val[s.triples] = time.perf_counter() - t
        res["validation_seconds_by_submission_triples"] = val
    finally:
        for srv in engines.values():
            srv.stop()
    return res


_COLOURS = {
    "endpoint-embedded": "#1b6ca8",
    "endpoint-oxigraph": "#2a9d5b",
    "direct-oxigraph": "#8fd1a8",
    "endpoint-virtuoso": "#c0392b",
    "direct-virtuoso": "#f1a99b",
}


def svg_plot(result: dict[str, Any]) -> str:
    """Median latency and throughput against registry size, as a hand-written SVG (two
    panels, log-scaled x axis over the measured sizes)."""
    sizes = [r["commitments"] for r in result["sizes"]]
    systems = list(_COLOURS)
    w, h, pad = 320, 220, 48
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * w + 40}" height="{h + 90}" '
           'font-family="sans-serif" font-size="11">']

    def panel(x0: int, title: str, key: str, scale: float) -> None:
        values = [r[key].get(s, 0) * scale for r in result["sizes"] for s in systems
                  if s in r[key]]
        top = max(values or [1]) * 1.15
        out.append(f'<text x="{x0 + w / 2}" y="16" text-anchor="middle" '
                   f'font-weight="bold">{title}</text>')
        out.append(f'<rect x="{x0 + pad}" y="24" width="{w - pad - 8}" height="{h - 40}" '
                   'fill="none" stroke="#888"/>')
        for i in range(5):
            v = top * i / 4
            y = 24 + (h - 40) * (1 - i / 4)
            out.append(f'<text x="{x0 + pad - 4}" y="{y + 4:.0f}" text-anchor="end">'
                       f'{v:.0f}</text>')
        def px(k: int) -> float:
            if len(sizes) == 1:
                return x0 + pad + (w - pad - 8) / 2
            return x0 + pad + 20 + (w - pad - 48) * k / (len(sizes) - 1)
        for k, n in enumerate(sizes):
            out.append(f'<text x="{px(k):.0f}" y="{h - 2}" text-anchor="middle">{n:,}</text>')
        for s in systems:
            pts = []
            for k, r in enumerate(result["sizes"]):
                if s in r[key]:
                    y = 24 + (h - 40) * (1 - r[key][s] * scale / top)
                    pts.append((px(k), y))
            if pts:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
                out.append(f'<polyline points="{path}" fill="none" stroke="{_COLOURS[s]}" '
                           'stroke-width="2"/>')
                for x, y in pts:
                    out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" '
                               f'fill="{_COLOURS[s]}"/>')
        out.append(f'<text x="{x0 + w / 2}" y="{h + 12}" text-anchor="middle">'
                   'commitments in the registry</text>')

    panel(0, "median latency, ms (example queries)", "median_ms", 1.0)
    panel(w + 40, "throughput, queries/s (4 clients)", "throughput_qps", 1.0)
    for i, s in enumerate(systems):
        x = 10 + (i % 3) * 220
        y = h + 34 + (i // 3) * 16
        out.append(f'<rect x="{x}" y="{y - 9}" width="12" height="10" fill="{_COLOURS[s]}"/>')
        out.append(f'<text x="{x + 16}" y="{y}">{s}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--commitments", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--reps", type=int, default=8,
                    help="latency repetitions per query (even: each order equally often)")
    ap.add_argument("--load-reps", type=int, default=3,
                    help="load measurements (pairs on fresh engines) per engine and size")
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--no-ogpreg-load", action="store_true",
                    help="skip the ogpreg load measurement (a size measured on its own)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--svg", type=Path, help="write the latency/throughput plot here")
    ap.add_argument("--plot", type=Path, help="only plot the results of an earlier --json")
    args = ap.parse_args(argv)
    if args.plot:
        assert args.svg is not None
        args.svg.write_text(svg_plot(json.loads(args.plot.read_text())))
        return 0
    out: dict[str, Any] = {"machine": machine_info(), "sizes": []}
    with tempfile.TemporaryDirectory(prefix="ogp-bench-remote-") as tmp:
        for n in args.commitments:
            r = run_size(n, Path(tmp), args)
            out["sizes"].append(r)
            print(json.dumps({k: v for k, v in r.items() if k != "latency"}, indent=1,
                             default=str))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))
    if args.svg:
        args.svg.write_text(svg_plot(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
