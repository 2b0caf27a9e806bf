"""Small answers at concurrency 8: the endpoint against Oxigraph's Rust server (issue 24, second
part), used by ``bench_pages.py --small-answers``.

One run, the same store contents for every system: the registry store is dumped to N-Quads and
loaded with ``oxigraph load``; ``oxigraph serve --union-default-graph`` and ``ogpreg serve``
(in each variant measured) run as subprocesses on free ports. Two loads, each for
``seconds`` at concurrency 8 with a lean client (``http.client``, one kept-alive connection
per thread, no gzip: what ``bench_endpoint.py`` calls the lean client):

- **entity lookup, first time**: ``benchmarks/queries/commitment-entity.rq`` (one commitment
  and everything said about it), a new text per request (a numbered comment), so no cache can
  answer it: the endpoint evaluates it in a query worker process;
- **cached answer**: the same text again and again (after one warm-up request): the endpoint
  answers from its answer cache (the WSGI fast path, ``endpoint/sparql/fastpath.py``).

The endpoint variants are ``ogpreg serve`` with its defaults (waitress, 8 HTTP threads, 8 query
workers; repeats answered by waitress's I/O thread, ``endpoint/sparql/fastpath.py``), the same
without the I/O-thread answers (the fast path in a request thread, as before), and with
``--threads N`` for the other thread counts asked for. With ``--servers``, the same app under
the other WSGI servers: ``ogpreg serve --server granian`` (endpoint/granian_server.py) and, if
gunicorn is installed (the ``bench`` extra), gunicorn's threaded worker with as many threads
(``endpoint.wsgi:served_app``). For each endpoint variant a third load measures a light
request, ``GET /health`` (no query; the Rust server has no such page, so no ratio). The
variants are given as a command and extra environment variables (:func:`_variants`), so an
option read from the environment can be measured against the defaults in the same run.

On its own: ``python benchmarks/small_answers.py --store DIR`` (a registry store, e.g. one kept
by ``bench_pages.py --keep``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_endpoint import free_port, lean_call_factory, log, server
from benchmarks.common import (
    BENCH_QUERY_DIR,
    Query,
    RunResult,
    prefix_block,
    run_load,
)

RUST = "oxigraph server (Rust)"
HEALTH = "light request (GET /health)"
#: ``ogpreg serve`` with waitress's own channel (the fast path then answers repeats in a
#: request thread, as before issue 24): for the comparison only
_WITHOUT_IO_PATH = (
    "import sys; from endpoint.sparql import fastpath; "
    "fastpath.channel_class = lambda fast: None; "
    "from ogpreg.cli import main; sys.exit(main(sys.argv[1:]))"
)
#: the ``oxigraph`` command (PyPI package ``oxigraph``, installed beside this Python)
OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


@dataclass
class SmallResult:
    system: str
    mode: str
    result: RunResult

    def row(self, rust: SmallResult | None) -> str:
        p = self.result.percentiles()
        ratio = (
            f"{self.result.throughput / rust.result.throughput:.2f}×"
            if rust is not None and rust.result.throughput
            else "—"
        )
        return (
            f"| {self.system} | {self.mode} | {len(self.result.ok):,} | {self.result.errors} | "
            f"{self.result.throughput:,.0f} | {p['p50'] * 1000:.1f} | {p['p90'] * 1000:.1f} | "
            f"{p['p99'] * 1000:.1f} | {ratio} |"
        )


def entity_query() -> Query:
    text = (BENCH_QUERY_DIR / "commitment-entity.rq").read_text("utf-8")
    core = prefix_block() + "\n" + "\n".join(
        line for line in text.splitlines() if not line.lstrip().startswith("#")
    )
    return Query("commitment-entity", core, "SELECT", None)


def _measure(name: str, url: str, seconds: float, concurrency: int,
             health: bool = False) -> list[SmallResult]:
    q = entity_query()
    call = lean_call_factory(url)()
    rows = call(q, q.text)  # warm-up: the answer is now in the cache (endpoint)
    log(f"  {name}: warm-up answer {rows} bytes")
    out = []
    loads = [("unique", "entity lookup, first time", lean_call_factory(url)),
             ("repeated", "cached answer", lean_call_factory(url))]
    if health:
        # a light request: what every page, file and cached answer pays at least
        loads.append(("repeated", HEALTH, lean_call_factory(url, fixed_path="/health")))
    for mode, label, factory in loads:
        r = run_load(name, mode, factory, [q], concurrency=concurrency,
                     max_requests=10**9, max_seconds=seconds,
                     variant_start=int(time.time() * 1000) % 10**9)
        out.append(SmallResult(name, label, r))
        log(f"  {name} {label}: {r.throughput:,.0f} req/s, {r.errors} errors")
    return out


#: A variant: name, command for (host, port), extra environment, log tag.
Variant = tuple[str, Callable[[str, int], list[str]], dict[str, str], str]


def _variants(thread_variants: list[int], servers: bool = False) -> list[Variant]:
    """The endpoint variants measured (see the module docstring)."""
    serve = [sys.executable, "-m", "ogpreg", "serve"]

    def ogpreg(*args: str) -> Callable[[str, int], list[str]]:
        return lambda host, port: [*args, "--host", host, "--port", str(port)]

    out: list[Variant] = [
        ("endpoint (ogpreg serve, defaults)", ogpreg(*serve), {}, "defaults"),
        # as before the I/O-thread answers: repeats answered in a request thread
        ("endpoint (defaults, without the I/O-thread answers)",
         ogpreg(sys.executable, "-c", _WITHOUT_IO_PATH, "serve"), {}, "no-io"),
    ]
    for n in thread_variants:
        out.append((f"endpoint (ogpreg serve --threads {n})",
                    ogpreg(*serve, "--threads", str(n)), {}, f"threads-{n}"))
    if servers:
        out.append(("endpoint (ogpreg serve --server granian)",
                    ogpreg(*serve, "--server", "granian"), {}, "granian"))
        gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).parent / "gunicorn")
        if Path(gunicorn).exists():
            # as many threads as ogpreg serve gives waitress: 8 + 8 query workers + 16 queue
            out.append(("endpoint under gunicorn (gthread, 1 process, 32 threads)",
                        lambda host, port: [gunicorn, "--worker-class", "gthread", "--workers",
                                            "1", "--threads", "32", "--bind", f"{host}:{port}",
                                            "endpoint.wsgi:served_app()"],
                        {"PYTHONPATH": str(Path(__file__).resolve().parents[1])}, "gunicorn"))
        else:
            log("gunicorn is not installed (pip install -e '.[bench]'): not measured")
    return out


def run(store_dir: Path, base_uri: str, work: Path, *, seconds: float, concurrency: int,
        thread_variants: list[int], servers: bool = False) -> list[SmallResult]:
    """Measure every system on the registry store at ``store_dir`` (see the module
    docstring); ``work`` holds the Oxigraph store and the logs."""
    from registry.store.embedded import EmbeddedStore

    rust_dir = work / "oxigraph"
    shutil.rmtree(rust_dir, ignore_errors=True)
    dump = work / "dump.nq"
    EmbeddedStore(store_dir).reader().dump(str(dump), format=ox.RdfFormat.N_QUADS)
    subprocess.run([OXIGRAPH, "load", "--location", str(rust_dir), "--file", str(dump)],
                   check=True, stdout=subprocess.DEVNULL)
    dump.unlink()
    env = dict(os.environ)
    env.update({"OGPREG_STORE": str(store_dir), "OGPREG_BASE_URI": base_uri,
                "OGPREG_QUERY_TIMEOUT": "600"})
    results: list[SmallResult] = []
    rust_port = free_port()
    rust_url = f"http://127.0.0.1:{rust_port}/query"
    with server([OXIGRAPH, "serve", "--location", str(rust_dir), "--bind",
                 f"127.0.0.1:{rust_port}", "--union-default-graph"],
                env, f"{rust_url}?query=ASK%7B%7D", RUST, work / "oxigraph.log") as proc:
        if proc is not None:
            results += _measure(RUST, rust_url, seconds, concurrency)
    for name, command, extra, tag in _variants(thread_variants, servers):
        port = free_port()
        with contextlib.ExitStack() as stack:
            proc = stack.enter_context(server(
                command("127.0.0.1", port), {**env, **extra}, f"http://127.0.0.1:{port}/health",
                name, work / f"endpoint-{tag}.log"))
            if proc is not None:
                results += _measure(name, f"http://127.0.0.1:{port}/sparql", seconds,
                                    concurrency, health=servers)
    shutil.rmtree(rust_dir, ignore_errors=True)
    return results


def table(results: list[SmallResult]) -> str:
    lines = [
        "| system | answer | requests | errors | req/s | p50 ms | p90 ms | p99 ms | "
        "throughput vs Rust |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rust = {r.mode: r for r in results if r.system == RUST}
    for r in results:
        lines.append(r.row(rust.get(r.mode) if r.system != RUST else None))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="the registry store")
    parser.add_argument("--base-uri", default="http://localhost:8000/",
                        help="the store's base URI (bench_pages.py's stores: the default)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per load")
    parser.add_argument("--threads-variants", default="",
                        help="comma-separated --threads values of ogpreg serve to measure too")
    parser.add_argument("--servers", action="store_true",
                        help="measure granian and gunicorn too, and a light request (/health)")
    args = parser.parse_args(argv)
    from benchmarks.common import machine_info

    info = machine_info()
    print("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()), file=sys.stderr)
    variants = [int(x) for x in args.threads_variants.split(",") if x]
    with tempfile.TemporaryDirectory(prefix="ogp-small-") as tmp:
        results = run(args.store, args.base_uri, Path(tmp), seconds=args.seconds,
                      concurrency=8, thread_variants=variants, servers=args.servers)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
