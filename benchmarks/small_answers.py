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

With ``--ceiling``, two more first-time loads without any HTTP, each in a Python process of its
own (this script again, ``--in-process``), by the same eight threads of the same client code:

- **pyoxigraph alone**: the store opened read-only in that process, each lookup evaluated over
  the union of the graphs and serialised as SPARQL JSON (what any server must do at least;
  pyoxigraph lets go of Python's interpreter lock while it evaluates);
- **the query executor alone**: the app of ``ogpreg serve`` built in that process, its query
  executor called as the ``/sparql`` route calls it (admission, answer cache, a killable
  query worker, the answer serialised), but no Flask, no protocol, no HTTP;
- **the endpoint's app alone**: the app of ``ogpreg serve`` built in that process with its
  query workers and answer cache, called as a WSGI server calls it (an environ built by
  hand, the answer read whole), but no HTTP server: what the registry's own Python costs per
  request, under one interpreter lock, whatever the server in front.

They bound what any HTTP server in front of this app can reach on the machine (the second
target of issue 24; docs/performance.md, "The ceiling").

On its own: ``python benchmarks/small_answers.py --store DIR`` (a registry store, e.g. one kept
by ``bench_pages.py --keep``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_endpoint import (
    direct_call_factory,
    free_port,
    lean_call_factory,
    log,
    server,
)
from benchmarks.common import (
    BENCH_QUERY_DIR,
    Call,
    Query,
    RunResult,
    Sample,
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


#: the in-process loads of ``--ceiling``: what is called, and the row's name
IN_PROCESS = {
    "engine": "pyoxigraph alone, in one Python process (no HTTP, no app)",
    "executor": "the query executor alone (query workers, admission, cache; no Flask, no HTTP)",
    "app": "the endpoint's app alone, in its process (no HTTP server)",
}


def executor_call_factory(executor: Any) -> Callable[[], Call]:
    """The endpoint's query executor called directly, as the ``/sparql`` route calls it for a
    query the cache cannot answer: admission, the answer cache, a query worker process and
    its answer, serialised as SPARQL JSON; no Flask, no HTTP, and none of the route's own
    work (the protocol's parameters, the query's inspection, the response and its headers)."""
    from endpoint.sparql.answers import QueryRequest

    def make() -> Call:
        def call(q: Query, text: str) -> int:
            answer = executor.execute(QueryRequest(text, solutions_format="json"),
                                      client="127.0.0.1")
            return len(answer.body)  # a worker's error is raised

        return call

    return make


def wsgi_call_factory(app: Callable[..., Any]) -> Callable[[], Call]:
    """The app called as a WSGI server calls it: ``GET /sparql?query=...`` in an environ built
    by hand (what a server builds from the request line and headers), the answer read whole."""

    def make() -> Call:
        def call(q: Query, text: str) -> int:
            status: list[str] = []

            def start_response(s: str, headers: list[tuple[str, str]],
                               exc_info: Any = None) -> None:
                status.append(s)

            environ = {
                "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/sparql",
                "QUERY_STRING": urllib.parse.urlencode({"query": text}),
                "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
                "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
                "HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT": q.accept,
                "HTTP_ACCEPT_ENCODING": "identity",
                "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
                "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
                "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
            }
            body = b"".join(app(environ, start_response))
            if not status or not status[0].startswith("200"):
                raise RuntimeError(f"{status[:1]}: {body[:200]!r}")
            return len(body)

        return call

    return make


def in_process(kind: str, store_dir: Path, seconds: float, concurrency: int) -> None:
    """The child of ``--ceiling``: one first-time load of ``kind`` (:data:`IN_PROCESS`) in this
    process, its samples printed to stdout as JSON."""
    if kind == "engine":
        from registry.store.embedded import EmbeddedStore

        factory = direct_call_factory(EmbeddedStore(store_dir).reader())
    else:
        from endpoint.app import state
        from endpoint.wsgi import served_app

        # the app's start-up line goes to stderr (stdout carries the samples)
        with contextlib.redirect_stdout(sys.stderr):
            app = served_app()
        if kind == "executor":
            factory = executor_call_factory(state(app).extras["executor"])
        else:
            # app.wsgi_app: the fast path for repeats in front of Flask, as servers call it
            factory = wsgi_call_factory(app.wsgi_app)
    q = entity_query()
    factory()(q, q.text)  # warm-up, as for the servers
    r = run_load(IN_PROCESS[kind], "unique", factory, [q], concurrency=concurrency,
                 max_requests=10**9, max_seconds=seconds,
                 variant_start=int(time.time() * 1000) % 10**9)
    json.dump({"wall": r.wall, "samples": [[s.seconds, s.ok, s.error] for s in r.samples]},
              sys.stdout)
    sys.stdout.flush()
    os._exit(0)  # the app's query workers are not waited for


def _ceiling(store_dir: Path, env: dict[str, str], seconds: float,
             concurrency: int) -> list[SmallResult]:
    out = []
    for kind, name in IN_PROCESS.items():
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--store", str(store_dir),
             "--seconds", str(seconds), "--in-process", kind],
            env=env, capture_output=True, text=True, check=True)
        data = json.loads(done.stdout)
        r = RunResult(name, "unique", concurrency, wall=data["wall"],
                      samples=[Sample("commitment-entity", t, ok, error=err)
                               for t, ok, err in data["samples"]])
        out.append(SmallResult(name, "entity lookup, first time", r))
        log(f"  {name}: {r.throughput:,.0f} req/s, {r.errors} errors")
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
        thread_variants: list[int], servers: bool = False,
        ceiling: bool = False) -> list[SmallResult]:
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
    if ceiling:
        results += _ceiling(store_dir, env, seconds, concurrency)
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
    parser.add_argument("--ceiling", action="store_true",
                        help="measure first-time lookups without HTTP too: pyoxigraph alone, "
                        "the query executor alone and the endpoint's app alone, each in a "
                        "process of its own")
    parser.add_argument("--in-process", choices=sorted(IN_PROCESS),
                        help=argparse.SUPPRESS)  # the child of --ceiling
    args = parser.parse_args(argv)
    if args.in_process:
        in_process(args.in_process, args.store, args.seconds, 8)
    from benchmarks.common import machine_info

    info = machine_info()
    print("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()), file=sys.stderr)
    variants = [int(x) for x in args.threads_variants.split(",") if x]
    with tempfile.TemporaryDirectory(prefix="ogp-small-") as tmp:
        results = run(args.store, args.base_uri, Path(tmp), seconds=args.seconds,
                      concurrency=8, thread_variants=variants, servers=args.servers,
                      ceiling=args.ceiling)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
