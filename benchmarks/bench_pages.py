"""What a reader's first request after a commit costs, in a small and a big registry (issue 24).

    python benchmarks/bench_pages.py --sizes 0,10000,30000 --repeats 3

For each size (0: the bundled data only; N: N synthetic commitments bulk-loaded with
``benchmarks/bulkload.py`` on top of it) the script opens the registry as ``ogpreg serve`` does
(the app with its digest and catalogue materialisers installed), then ``--repeats`` times:
commits a small real load through ``Registry.load`` (an invented commitment with a comment,
``tests/fixtures/pages/commitment-story.ttl``, its texts changed each time so that the load is
a change), and requests every page of the issue's table once, cold, in the app (Flask's test
client: the HTTP server is not what is measured here). It prints the medians and the ratios
``big / (small + 20 ms)`` between consecutive sizes (target: at most 3).

Before the measured repetitions, one small load is committed unmeasured: it builds what the
bulk load left unbuilt (the catalogue of the revision, from scratch), as the first load after
an upgrade would. The commit of the small load is timed too (``Registry.load``: parse,
validate, diff, history, the digest's and the catalogue's update, the commit), with the same
ratio.

``--small-answers`` adds the comparison of small SPARQL answers at concurrency 8 with
Oxigraph's server on the largest size's store (``benchmarks/small_answers.py``): an entity
lookup sent as a new text each time, and a cached answer; ``--threads-variants 2,16`` measures
``ogpreg serve --threads N`` as well, in the same run. It includes the ceiling of first-time
lookups without HTTP (pyoxigraph alone, and the endpoint's app alone: ``small_answers.py
--ceiling``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import small_answers
from benchmarks.bulkload import LOADED_BY, build_store
from benchmarks.common import machine_info
from endpoint.app import create_app
from registry.loading.sources import SourceFile
from registry.publish import materialise
from registry.service import Registry, open_registry
from registry.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
STORY = ROOT / "tests" / "fixtures" / "pages" / "commitment-story.ttl"
BASE = "http://localhost:8000/"
NOISE = 0.020  # seconds of timer noise allowed (the rule)

PAGES: tuple[tuple[str, str], ...] = (
    ("/ (home)", "/"),
    ("/?plan=2019-2021 (dashboard)", "/?plan=2019-2021"),
    ("/search?q=data", "/search?q=data"),
    ("/catalog (Turtle)", "/catalog"),
    ("commitment page", "/id/commitment/NO9906"),
    ("organisation page", "/id/organisation/kulturdepartementet"),
    ("plan page (first page)", "/id/plan/2019-2021"),
    ("/feed", "/feed"),
)


@dataclass
class SizeResult:
    size: int
    quads: int
    commit_seconds: list[float] = field(default_factory=list)
    times: dict[str, list[float]] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)

    def median(self, name: str) -> float:
        return statistics.median(self.times[name])


def open_small(store: Path) -> Registry:
    reg = open_registry(
        load_settings({"store": str(store), "base_uri": BASE, "user": LOADED_BY}, environ={})
    )
    reg.ensure_initialised()
    return reg


def measure(reg: Registry, size: int, repeats: int) -> SizeResult:
    materialise.install(reg)
    app = create_app(reg.settings, registry=reg)
    client = app.test_client()
    result = SizeResult(size, len(reg.store.reader()))
    story = STORY.read_text("utf-8")
    began = time.perf_counter()
    reg.load([SourceFile("story.ttl", story.replace(
        "(oppdiktet kommentar)", f"(oppdiktet kommentar warm-up {time.time()})").encode(),
        "bench-pages-story")])
    print(f"  {size}: warm-up commit {time.perf_counter() - began:.1f} s (not measured)",
          file=sys.stderr)
    for n in range(repeats):
        data = story.replace("(oppdiktet kommentar)",
                             f"(oppdiktet kommentar {n} {time.time()})").encode()
        began = time.perf_counter()
        reg.load([SourceFile("story.ttl", data, "bench-pages-story")])
        result.commit_seconds.append(time.perf_counter() - began)
        for name, path in PAGES:
            began = time.perf_counter()
            accept = ("text/turtle" if "catalog" in path else "*/*" if "feed" in path
                      else "text/html")
            resp = client.get(path, headers={"Accept": accept})
            body = resp.get_data()
            spent = time.perf_counter() - began
            if resp.status_code != 200:  # reported in the table, not timed
                print(f"  {size}: {path}: HTTP {resp.status_code}", file=sys.stderr)
                result.failed.add(name)
            result.times.setdefault(name, []).append(spent)
            if n == 0 and "plan page" in name:
                print(f"  {size}: plan page {len(body):,} bytes", file=sys.stderr)
        print(f"  {size}: repetition {n + 1} done (commit {result.commit_seconds[-1]:.1f} s)",
              file=sys.stderr)
    return result


def table(results: list[SizeResult]) -> str:
    head = "| page | " + " | ".join(
        f"{r.size:,} commitments" if r.size else "bundled" for r in results
    )
    pairs = list(zip(results, results[1:], strict=False))
    ratios = [f"{b.size:,} vs {a.size or 'bundled'}" for a, b in pairs]
    head += " | " + " | ".join(f"ratio {x}" for x in ratios) + " |"
    sep = "|---|" + "---:|" * (len(results) + len(ratios))
    lines = [head, sep]
    for name, _ in PAGES:
        if any(name in r.failed for r in results):
            lines.append(f"| `{name}` | " + " | ".join(
                "not 200" if name in r.failed else f"{r.median(name) * 1000:,.1f} ms"
                for r in results) + " |" + " — |" * len(ratios))
            continue
        cells = [f"{r.median(name) * 1000:,.1f} ms" for r in results]
        cells += [
            f"{b.median(name) / (a.median(name) + NOISE):.2f}×"
            for a, b in zip(results, results[1:], strict=False)
        ]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    commits = [statistics.median(r.commit_seconds) for r in results]
    lines.append(
        "| commit of the small load (not a page) | "
        + " | ".join(f"{c * 1000:,.0f} ms" for c in commits)
        + " | "
        + " | ".join(f"{b / (a + NOISE):.2f}×" for a, b in zip(commits, commits[1:],
                                                               strict=False))
        + " |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0,10000",
                        help="comma-separated numbers of synthetic commitments (0: bundled)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", type=Path,
                        help="build the stores under this folder (and reuse them next time)")
    parser.add_argument("--small-answers", action="store_true",
                        help="also compare small answers with Oxigraph's server")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="seconds per small-answer load (default 10)")
    parser.add_argument("--threads-variants", default="",
                        help="comma-separated --threads values of ogpreg serve to measure too")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]
    info = machine_info()
    print("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()), file=sys.stderr)
    results: list[SizeResult] = []
    with tempfile.TemporaryDirectory(prefix="ogp-bench-pages-") as tmp:
        root = args.keep or Path(tmp)
        for size in sizes:
            store = root / f"store-{size}"
            began = time.perf_counter()
            if size and not (store / "CURRENT").exists():
                reg, _, _ = build_store(store, size, args.seed, base_uri=BASE)
            else:
                reg = open_small(store)
            print(f"  {size}: store ready in {time.perf_counter() - began:.1f} s",
                  file=sys.stderr)
            results.append(measure(reg, size, args.repeats))
        print(table(results), flush=True)
        if args.small_answers:
            variants = [int(x) for x in args.threads_variants.split(",") if x]
            small = small_answers.run(root / f"store-{sizes[-1]}", BASE, root,
                                      seconds=args.seconds, concurrency=8,
                                      thread_variants=variants, ceiling=True)
            print()
            print(f"Small answers at concurrency 8, {sizes[-1]:,} commitments:")
            print(small_answers.table(small))
    return 0


if __name__ == "__main__":
    sys.exit(main())
