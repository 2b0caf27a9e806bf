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
``--threads N`` for the other thread counts asked for. The variants are given as a command and
extra environment variables (:func:`_variants`), so an option read from the environment can be
measured against the defaults in the same run.

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
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_endpoint import free_port, lean_call_factory, log, server
from benchmarks.common import BENCH_QUERY_DIR, Query, RunResult, prefix_block, run_load

RUST = "oxigraph server (Rust)"
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


def _measure(name: str, url: str, seconds: float, concurrency: int) -> list[SmallResult]:
    q = entity_query()
    call = lean_call_factory(url)()
    rows = call(q, q.text)  # warm-up: the answer is now in the cache (endpoint)
    log(f"  {name}: warm-up answer {rows} bytes")
    out = []
    for mode, label in (("unique", "entity lookup, first time"), ("repeated", "cached answer")):
        r = run_load(name, mode, lean_call_factory(url), [q], concurrency=concurrency,
                     max_requests=10**9, max_seconds=seconds,
                     variant_start=int(time.time() * 1000) % 10**9)
        out.append(SmallResult(name, label, r))
        log(f"  {name} {label}: {r.throughput:,.0f} req/s, {r.errors} errors")
    return out


def _variants(thread_variants: list[int]) -> list[tuple[str, list[str], dict[str, str], str]]:
    """The endpoint variants measured: name, command, extra environment, log tag."""
    serve = [sys.executable, "-m", "ogpreg", "serve"]
    out = [
        ("endpoint (ogpreg serve, defaults)", serve, {}, "defaults"),
        # as before the I/O-thread answers: repeats answered in a request thread
        ("endpoint (defaults, without the I/O-thread answers)",
         [sys.executable, "-c", _WITHOUT_IO_PATH, "serve"], {}, "no-io"),
    ]
    for n in thread_variants:
        out.append((f"endpoint (ogpreg serve --threads {n})", [*serve, "--threads", str(n)], {},
                    f"threads-{n}"))
    return out


def run(store_dir: Path, base_uri: str, work: Path, *, seconds: float, concurrency: int,
        thread_variants: list[int]) -> list[SmallResult]:
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
    for name, cmd, extra, tag in _variants(thread_variants):
        port = free_port()
        cmd = [*cmd, "--host", "127.0.0.1", "--port", str(port)]
        with contextlib.ExitStack() as stack:
            proc = stack.enter_context(server(
                cmd, {**env, **extra}, f"http://127.0.0.1:{port}/health", name,
                work / f"endpoint-{tag}.log"))
            if proc is not None:
                results += _measure(name, f"http://127.0.0.1:{port}/sparql", seconds,
                                    concurrency)
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
    args = parser.parse_args(argv)
    from benchmarks.common import machine_info

    info = machine_info()
    print("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()), file=sys.stderr)
    variants = [int(x) for x in args.threads_variants.split(",") if x]
    with tempfile.TemporaryDirectory(prefix="ogp-small-") as tmp:
        results = run(args.store, args.base_uri, Path(tmp), seconds=args.seconds,
                      concurrency=8, thread_variants=variants)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
