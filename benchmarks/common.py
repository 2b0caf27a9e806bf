"""Shared parts of the benchmarks: the query mix, its variants, a bounded load generator and
latency statistics. Traffic goes only to the URLs the caller gives (127.0.0.1)."""

from __future__ import annotations

import itertools
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from registry.namespaces import PREFIXES

ROOT = Path(__file__).resolve().parents[1]
#: Where the example queries live (the first that has .rq files wins).
QUERY_DIRS = (ROOT / "endpoint" / "examples", ROOT / "examples" / "queries")
#: Queries of the benchmarks themselves (small entity queries), added to the mix.
BENCH_QUERY_DIR = ROOT / "benchmarks" / "queries"

_LIMIT = re.compile(r"\bLIMIT\s+\d+", re.IGNORECASE)
_OFFSET = re.compile(r"\bOFFSET\s+\d+", re.IGNORECASE)
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Query:
    """One query of the mix: its name, its text (prefixes declared, a LIMIT added so that the
    endpoint's row cap never applies) and its form."""

    name: str
    core: str
    form: str
    limit: int | None

    @property
    def text(self) -> str:
        """The query as repeated requests send it."""
        return self.core if self.limit is None else f"{self.core}\nLIMIT {self.limit}"

    @property
    def accept(self) -> str:
        if self.form in ("SELECT", "ASK"):
            return "application/sparql-results+json"
        return "application/n-triples"

    def variant(self, n: int) -> str:
        """First-time variant ``n``: a different text (so no answer cache can serve it) for
        the same work: ``LIMIT base + n // 50 OFFSET n % 50``, unique for every n. A query
        that sets its own LIMIT gets a trailing comment instead."""
        if self.limit is None:
            return f"{self.core}\n# variant {n}\n"
        return f"{self.core}\nLIMIT {self.limit + n // 50} OFFSET {n % 50}"


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def prefix_block() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def load_queries(limit: int, query_dir: Path | None = None, extra: bool = True) -> list[Query]:
    """The example-query mix: ``*.rq`` of ``query_dir`` (default: the first of
    :data:`QUERY_DIRS` that has any), plus ``benchmarks/queries/*.rq`` when ``extra``."""
    dirs: list[Path] = []
    if query_dir is not None:
        dirs.append(query_dir)
    else:
        dirs.extend(d for d in QUERY_DIRS[:1] if any(d.glob("*.rq")))
        if not dirs:
            dirs.extend(d for d in QUERY_DIRS[1:] if any(d.glob("*.rq")))
    if extra:
        dirs.append(BENCH_QUERY_DIR)
    prefixes = prefix_block()
    out: list[Query] = []
    for d in dirs:
        for path in sorted(d.glob("*.rq")):
            raw = path.read_text("utf-8").strip()
            body = _strip_comments(raw)
            form_match = _FORM.search(body)
            form = form_match.group(1).upper() if form_match else "SELECT"
            own = bool(_LIMIT.search(body) or _OFFSET.search(body)) or form == "ASK"
            out.append(Query(path.stem, prefixes + raw, form, None if own else limit))
    return out


# -- preflight: leave out queries that are pathological at this size --------------------------
_TIMED_QUERY = """
import sys, time
import pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
text = sys.stdin.read()
t0 = time.perf_counter()
result = store.query(text, use_default_graph_as_union=True)
if not isinstance(result, ox.QueryBoolean):
    for _ in result:
        pass
print(time.perf_counter() - t0)
"""


def preflight(
    queries: Sequence[Query], revision_dir: Path, budget: float
) -> tuple[list[Query], dict[str, float | None]]:
    """Time each query once in pyoxigraph, in a child process that is killed after
    ``budget`` seconds. Returns the queries that finished in time and every query's time
    (None: over budget, or failed)."""
    kept: list[Query] = []
    times: dict[str, float | None] = {}
    for q in queries:
        try:
            done = subprocess.run(
                [sys.executable, "-c", _TIMED_QUERY, str(revision_dir)],
                input=q.text, capture_output=True, text=True, timeout=budget, check=True,
            )
            times[q.name] = float(done.stdout.strip())
            kept.append(q)
        except (subprocess.TimeoutExpired, subprocess.CalledProcessError, ValueError):
            times[q.name] = None
    return kept, times


# -- load generation ---------------------------------------------------------------------------
@dataclass
class Sample:
    query: str
    seconds: float
    ok: bool
    rows: int = -1
    error: str = ""


@dataclass
class RunResult:
    """The outcome of one bounded run."""

    system: str
    mode: str
    concurrency: int
    samples: list[Sample] = field(default_factory=list)
    wall: float = 0.0

    @property
    def ok(self) -> list[Sample]:
        return [s for s in self.samples if s.ok]

    @property
    def errors(self) -> int:
        return sum(1 for s in self.samples if not s.ok)

    @property
    def throughput(self) -> float:
        return len(self.ok) / self.wall if self.wall else 0.0

    def percentiles(self) -> dict[str, float]:
        return latency_percentiles([s.seconds for s in self.ok])

    def per_query_median(self) -> dict[str, float]:
        by: dict[str, list[float]] = {}
        for s in self.ok:
            by.setdefault(s.query, []).append(s.seconds)
        return {q: statistics.median(v) for q, v in sorted(by.items())}


def latency_percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]

    return {
        "p50": pct(50),
        "p90": pct(90),
        "p99": pct(99),
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
    }


#: A client call: (query, text) -> number of result bytes; raises on failure.
Call = Callable[[Query, str], int]


def run_load(
    system: str,
    mode: str,
    make_call: Callable[[], Call],
    queries: Sequence[Query],
    *,
    concurrency: int,
    max_requests: int,
    max_seconds: float,
    variant_start: int = 0,
) -> RunResult:
    """Issue the query mix with ``concurrency`` threads, round-robin over ``queries``, until
    ``max_requests`` were issued or ``max_seconds`` passed (requests in flight then finish).

    ``mode`` "repeated" sends each query's text as is; "unique" sends a fresh variant per
    request (numbered from ``variant_start``, so runs against different systems send the
    same sequence)."""
    counter = itertools.count()
    result = RunResult(system, mode, concurrency)
    lock = threading.Lock()
    began = time.perf_counter()
    deadline = began + max_seconds

    def worker() -> None:
        call = make_call()
        local: list[Sample] = []
        while time.perf_counter() < deadline:
            n = next(counter)
            if n >= max_requests:
                break
            q = queries[n % len(queries)]
            text = q.text if mode == "repeated" else q.variant(variant_start + n)
            t0 = time.perf_counter()
            try:
                size = call(q, text)
                local.append(Sample(q.name, time.perf_counter() - t0, True, size))
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                local.append(Sample(q.name, time.perf_counter() - t0, False, error=str(exc)[:300]))
        with lock:
            result.samples.extend(local)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.wall = time.perf_counter() - began
    return result


# -- the machine -------------------------------------------------------------------------------
def machine_info() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    versions = {}
    for pkg in ("pyoxigraph", "oxigraph", "flask", "requests", "gunicorn", "waitress", "granian",
                "rdflib"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    try:
        rust = subprocess.run(["oxigraph", "--version"], capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        rust = "not installed"
    return {
        "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "oxigraph_server": rust,
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"
