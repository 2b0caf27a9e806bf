"""Endpoint benchmark: the registry endpoint over HTTP, pyoxigraph called directly and
Oxigraph's own Rust server, in ONE run on the same data and the same queries.

    python benchmarks/bench_endpoint.py --commitments 10000          # quick
    python benchmarks/bench_endpoint.py                               # 100,000 commitments

What it does (see benchmarks/README.md):

1. builds (or reuses, under ``--work``) a registry store with the synthetic registry
   (``benchmarks/bulkload.py``) and an Oxigraph server store with the same quads
   (``oxigraph load`` of an N-Quads dump of the registry's current revision);
2. starts ``oxigraph serve --union-default-graph`` and ``ogpreg serve`` on 127.0.0.1, each as a
   subprocess on a free port (or uses ``--endpoint-url``);
3. checks that all three give the same number of results for every query of the mix;
4. runs the mix at ``--concurrency`` (default 8) against each system, bounded by
   ``--requests`` and ``--seconds`` per run, twice: "repeated" (the same texts again, after one
   warm-up pass) and "first-time" (a new text per request: LIMIT/OFFSET varied);
5. measures, one query at a time, the median latency of first-time queries on pyoxigraph and
   on the endpoint;
6. prints throughput, latency percentiles and the ratios against the targets of issue 3.

Traffic goes only to 127.0.0.1. Nothing here is a test: timings vary with the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyoxigraph as ox
import requests

from benchmarks.bulkload import build_store
from benchmarks.common import (
    Call,
    Query,
    RunResult,
    fmt_ms,
    load_queries,
    machine_info,
    preflight,
    run_load,
)
from benchmarks.generate import DEFAULT_BASE

RUST = "oxigraph server (Rust)"
ENDPOINT = "endpoint (ogpreg serve)"
DIRECT = "pyoxigraph direct"
LEAN = "endpoint (http.client, no gzip)"
READY = "bench-ready"


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- data --------------------------------------------------------------------------------------
def prepare_stores(
    work: Path, commitments: int, seed: int, base_uri: str, optimize: bool = False
) -> tuple[Path, Path]:
    """The registry store and the Oxigraph server store, built once per size and seed."""
    work.mkdir(parents=True, exist_ok=True)
    suffix = "-optimized" if optimize else ""
    reg_dir = work / f"registry-{commitments}-{seed}{suffix}"
    rust_dir = work / f"oxigraph-{commitments}-{seed}"
    if not (reg_dir / READY).exists():
        shutil.rmtree(reg_dir, ignore_errors=True)
        log(f"building the registry store {reg_dir} ...")
        build_store(reg_dir, commitments, seed, base_uri=base_uri, optimize=optimize)
        (reg_dir / READY).write_text("ok")
    if not (rust_dir / READY).exists():  # the same quads either way
        shutil.rmtree(rust_dir, ignore_errors=True)
        from registry.store.embedded import EmbeddedStore

        dump = work / f"dump-{commitments}-{seed}.nq"
        t0 = time.perf_counter()
        EmbeddedStore(reg_dir).reader().dump(str(dump), format=ox.RdfFormat.N_QUADS)
        log(f"dumped the registry to {dump} in {time.perf_counter() - t0:.1f} s; "
            "oxigraph load ...")
        t0 = time.perf_counter()
        subprocess.run(
            ["oxigraph", "load", "--location", str(rust_dir), "--file", str(dump)],
            check=True, stdout=subprocess.DEVNULL,
        )
        log(f"oxigraph load took {time.perf_counter() - t0:.1f} s")
        dump.unlink()
        (rust_dir / READY).write_text("ok")
    return reg_dir, rust_dir


# -- servers -----------------------------------------------------------------------------------
@contextlib.contextmanager
def server(cmd: list[str], env: dict[str, str], ready_url: str, name: str,
           logfile: Path, timeout: float = 120.0) -> Iterator[subprocess.Popen[bytes] | None]:
    """Start ``cmd``, wait until ``ready_url`` answers 200, yield the process (None if it did
    not come up: the reason is logged), and stop it (by its own pid) afterwards."""
    with open(logfile, "wb") as out:
        try:
            proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        except OSError as exc:
            log(f"{name}: cannot start {cmd[0]}: {exc}")
            yield None
            return
        try:
            deadline = time.monotonic() + timeout
            up = False
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    if requests.get(ready_url, timeout=5).status_code == 200:
                        up = True
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.3)
            if not up:
                tail = logfile.read_text("utf-8", "replace")[-1500:]
                why = "no answer" if proc.poll() is None else f"exited {proc.returncode}"
                log(f"{name} did not come up ({why}):\n{tail}")
                yield None
            else:
                yield proc
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


# -- clients -----------------------------------------------------------------------------------
def http_call_factory(url: str) -> Callable[[], Call]:
    def make() -> Call:
        session = requests.Session()

        def call(q: Query, text: str) -> int:
            r = session.get(url, params={"query": text}, headers={"Accept": q.accept},
                            timeout=300)
            if r.status_code != 200:
                raise RuntimeError(f"HTTP {r.status_code}: {r.text[:200]}")
            return len(r.content)

        return call

    return make


def lean_call_factory(url: str, fixed_path: str | None = None) -> Callable[[], Call]:
    """The endpoint through ``http.client`` on one kept-alive connection, without compression:
    what the endpoint costs, without the ~0.5-1 ms of Python that ``requests`` spends per call
    (measured: /health 0.88 ms with requests, 0.41 ms with http.client; a cached 300 kB answer
    1.26 ms vs 0.29 ms) and without gzip, which pyoxigraph called in-process does not pay.
    With ``fixed_path``, each call GETs that path instead (the query is not sent)."""
    parts = urllib.parse.urlsplit(url)

    def make() -> Call:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80,
                                          timeout=300)

        def call(q: Query, text: str) -> int:
            if fixed_path is not None:  # the same request each time, without the query
                conn.request("GET", fixed_path, headers={"Accept-Encoding": "identity"})
            else:
                path = parts.path + "?" + urllib.parse.urlencode({"query": text})
                conn.request("GET", path, headers={"Accept": q.accept,
                                                   "Accept-Encoding": "identity"})
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200:
                raise RuntimeError(f"HTTP {resp.status}: {body[:200]!r}")
            return len(body)

        return call

    return make


def direct_call_factory(store: ox.Store) -> Callable[[], Call]:
    """pyoxigraph in this process: evaluate over the union of the graphs and serialise the
    answer in the format the HTTP clients ask for (the work a server cannot skip)."""

    def make() -> Call:
        def call(q: Query, text: str) -> int:
            result = store.query(text, use_default_graph_as_union=True)
            if isinstance(result, ox.QuerySolutions):
                out = result.serialize(format=ox.QueryResultsFormat.JSON)
            elif isinstance(result, ox.QueryBoolean):
                out = json.dumps({"head": {}, "boolean": bool(result)}).encode()
            else:
                out = ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)
            assert out is not None
            return len(out)

        return call

    return make


def count_results(system: str, q: Query, text: str, url: str | None,
                  store: ox.Store | None) -> tuple[int, bool]:
    """Number of results (rows, triples or 1 for ASK) and whether the answer said it was
    truncated."""
    if store is not None:
        result = store.query(text, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            return 1, False
        return sum(1 for _ in result), False
    assert url is not None
    r = requests.get(url, params={"query": text}, headers={"Accept": q.accept}, timeout=600)
    r.raise_for_status()
    # the endpoint says "OGP-Truncated: true" when the row cap cut the answer
    truncated = r.headers.get("OGP-Truncated", "").lower() == "true"
    if q.form in ("SELECT", "ASK"):
        data = r.json()
        return (1 if "boolean" in data else len(data["results"]["bindings"])), truncated
    return sum(1 for line in r.text.splitlines() if line.strip()), truncated


# -- reporting ---------------------------------------------------------------------------------
def run_row(r: RunResult) -> str:
    p = r.percentiles()
    cells = [f"{r.system:<26}", f"{r.mode:<10}", f"{len(r.ok):>6}", f"{r.errors:>4}",
             f"{r.wall:>7.1f}", f"{r.throughput:>8.1f}"]
    cells += [f"{fmt_ms(p[k]):>9}" if p else f"{'-':>9}" for k in ("p50", "p90", "p99", "max")]
    return " ".join(cells)


def verdict(value: float, target: float, higher_is_better: bool) -> str:
    if higher_is_better:
        if value >= target:
            return "MET"
        return f"MISSED by {(1 - value / target) * 100:.0f}%"
    if value <= target:
        return "MET"
    return f"MISSED by {(value / target - 1) * 100:.0f}%"


# -- main --------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Benchmark the registry endpoint against pyoxigraph and Oxigraph's Rust "
        "server on a synthetic registry. Example: python benchmarks/bench_endpoint.py "
        "--commitments 10000 --seconds 20"
    )
    ap.add_argument("--commitments", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--work", type=Path, default=Path("/tmp/ogp-bench"),
                    help="where stores are built and kept for reuse (default /tmp/ogp-bench)")
    ap.add_argument("--base-uri", default=DEFAULT_BASE)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--requests", type=int, default=2000, help="most requests per run")
    ap.add_argument("--seconds", type=float, default=30.0, help="most seconds per run")
    ap.add_argument("--limit", type=int, default=500,
                    help="LIMIT added to mix queries that have none (below the row cap)")
    ap.add_argument("--latency-repeats", type=int, default=5,
                    help="sequential first-time runs per query for the latency comparison")
    ap.add_argument("--preflight-budget", type=float, default=60.0,
                    help="leave out queries that take longer than this many seconds in "
                    "pyoxigraph alone (default 60)")
    ap.add_argument("--query-dir", type=Path, help="use these *.rq instead of the examples")
    ap.add_argument("--no-extra-queries", action="store_true",
                    help="leave out benchmarks/queries/*.rq (small entity queries)")
    ap.add_argument("--endpoint-url", help="benchmark a running endpoint's /sparql instead of "
                    "starting 'ogpreg serve' (it must serve the same store)")
    ap.add_argument("--endpoint-timeout", type=int, default=600,
                    help="OGPREG_QUERY_TIMEOUT for the endpoint under test (default 600 s: the "
                    "Rust server has no timeout either)")
    ap.add_argument("--endpoint-env", action="append", default=[], metavar="NAME=VALUE",
                    help="extra environment for 'ogpreg serve', e.g. OGPREG_QUERY_WORKERS=8")
    ap.add_argument("--optimize", action="store_true",
                    help="benchmark a registry store compacted before its commit "
                    "(bulkload.py --optimize; kept apart from the plain one)")
    ap.add_argument("--skip", action="append", default=[], choices=["rust", "endpoint", "direct"])
    ap.add_argument("--py-spy", type=Path, metavar="DIR",
                    help="profile the endpoint's processes with py-spy during its runs "
                    "(collapsed stacks in DIR)")
    ap.add_argument("--json", type=Path, help="write all measurements to this JSON file")
    args = ap.parse_args(argv)

    machine = machine_info()
    log(f"machine: {machine}")
    queries = load_queries(args.limit, args.query_dir, extra=not args.no_extra_queries)
    log(f"query mix ({len(queries)}): {', '.join(q.name for q in queries)}")
    reg_dir, rust_dir = prepare_stores(args.work, args.commitments, args.seed, args.base_uri,
                                       args.optimize)

    from registry.store.embedded import EmbeddedStore

    embedded = EmbeddedStore(reg_dir)
    store = embedded.reader()
    quads = len(store)
    log(f"registry store: {quads} quads")
    rev = embedded.revision()
    assert rev is not None
    log(f"preflight: each query once in pyoxigraph (budget {args.preflight_budget:.0f} s) ...")
    queries, preflight_times = preflight(
        queries, embedded.path / "revisions" / f"rev-{rev.number:06d}", args.preflight_budget
    )
    left_out = [n for n, t in preflight_times.items() if t is None]
    if left_out:
        log(f"left out (over {args.preflight_budget:.0f} s in pyoxigraph, or failed): "
            f"{', '.join(left_out)}")

    rust_port, ep_port = free_port(), free_port()
    rust_url = f"http://127.0.0.1:{rust_port}/query"
    env = dict(os.environ)
    # No query timeout on the endpoint for the benchmark (the Rust server has none either).
    env.update({"OGPREG_STORE": str(reg_dir), "OGPREG_BASE_URI": args.base_uri,
                "OGPREG_QUERY_TIMEOUT": str(args.endpoint_timeout)})
    for item in args.endpoint_env:
        name, _, value = item.partition("=")
        env[name] = value
    logs = args.work / "logs"
    logs.mkdir(exist_ok=True)

    results: list[RunResult] = []
    report: dict[str, Any] = {
        "machine": machine,
        "commitments": args.commitments,
        "seed": args.seed,
        "quads": quads,
        "concurrency": args.concurrency,
        "queries": [q.name for q in queries],
        "preflight_seconds": preflight_times,
        "left_out": left_out,
        "endpoint_env": args.endpoint_env,
        "optimized_store": args.optimize,
        "notes": [],
    }

    with contextlib.ExitStack() as stack:
        rust_proc = None
        if "rust" not in args.skip:
            rust_proc = stack.enter_context(server(
                ["oxigraph", "serve", "--location", str(rust_dir), "--bind",
                 f"127.0.0.1:{rust_port}", "--union-default-graph"],
                env, f"{rust_url}?query=ASK%7B%7D", RUST, logs / "oxigraph.log"))
        ep_url: str | None = args.endpoint_url
        ep_proc = None
        if ep_url is None and "endpoint" not in args.skip:
            ep_proc = stack.enter_context(server(
                [sys.executable, "-m", "ogpreg", "serve", "--host", "127.0.0.1", "--port",
                 str(ep_port)],
                env, f"http://127.0.0.1:{ep_port}/health", ENDPOINT, logs / "endpoint.log"))
            if ep_proc is not None:
                ep_url = f"http://127.0.0.1:{ep_port}/sparql"
            else:
                report["notes"].append("the endpoint did not start; see logs/endpoint.log")
        systems: dict[str, tuple[Callable[[], Call], str | None, ox.Store | None]] = {}
        if rust_proc is not None:
            systems[RUST] = (http_call_factory(rust_url), rust_url, None)
        if ep_url is not None:
            systems[ENDPOINT] = (http_call_factory(ep_url), ep_url, None)
        if "direct" not in args.skip:
            systems[DIRECT] = (direct_call_factory(store), None, store)

        # 1. same answers everywhere (and the warm-up pass of the repeated run)
        log("checking result counts ...")
        counts: dict[str, dict[str, int]] = {}
        truncated: list[str] = []
        baseline_ms: dict[str, float] = {}
        for q in queries:
            counts[q.name] = {}
            for name, (_, url, st) in systems.items():
                try:
                    t0 = time.perf_counter()
                    n, trunc = count_results(name, q, q.text, url, st)
                    if name == DIRECT:
                        baseline_ms[q.name] = (time.perf_counter() - t0) * 1000
                    counts[q.name][name] = n
                    if trunc:
                        truncated.append(f"{name}: {q.name}")
                except Exception as exc:  # noqa: BLE001
                    counts[q.name][name] = -1
                    log(f"  {name} failed on {q.name}: {exc}")
        mismatches = [q for q, c in counts.items() if len(set(c.values())) > 1]
        report["result_counts"] = counts
        report["mismatches"] = mismatches
        report["truncated"] = truncated

        # 2. load runs
        variant_base = 0
        for mode in ("repeated", "unique"):
            for name, (factory, _, _) in systems.items():
                if mode == "repeated":
                    for q in queries:  # warm-up: each text once more
                        with contextlib.suppress(Exception):
                            factory()(q, q.text)
                log(f"{mode}: {name} ...")
                spy = None
                if args.py_spy and name == ENDPOINT and ep_proc is not None:
                    args.py_spy.mkdir(parents=True, exist_ok=True)
                    spy = subprocess.Popen(
                        ["py-spy", "record", "--pid", str(ep_proc.pid), "--subprocesses",
                         "--format", "raw", "--rate", "50", "--nonblocking",
                         "-o", str(args.py_spy / f"endpoint-{mode}.txt")],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                r = run_load(name, mode, factory, queries, concurrency=args.concurrency,
                             max_requests=args.requests, max_seconds=args.seconds,
                             variant_start=variant_base)
                if spy is not None:
                    spy.send_signal(signal.SIGINT)
                    try:
                        spy.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        spy.kill()
                results.append(r)
                log("  " + run_row(r))
                if r.errors:
                    log(f"  first error: {next(s.error for s in r.samples if not s.ok)}")
            variant_base += args.requests

        # 3. sequential first-time latency: pyoxigraph direct vs the endpoint
        latency: dict[str, dict[str, float]] = {}
        if DIRECT in systems and ENDPOINT in systems and args.latency_repeats > 0:
            log("sequential first-time latency ...")
            for q in queries:
                calls = {name: systems[name][0]() for name in (DIRECT, ENDPOINT)}
                calls[LEAN] = lean_call_factory(ep_url)() if ep_url else calls[ENDPOINT]
                times: dict[str, list[float]] = {name: [] for name in calls}
                # interleaved, so that a change in the machine's load hits both alike
                # (each sample a text of its own: no system may answer from a cache)
                for i in range(args.latency_repeats):
                    for k, (name, call) in enumerate(calls.items()):
                        text = q.variant(variant_base + i * len(calls) + k)
                        t0 = time.perf_counter()
                        call(q, text)
                        times[name].append(time.perf_counter() - t0)
                latency[q.name] = {name: statistics.median(t) for name, t in times.items()}
                variant_base += args.latency_repeats * len(calls)
    report["runs"] = [
        {"system": r.system, "mode": r.mode, "ok": len(r.ok), "errors": r.errors,
         "seconds": r.wall, "throughput": r.throughput, "latency": r.percentiles(),
         "per_query_median": r.per_query_median()}
        for r in results
    ]
    report["sequential_latency"] = latency
    report["pyoxigraph_first_ms"] = baseline_ms

    # -- print -----------------------------------------------------------------------------
    print()
    print(f"# Endpoint benchmark: {args.commitments} synthetic commitments ({quads} quads), "
          f"concurrency {args.concurrency}, {len(queries)} queries")
    print(f"# {machine['date']} | {machine['nproc']} CPUs {machine['cpu']} | {machine['memory']}"
          f" | Python {machine['python']} | {machine['packages']} | {machine['oxigraph_server']}")
    print(f"# load average at start: {machine['load_average']}; endpoint environment: "
          f"{' '.join(args.endpoint_env) or 'defaults'} (OGPREG_QUERY_TIMEOUT="
          f"{args.endpoint_timeout}); registry store "
          f"{'compacted (--optimize)' if args.optimize else 'as bulk-loaded (not compacted)'}")
    if left_out:
        print(f"# left out of the mix (over {args.preflight_budget:.0f} s in pyoxigraph alone): "
              f"{', '.join(left_out)}")
    print()
    print("Result counts per query:")
    for qn, c in counts.items():
        flag = "  MISMATCH" if qn in mismatches else ""
        print(f"  {qn:<40} " + "  ".join(f"{s.split(' ')[0]}={n}" for s, n in c.items()) + flag)
    if truncated:
        print(f"  truncated answers: {truncated}")
    print()
    print(f"{'system':<26} {'mode':<10} {'ok':>6} {'err':>4} {'wall s':>7} {'req/s':>8} "
          f"{'p50 ms':>9} {'p90 ms':>9} {'p99 ms':>9} {'max ms':>9}")
    for r in results:
        print(run_row(r))
    print()
    by = {(r.system, r.mode): r for r in results}
    ratios: dict[str, float] = {}
    print("Ratios against the Rust server (same run):")
    for mode, target, label in (("repeated", 1.0, "repeated queries"),
                                ("unique", 0.5, "first-time queries")):
        rust = by.get((RUST, mode))
        for name in (ENDPOINT, DIRECT):
            mine = by.get((name, mode))
            if rust and mine and rust.throughput:
                ratio = mine.throughput / rust.throughput
                ratios[f"{name} {mode}"] = ratio
                tgt = f"target >= {target:.1f}x: {verdict(ratio, target, True)}" \
                    if name == ENDPOINT else "(reference)"
                print(f"  {label:<20} {name:<26} {ratio:6.2f}x  {tgt}")
    if latency:
        print()
        print("Sequential first-time latency, median of "
              f"{args.latency_repeats}, samples interleaved (target for queries over 10 ms in "
              "pyoxigraph: endpoint <= 1.3x pyoxigraph; the endpoint measured with http.client "
              "without gzip; 'requests+gzip' is the same endpoint through requests, which asks "
              "for gzip):")
        for qn, row in latency.items():
            d, e, lean = row[DIRECT], row[ENDPOINT], row[LEAN]
            ratio = lean / d if d else float("inf")
            ratios[f"latency {qn}"] = ratio
            ratios[f"latency (requests+gzip) {qn}"] = e / d if d else float("inf")
            flag = verdict(ratio, 1.3, False) if d > 0.010 else "(under 10 ms: no target)"
            print(f"  {qn:<40} pyoxigraph {fmt_ms(d):>9} ms  endpoint {fmt_ms(lean):>9} ms  "
                  f"{ratio:5.2f}x  {flag}  (requests+gzip {fmt_ms(e)} ms, "
                  f"{e / d if d else float('inf'):.2f}x)")
    print()
    print("Median latency per query at concurrency "
          f"{args.concurrency} (ms; repeated / first-time):")
    names = list(systems)
    print(f"  {'query':<40} " + " ".join(f"{n.split(' ')[0]:>20}" for n in names))
    for q in queries:
        cells = []
        for sysname in names:
            a = by.get((sysname, "repeated"))
            b = by.get((sysname, "unique"))
            am = a.per_query_median().get(q.name) if a else None
            bm = b.per_query_median().get(q.name) if b else None
            cells.append(f"{fmt_ms(am) if am is not None else '-':>9} /"
                         f"{fmt_ms(bm) if bm is not None else '-':>9}")
        print(f"  {q.name:<40} " + " ".join(f"{c:>20}" for c in cells))
    report["ratios"] = ratios
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
